import { CompactEncrypt, compactDecrypt, errors } from "jose";
import { CryptoError } from "./errors";
import { fromBase64url, utf8 } from "./encoding";

/** Which check a SMART Health Links file failed. */
export type ShlDecryptReason = "malformed" | "authentication-failed" | "too-large";

const decryptMessages: Record<ShlDecryptReason, string> = {
  malformed: "The shared file is not an encrypted file this viewer can read. It may be damaged.",
  "authentication-failed": "The shared file could not be decrypted with this link's key: it was altered, or the key is wrong.",
  "too-large": "The shared file is larger than this viewer opens.",
};

/**
 * A SMART Health Links file that did not decrypt and verify: the integrity failure of this
 * format (the counterpart of CryptoError "authentication-failed" for the protocol's own
 * envelopes). `reason` says which check; the message is fixed text and never carries the
 * key, the ciphertext or a library's message.
 */
export class ShlDecryptError extends Error {
  override readonly name = "ShlDecryptError";

  constructor(readonly reason: ShlDecryptReason) {
    super(decryptMessages[reason]);
  }
}

/**
 * The most plaintext a file may inflate to (bytes): a bound on a DEFLATE bomb, well above a
 * link's largest Bundle (an 8 MiB JWE of JSON with an inline PDF).
 */
export const maxShlPlaintextBytes = 64 * 1024 * 1024;

/**
 * Encrypts one SMART Health Links file as a compact JWE with the protected header
 * `{alg:"dir", enc:"A256GCM", zip:"DEF", cty}` (STU1 "Encrypting and decrypting files"): the
 * plaintext (a string as UTF-8) is DEFLATE-compressed (raw, RFC 1951) and sealed with AES-256-GCM
 * under the link key and a random 96-bit IV. Works in browsers and Node 20 (WebCrypto,
 * CompressionStream). Await cryptoReady() first.
 * @param key the link key: 43 base64url characters (32 bytes), as in the payload
 * @param contentType the file's media type (`application/fhir+json`, `application/smart-health-card`, …), put in `cty`
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes of base64url; CryptoError("invalid-argument") for an empty content type; CryptoError("not-ready") before cryptoReady()
 */
export async function encryptShlFile(plaintext: string | Uint8Array, key: string, contentType: string): Promise<string> {
  const keyBytes = linkKeyBytes(key);
  if (typeof contentType !== "string" || contentType.length === 0) throw new CryptoError("invalid-argument");
  const bytes = typeof plaintext === "string" ? utf8(plaintext) : plaintext;
  return new CompactEncrypt(bytes).setProtectedHeader({ alg: "dir", enc: "A256GCM", zip: "DEF", cty: contentType }).encrypt(keyBytes);
}

/**
 * Decrypts a compact JWE made under a link key: `alg` must be `dir` and `enc` `A256GCM`;
 * `zip: "DEF"` is inflated (at most `maxShlPlaintextBytes`), no `zip` is read as is (the IG's
 * example file has none). Every part must be canonical unpadded base64url, so no two texts
 * decrypt to the same file. Await cryptoReady() first.
 * @returns the plaintext bytes and the protected header's `cty` (undefined when absent)
 * @throws ShlDecryptError("authentication-failed") when the tag does not verify (altered header, IV,
 * ciphertext or tag, or the wrong key); ShlDecryptError("malformed") for text that is not such a JWE
 * (another algorithm, an encrypted key, bad header JSON, bad base64url, a broken DEFLATE stream);
 * ShlDecryptError("too-large") beyond the inflation limit; CryptoError("invalid-key") for a key that
 * is not 32 bytes of base64url; CryptoError("not-ready") before cryptoReady()
 */
export async function decryptShlFile(jwe: string, key: string): Promise<{ plaintext: Uint8Array; contentType: string | undefined }> {
  const keyBytes = linkKeyBytes(key);
  const parts = typeof jwe === "string" ? jwe.trim().split(".") : [];
  if (parts.length !== 5 || parts[1] !== "" || !parts.every((part, index) => index === 1 || isCanonicalBase64url(part))) {
    throw new ShlDecryptError("malformed");
  }
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(parts.join("."), keyBytes, {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      maxDecompressedLength: maxShlPlaintextBytes,
    });
    const contentType = typeof protectedHeader.cty === "string" ? protectedHeader.cty : undefined;
    return { plaintext, contentType };
  } catch (error) {
    throw asDecryptError(error);
  }
}

function linkKeyBytes(key: string): Uint8Array {
  if (typeof key !== "string" || key.length !== 43) throw new CryptoError("invalid-key");
  try {
    return fromBase64url(key);
  } catch (error) {
    if (error instanceof CryptoError && error.code === "not-ready") throw error;
    throw new CryptoError("invalid-key");
  }
}

const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url whose unused trailing bits are zero (checked on the last character, without decoding megabytes). */
function isCanonicalBase64url(part: string): boolean {
  if (part.length === 0 || part.length % 4 === 1 || !/^[A-Za-z0-9_-]+$/.test(part)) return false;
  const last = base64urlAlphabet.indexOf(part[part.length - 1]!);
  const unusedBits = part.length % 4 === 2 ? 4 : part.length % 4 === 3 ? 2 : 0;
  return (last & ((1 << unusedBits) - 1)) === 0;
}

/** jose's failures as this format's one error; anything else (a bug, a missing platform API) passes through. */
function asDecryptError(error: unknown): unknown {
  if (error instanceof errors.JWEDecryptionFailed) return new ShlDecryptError("authentication-failed");
  if (error instanceof errors.JWEInvalid && /exceeded the configured limit/.test(error.message)) return new ShlDecryptError("too-large");
  if (error instanceof errors.JWEInvalid || error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new ShlDecryptError("malformed");
  }
  return error;
}
