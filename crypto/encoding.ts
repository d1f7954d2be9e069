import { CryptoError } from "./errors";
import { lib } from "./sodium";

const base64urlPattern = /^[A-Za-z0-9_-]*$/;

/**
 * Unpadded base64url (RFC 4648 §5): how every binary value travels in the API.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function toBase64url(bytes: Uint8Array): string {
  const sodium = lib();
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/**
 * Reads unpadded base64url. Strict: only the one canonical encoding of some bytes is accepted.
 * @throws CryptoError("malformed") for anything else; CryptoError("not-ready") before cryptoReady()
 */
export function fromBase64url(text: string): Uint8Array {
  if (typeof text !== "string" || !base64urlPattern.test(text) || text.length % 4 === 1) {
    throw new CryptoError("malformed");
  }
  const sodium = lib();
  try {
    // libsodium refuses trailing bits that are not zero (they would decode to the same bytes as the
    // canonical text), so what it accepts here is the one encoding of its bytes (encoding.test.ts).
    return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new CryptoError("malformed");
  }
}

/**
 * Standard base64 with padding (RFC 4648 §4), as FHIR's base64Binary (`attachment.data`)
 * carries bytes. libsodium encodes in one pass over a buffer, so a large input (a long note,
 * a file in an export) is no problem, unlike spreading bytes into String.fromCharCode.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function toBase64(bytes: Uint8Array): string {
  const sodium = lib();
  return sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
// XML Schema's base64Binary (which FHIR's is) allows whitespace between characters; files written elsewhere wrap lines.
const base64Whitespace = /[\t\n\f\r ]/g;

/**
 * Reads standard base64 (RFC 4648 §4) as other systems write FHIR base64Binary: whitespace
 * between characters is ignored and padding may be left off, but the alphabet, the padding
 * that is there and the unused trailing bits must be right (libsodium refuses non-zero ones).
 * @throws CryptoError("malformed") for text that is not base64; CryptoError("not-ready") before cryptoReady()
 */
export function fromBase64(text: string): Uint8Array {
  if (typeof text !== "string") throw new CryptoError("malformed");
  const compact = text.replace(base64Whitespace, "");
  const padded = compact.endsWith("=");
  if (!base64Pattern.test(compact) || compact.length % 4 === 1 || (padded && compact.length % 4 !== 0)) throw new CryptoError("malformed");
  const sodium = lib();
  try {
    return sodium.from_base64(padded ? compact.replace(/=+$/, "") : compact, sodium.base64_variants.ORIGINAL_NO_PADDING);
  } catch {
    throw new CryptoError("malformed");
  }
}

/**
 * Lower-case hex, two characters per byte.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function toHex(bytes: Uint8Array): string {
  return lib().to_hex(bytes);
}

/**
 * Lower-case hex only, even length.
 * @throws CryptoError("malformed") for anything else (upper case, odd length, other characters); CryptoError("not-ready") before cryptoReady() has resolved
 */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new CryptoError("malformed");
  return lib().from_hex(text);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The UTF-8 bytes of a string. Does not throw: a lone surrogate is encoded as U+FFFD.
 */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Reads strict UTF-8.
 * @throws CryptoError("malformed") for bytes that are not valid UTF-8
 */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new CryptoError("malformed");
  }
}

/**
 * Constant-time equality (libsodium memcmp) for arrays of equal length; different lengths are unequal at once.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved (only reached when the lengths are equal)
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && lib().memcmp(a, b);
}

/**
 * The parts joined into one new array. Does not throw.
 */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
