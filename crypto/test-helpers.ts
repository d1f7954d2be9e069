// Shared by the crypto tests only.
import { expect } from "vitest";
import { CryptoError, type CryptoErrorCode } from "./errors";
import type { Key } from "./key-types";

export function expectCryptoError(run: () => unknown, code?: CryptoErrorCode): CryptoError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a CryptoError").toBeInstanceOf(CryptoError);
  if (code) expect((caught as CryptoError).code).toBe(code);
  return caught as CryptoError;
}

/**
 * Flips one bit in every byte position (a different bit each time, cycling through all
 * eight) and checks that opening fails each time: the version byte with
 * "unsupported-version", everything else with some CryptoError.
 */
export function expectEveryByteTamperFails(envelope: Uint8Array, open: (tampered: Uint8Array) => unknown): void {
  for (let position = 0; position < envelope.length; position++) {
    for (const bit of position < 2 ? [0, 1, 2, 3, 4, 5, 6, 7] : [position % 8]) {
      const tampered = envelope.slice();
      tampered[position]! ^= 1 << bit;
      const error = expectCryptoError(() => open(tampered));
      if (position === 0) expect(error.code).toBe("unsupported-version");
    }
  }
}

/** Every proper prefix fails too. */
export function expectTruncationFails(envelope: Uint8Array, open: (truncated: Uint8Array) => unknown): void {
  for (let length = 0; length < envelope.length; length++) expectCryptoError(() => open(envelope.slice(0, length)));
}

export function bytesFrom(seed: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (seed + index * 31) & 0xff);
}

/**
 * Bytes typed as a key of any role, for tests that feed a function a key it must refuse or
 * fixed bytes for a known answer; application code gets keys only from crypto/ functions.
 */
export function anyKey(bytes: Uint8Array): Key<never> {
  return bytes as Key<never>;
}
