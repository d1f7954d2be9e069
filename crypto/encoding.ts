import { CryptoError } from "./errors";
import { lib } from "./sodium";

const base64urlPattern = /^[A-Za-z0-9_-]*$/;

/** Unpadded base64url (RFC 4648 §5). */
export function toBase64url(bytes: Uint8Array): string {
  const sodium = lib();
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/** Strict: only the one canonical encoding of some bytes is accepted. */
export function fromBase64url(text: string): Uint8Array {
  if (typeof text !== "string" || !base64urlPattern.test(text) || text.length % 4 === 1) {
    throw new CryptoError("malformed");
  }
  const sodium = lib();
  let bytes: Uint8Array;
  try {
    bytes = sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    throw new CryptoError("malformed");
  }
  // Trailing bits that are not zero decode to the same bytes: refuse them.
  if (toBase64url(bytes) !== text) throw new CryptoError("malformed");
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return lib().to_hex(bytes);
}

/** Lower-case hex only, even length. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new CryptoError("malformed");
  return lib().from_hex(text);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new CryptoError("malformed");
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && lib().memcmp(a, b);
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
