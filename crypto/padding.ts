import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/**
 * Pads plaintext to a power-of-two bucket (at least 256 bytes) before encryption, so the
 * server sees sizes that say little about the content: a one-line allergy and a short
 * note land in the same bucket. ISO/IEC 7816-4 padding (libsodium's sodium_pad).
 */
const minimumBucket = 256;
const maximumBucket = 1 << 30;

export function bucketSize(length: number): number {
  let bucket = minimumBucket;
  while (bucket <= length) bucket *= 2;
  if (bucket > maximumBucket) throw new CryptoError("invalid-argument");
  return bucket;
}

export function padToBucket(plaintext: Uint8Array): Uint8Array {
  return guarded("invalid-argument", () => lib().pad(plaintext, bucketSize(plaintext.length)));
}

export function unpadBucket(padded: Uint8Array): Uint8Array {
  if (padded.length < minimumBucket || (padded.length & (padded.length - 1)) !== 0) throw new CryptoError("malformed");
  return guarded("malformed", () => lib().unpad(padded, padded.length));
}
