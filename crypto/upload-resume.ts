import { EnvelopeKind, assertKey, decryptEnvelope, encryptEnvelope, keyBytes } from "./envelope";
import { encodeCanonical } from "./canonical";
import { CryptoError } from "./errors";
import { fileHeaderBytes } from "./file-stream";
import { brandKey, type FileKey, type Key, type VaultKey } from "./key-types";
import { lib } from "./sodium";

/**
 * What an upload needs to go on after a page reload is its file key and the file's 30-byte
 * header (the secretstream state is rebuilt from them: resumeFileEncryptor). The browser keeps
 * them in IndexedDB only as this envelope (kind 11), under a key derived from the vault key
 * (keyed BLAKE2b, label "hsc/v1/upload-resume-key") and bound to the user and the blob id:
 *
 *   envelope(kind 11, plaintext = file key (32) | file header (30), context = [userId, blobId])
 *
 * so what sits at rest opens only with the unlocked vault, and never for another upload.
 */
type UploadResumeKey = Key<"upload-resume">;

function resumeKey(vaultKey: VaultKey): UploadResumeKey {
  assertKey(vaultKey);
  return brandKey<UploadResumeKey>(lib().crypto_generichash(32, encodeCanonical("hsc/v1/upload-resume-key", []), vaultKey));
}

/**
 * Seals an upload's file key and header for IndexedDB.
 * @returns a 104-byte envelope (kind 11)
 * @throws CryptoError("invalid-key") for a vault or file key that is not 32 bytes; CryptoError("invalid-argument") for a header that is not 30 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function sealUploadResume(fileKey: FileKey, header: Uint8Array, vaultKey: VaultKey, context: { userId: string; blobId: string }): Uint8Array {
  assertKey(fileKey);
  if (header.length !== fileHeaderBytes) throw new CryptoError("invalid-argument");
  const key = resumeKey(vaultKey);
  const plaintext = new Uint8Array(keyBytes + fileHeaderBytes);
  plaintext.set(fileKey);
  plaintext.set(header, keyBytes);
  try {
    return encryptEnvelope(EnvelopeKind.uploadResume, key, plaintext, [context.userId, context.blobId]);
  } finally {
    plaintext.fill(0);
    key.fill(0);
  }
}

/**
 * Opens what sealUploadResume sealed, for the same user and blob.
 * @throws CryptoError("authentication-failed") for another vault key, user or blob, or altered bytes; CryptoError("malformed") for an envelope of another kind or size; what decryptEnvelope throws
 */
export function openUploadResume(
  envelope: Uint8Array,
  vaultKey: VaultKey,
  context: { userId: string; blobId: string },
): { fileKey: FileKey; header: Uint8Array } {
  const key = resumeKey(vaultKey);
  try {
    const plaintext = decryptEnvelope(EnvelopeKind.uploadResume, key, envelope, [context.userId, context.blobId]);
    if (plaintext.length !== keyBytes + fileHeaderBytes) throw new CryptoError("malformed");
    return { fileKey: brandKey<FileKey>(plaintext.slice(0, keyBytes)), header: plaintext.slice(keyBytes) };
  } finally {
    key.fill(0);
  }
}
