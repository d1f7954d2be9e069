import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/**
 * Pads plaintext before encryption so the server sees sizes that say little about the
 * content: to a power-of-two bucket (records: a one-line allergy and a short note land in
 * the same bucket; the vault: a short and a long name, none and a few pinned clinicians),
 * or to one fixed size (grant profiles: every name looks alike). ISO/IEC 7816-4 padding
 * (libsodium's sodium_pad), so the padding is unambiguous and never hand-rolled.
 */
/** The smallest bucket (bytes) of any padded format. */
export const minimumBucket = 256;
const maximumBucket = 1 << 30;

const isPowerOfTwo = (length: number) => length > 0 && (length & (length - 1)) === 0;

/**
 * The bucket (bytes) a plaintext of `length` bytes is padded to: the smallest power of two
 * above it (padding always adds at least one byte), and at least `minimum`.
 * @param minimum a power of two, 256 unless a format asks for more (the vault: 4096)
 * @throws CryptoError "invalid-argument" above 1 GiB or for a minimum that is not a power of two
 */
export function bucketSize(length: number, minimum: number = minimumBucket): number {
  if (!isPowerOfTwo(minimum) || minimum < minimumBucket) throw new CryptoError("invalid-argument");
  let bucket = minimum;
  while (bucket <= length) bucket *= 2;
  if (bucket > maximumBucket) throw new CryptoError("invalid-argument");
  return bucket;
}

/**
 * Pads to `bucketSize(plaintext.length, minimum)` bytes.
 * @throws CryptoError "invalid-argument" (see bucketSize)
 */
export function padToBucket(plaintext: Uint8Array, minimum: number = minimumBucket): Uint8Array {
  return padded(plaintext, bucketSize(plaintext.length, minimum));
}

/**
 * `plaintext` padded to exactly `size` bytes (more than its length). The padding bytes are
 * libsodium's: sodium_pad of nothing to a block of `size - length` bytes is exactly the
 * ISO/IEC 7816-4 tail sodium_pad(plaintext, size) appends (0x80, then zeros), so the result is
 * the same bytes (padding.test.ts compares them at every length). It is made this way because
 * the JavaScript wrapper copies its input into the heap byte by byte: padding a 300-byte
 * record to 512 bytes walked 812 bytes that way, once per record saved or rotated.
 */
function padded(plaintext: Uint8Array, size: number): Uint8Array {
  const tail = guarded("invalid-argument", () => lib().pad(new Uint8Array(0), size - plaintext.length));
  if (tail.length !== size - plaintext.length) throw new CryptoError("invalid-argument");
  const out = new Uint8Array(size);
  out.set(plaintext, 0);
  out.set(tail, plaintext.length);
  return out;
}

/**
 * Pads to exactly `size` bytes, whatever the plaintext's length: for short fields whose
 * every valid value fits (a grant profile), so no two of them differ in size.
 * @throws CryptoError "invalid-argument" when the plaintext does not fit (it needs one byte of padding)
 */
export function padToSize(plaintext: Uint8Array, size: number): Uint8Array {
  if (plaintext.length >= size) throw new CryptoError("invalid-argument");
  return padded(plaintext, size);
}

/**
 * Removes bucket padding (from padToBucket, or padToSize with a power-of-two size).
 * @param minimum the smallest bucket this format was ever padded to
 * @throws CryptoError "malformed" for a length that is not a power of two of at least `minimum`, or padding that is not ISO/IEC 7816-4
 */
export function unpadBucket(padded: Uint8Array, minimum: number = minimumBucket): Uint8Array {
  if (padded.length < minimum || !isPowerOfTwo(padded.length)) throw new CryptoError("malformed");
  return guarded("malformed", () => lib().unpad(padded, padded.length));
}
