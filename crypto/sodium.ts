import sodium from "libsodium-wrappers-sumo";
import { CryptoError } from "./errors";

let ready: Promise<void> | undefined;
let initialised = false;

/**
 * Loads libsodium's WebAssembly once; await it before calling anything else in crypto/.
 * @throws nothing itself; the promise rejects only if libsodium cannot load, with the library's own error (not a CryptoError)
 */
export function cryptoReady(): Promise<void> {
  ready ??= sodium.ready.then(() => {
    initialised = true;
  });
  return ready;
}

/**
 * The initialised library; throws instead of running half-initialised.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function lib(): typeof sodium {
  if (!initialised) throw new CryptoError("not-ready");
  return sodium;
}

/**
 * Runs a libsodium call and turns any library error into a CryptoError of the given code.
 * @throws CryptoError(`code`) when `run` throws anything but a CryptoError; a CryptoError from `run` (for example "not-ready") is rethrown unchanged
 */
export function guarded<T>(code: ConstructorParameters<typeof CryptoError>[0], run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError(code);
  }
}
