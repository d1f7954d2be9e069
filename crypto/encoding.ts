import { CryptoError } from "./errors";
import { lib } from "./sodium";

// base64url is how every id-bound byte string (ciphertext, wraps, signatures) travels, several per
// record each way: a table-driven codec here, not libsodium's, whose wrapper copies each string
// into and out of its heap (about 20 µs for a record's content; it was a fifth of a key rotation's
// browser time). Not a cryptographic primitive: encoding.test.ts checks it against libsodium's codec.
const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const base64urlCodes = new Uint8Array(256).fill(0xff);
for (let index = 0; index < 64; index++) base64urlCodes[base64urlAlphabet.charCodeAt(index)] = index;
const alphabetBytes = new TextEncoder().encode(base64urlAlphabet);
// Its output is ASCII, which windows-1252 (what "latin1" means to TextDecoder) reads as itself.
const asciiDecoder = new TextDecoder("latin1");
const asciiEncoder = new TextEncoder();

/**
 * Unpadded base64url (RFC 4648 §5): how every binary value travels in the API.
 * @throws nothing (it needs no cryptoReady())
 */
export function toBase64url(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil((length * 4) / 3));
  let at = 0;
  let index = 0;
  for (; index + 2 < length; index += 3) {
    const word = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!;
    out[at++] = alphabetBytes[word >>> 18]!;
    out[at++] = alphabetBytes[(word >>> 12) & 63]!;
    out[at++] = alphabetBytes[(word >>> 6) & 63]!;
    out[at++] = alphabetBytes[word & 63]!;
  }
  if (index < length) {
    const word = (bytes[index]! << 16) | (index + 1 < length ? bytes[index + 1]! << 8 : 0);
    out[at++] = alphabetBytes[word >>> 18]!;
    out[at++] = alphabetBytes[(word >>> 12) & 63]!;
    if (index + 1 < length) out[at++] = alphabetBytes[(word >>> 6) & 63]!;
  }
  return asciiDecoder.decode(out);
}

/**
 * Reads unpadded base64url. Strict: only the one canonical encoding of some bytes is accepted
 * (no padding, whitespace or standard-alphabet characters, and trailing bits all zero).
 * @throws CryptoError("malformed") for anything else
 */
export function fromBase64url(text: string): Uint8Array {
  if (typeof text !== "string" || text.length % 4 === 1) throw new CryptoError("malformed");
  // A character outside ASCII becomes several bytes, none of them in the alphabet: refused below.
  const chars = asciiEncoder.encode(text);
  const length = chars.length;
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let at = 0;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    const a = base64urlCodes[chars[index]!]!;
    const b = base64urlCodes[chars[index + 1]!]!;
    const c = base64urlCodes[chars[index + 2]!]!;
    const d = base64urlCodes[chars[index + 3]!]!;
    if ((a | b | c | d) === 0xff) throw new CryptoError("malformed");
    const word = (a << 18) | (b << 12) | (c << 6) | d;
    out[at++] = word >>> 16;
    out[at++] = (word >>> 8) & 0xff;
    out[at++] = word & 0xff;
  }
  const rest = length - index;
  if (rest === 1) throw new CryptoError("malformed");
  if (rest > 1) {
    const a = base64urlCodes[chars[index]!]!;
    const b = base64urlCodes[chars[index + 1]!]!;
    const c = rest === 3 ? base64urlCodes[chars[index + 2]!]! : 0;
    if ((a | b | c) === 0xff) throw new CryptoError("malformed");
    const word = (a << 18) | (b << 12) | (c << 6);
    // Trailing bits that are not zero would decode to the same bytes as the canonical text: refused.
    if ((rest === 2 ? word & 0xffff : word & 0xff) !== 0) throw new CryptoError("malformed");
    out[at++] = word >>> 16;
    if (rest === 3) out[at++] = (word >>> 8) & 0xff;
  }
  if (at !== out.length) throw new CryptoError("malformed");
  return out;
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
