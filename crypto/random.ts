import { CryptoError } from "./errors";

// The platform CSPRNG (WebCrypto getRandomValues: the OS generator, in browsers and in
// Node). libsodium's JavaScript build fills buffers through a slow per-word callback
// (measured: about 1.8 ms per KiB), which made batches of nonces the bottleneck.
const maxPerCall = 65_536;

function fill(buffer: Uint8Array): Uint8Array {
  const source = globalThis.crypto;
  if (!source?.getRandomValues) throw new CryptoError("not-ready");
  for (let offset = 0; offset < buffer.length; offset += maxPerCall) {
    source.getRandomValues(buffer.subarray(offset, Math.min(buffer.length, offset + maxPerCall)));
  }
  return buffer;
}

/**
 * `length` bytes from the platform CSPRNG.
 * @throws CryptoError("invalid-argument") unless `length` is a non-negative safe integer; CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new CryptoError("invalid-argument");
  return fill(new Uint8Array(length));
}

/**
 * `count` random values of `size` bytes drawn in one go and sliced.
 * @throws CryptoError("invalid-argument") unless `count` is a non-negative and `size` a positive safe integer; CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function randomChunks(count: number, size: number): Uint8Array[] {
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(size) || size <= 0) {
    throw new CryptoError("invalid-argument");
  }
  const pool = fill(new Uint8Array(count * size));
  return Array.from({ length: count }, (_, index) => pool.subarray(index * size, (index + 1) * size));
}
