import { CryptoError } from "./errors";
import { lib } from "./sodium";

export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new CryptoError("invalid-argument");
  return lib().randombytes_buf(length);
}

/**
 * `count` random values of `size` bytes from one call: libsodium's random functions cost
 * about 0.1 ms per call in WebAssembly, so loops must not call them one by one.
 */
export function randomChunks(count: number, size: number): Uint8Array[] {
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(size) || size <= 0) {
    throw new CryptoError("invalid-argument");
  }
  const pool = count === 0 ? new Uint8Array(0) : lib().randombytes_buf(count * size);
  return Array.from({ length: count }, (_, index) => pool.subarray(index * size, (index + 1) * size));
}
