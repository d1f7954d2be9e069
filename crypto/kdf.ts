import { utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { brandKey, type KeyEncryptionKey } from "./key-types";

/**
 * HKDF-SHA256 (RFC 5869) through WebCrypto, present in browsers and in Node: libsodium's
 * JavaScript build does not expose its HKDF, and a hand-written one is not an option.
 * @param length output bytes, 1 to 8160 (255 × 32)
 * @throws (the promise rejects with) CryptoError("invalid-argument") for a length outside 1 to 8160 or inputs WebCrypto refuses; CryptoError("not-ready") where WebCrypto's subtle is missing
 */
export async function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(length) || length <= 0 || length > 255 * 32) throw new CryptoError("invalid-argument");
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new CryptoError("not-ready");
  try {
    const key = await subtle.importKey("raw", new Uint8Array(ikm), "HKDF", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(salt), info: new Uint8Array(info) }, key, length * 8);
    return new Uint8Array(bits);
  } catch {
    throw new CryptoError("invalid-argument");
  }
}

/**
 * A 32-byte key-encryption key from a passkey's PRF output and that credential's salt.
 * @param salt at least 16 bytes
 * @param purpose a non-empty name, bound into the HKDF info as `hsc/v1/kek/<purpose>`
 * @throws (the promise rejects with) CryptoError("invalid-key") for a PRF output that is not 32 bytes; CryptoError("invalid-argument") for a salt shorter than 16 bytes or an empty purpose; CryptoError("not-ready") where WebCrypto's subtle is missing
 */
export async function deriveKeyEncryptionKey(prfOutput: Uint8Array, salt: Uint8Array, purpose: string): Promise<KeyEncryptionKey> {
  if (!(prfOutput instanceof Uint8Array) || prfOutput.length !== 32) throw new CryptoError("invalid-key");
  if (!(salt instanceof Uint8Array) || salt.length < 16) throw new CryptoError("invalid-argument");
  if (!purpose) throw new CryptoError("invalid-argument");
  return brandKey<KeyEncryptionKey>(await hkdfSha256(prfOutput, salt, utf8(`hsc/v1/kek/${purpose}`), 32));
}
