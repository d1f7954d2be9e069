import { CryptoError } from "./errors";
import { lib } from "./sodium";

const base64urlPattern = /^[A-Za-z0-9_-]*$/;
const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url by the platform's own codec: what `platformBase64` finds. */
interface Base64urlCodec {
  encode(bytes: Uint8Array): string;
  /** Text already checked (alphabet, length, zero trailing bits): decodes it into a new Uint8Array. */
  decode(text: string): Uint8Array;
}

type NativeUint8Array = typeof Uint8Array & {
  fromBase64?: (text: string, options: { alphabet: "base64url"; lastChunkHandling: "loose" }) => Uint8Array;
};
type NodeBuffer = {
  from(bytes: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64url"): string };
  from(text: string, encoding: "base64url"): Uint8Array;
};

let codec: Base64urlCodec | null | undefined;

/**
 * The platform's base64url codec, when it has one: the ES2026 Uint8Array methods (current
 * browsers) or Node's Buffer (the server, tests, benchmarks). libsodium's JavaScript wrapper
 * copies every string and array into its heap byte by byte, which cost several microseconds
 * per value: four to six values per record a key rotation moves, on each side. Null elsewhere
 * (libsodium's codec is used then). Checks stay here: only canonical text reaches a codec.
 */
function platformBase64(): Base64urlCodec | null {
  if (codec !== undefined) return codec;
  const native = Uint8Array as NativeUint8Array;
  const toBase64 = (Uint8Array.prototype as { toBase64?: (options: { alphabet: "base64url"; omitPadding: true }) => string }).toBase64;
  const fromBase64 = native.fromBase64;
  const nodeBuffer = (globalThis as { process?: { versions?: { node?: string } }; Buffer?: NodeBuffer }).process?.versions?.node
    ? (globalThis as { Buffer?: NodeBuffer }).Buffer
    : undefined;
  if (typeof toBase64 === "function" && typeof fromBase64 === "function") {
    codec = {
      encode: (bytes) => toBase64.call(bytes, { alphabet: "base64url", omitPadding: true }),
      decode: (text) => fromBase64(text, { alphabet: "base64url", lastChunkHandling: "loose" }),
    };
  } else if (nodeBuffer) {
    codec = {
      encode: (bytes) => nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url"),
      // A copy, not a view of Node's shared pool: callers zero and keep what they get.
      decode: (text) => new Uint8Array(nodeBuffer.from(text, "base64url")),
    };
  } else codec = null;
  return codec;
}

/**
 * Unpadded base64url (RFC 4648 §5): how every binary value travels in the API.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved, where the platform has no codec of its own
 */
export function toBase64url(bytes: Uint8Array): string {
  const native = platformBase64();
  if (native) return native.encode(bytes);
  const sodium = lib();
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/**
 * Reads unpadded base64url. Strict: only the one canonical encoding of some bytes is accepted.
 * @throws CryptoError("malformed") for anything else; CryptoError("not-ready") before cryptoReady(), where the platform has no codec of its own
 */
export function fromBase64url(text: string): Uint8Array {
  if (typeof text !== "string" || !base64urlPattern.test(text) || text.length % 4 === 1) {
    throw new CryptoError("malformed");
  }
  const native = platformBase64();
  if (native) {
    // Trailing bits that are not zero would decode to the same bytes as the canonical text: refused, as libsodium does.
    if (text.length % 4 !== 0 && (base64urlAlphabet.indexOf(text[text.length - 1]!) & (text.length % 4 === 2 ? 0x0f : 0x03)) !== 0) {
      throw new CryptoError("malformed");
    }
    try {
      return native.decode(text);
    } catch {
      throw new CryptoError("malformed");
    }
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
