/**
 * Health Safe Cloud protocol v1: the public API of crypto/. Await cryptoReady() once,
 * then everything except HKDF is synchronous. Every failure is a CryptoError.
 * Formats and labels: crypto/README.md.
 */
export { cryptoReady } from "./sodium";
export { CryptoError, isCryptoError, type CryptoErrorCode } from "./errors";
export { randomBytes } from "./random";
export { concatBytes, equalBytes, fromBase64, fromBase64url, fromHex, fromUtf8, toBase64, toBase64url, toHex, utf8 } from "./encoding";
export { decodeCanonical, encodeCanonical, type CanonicalField } from "./canonical";
export { protocolVersion, EnvelopeKind } from "./envelope";
export {
  encryptionKeyPairFromSeed,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  identityKeyPairFromSeed,
  keyFingerprint,
  shortFingerprint,
  type KeyPair,
} from "./keys";
export { roles, signKeyCertificate, verifyKeyCertificate, type KeyCertificate, type Role } from "./key-certificate";
export { parseSafetyCodePayload, parseShareCode, safetyCode, safetyCodeMatches, shareCode, shareCodeMatches, type SafetyCode } from "./safety-code";
export { deriveKeyEncryptionKey } from "./kdf";
export {
  deriveOwnerRecordKey,
  generateVaultKey,
  isPaddedPrivateBundle,
  maxPrivateBundleBytes,
  openPrivateBundle,
  sealPrivateBundle,
  unwrapVaultKey,
  wrapVaultKey,
  type PrivateBundle,
  type VaultWrapContext,
} from "./vault";
export { decryptRecordContent, encryptRecordContent, generateRecordKey, type RecordContext } from "./record-content";
export {
  chunkOverhead,
  createFileDecryptor,
  createFileEncryptor,
  defaultChunkSize,
  readFileHeader,
  type FileDecryptor,
  type FileEncryptor,
} from "./file-stream";
export { decryptFileStream, encryptFileStream } from "./file-web-streams";
export {
  deriveShareKey,
  generateShareKey,
  openRecordKeySealedToOwner,
  openShareKey,
  sealRecordKeyToOwner,
  sealShareKey,
  type SealedRecordKeyContext,
} from "./share-key";
export { unwrapRecordKey, wrapRecordKey, wrapRecordKeys, type RecordKeyWrapContext } from "./record-key-wrap";
export { hashBytes, signCanonical, verifyCanonical } from "./signature";
export { signRecordVersion, verifyRecordVersion, type RecordVersionStatement } from "./record-signature";
export { commitRecordDocument, decodeRecordBody, encodeRecordBody, generateCommitmentKey, openRecordBody, type RecordBody } from "./record-body";
export { createFileDigest, type FileDigest } from "./file-digest";
export { bucketSize, padToBucket, padToSize, unpadBucket } from "./padding";
export { signGrant, verifyGrant, wrapsDigest, type GrantStatement } from "./grant-statement";
export { auditEventHash, auditGenesisHash, verifyAuditChain, verifyAuditSegment, type AuditChainCheck, type AuditChainLink, type AuditEventFields, type AuditSegmentCheck } from "./audit-chain";
export { openGrantProfile, sealGrantProfile, type GrantProfile } from "./grant-profile";
export {
  decodeRecoveryKey,
  deriveRecoveryKeyEncryptionKey,
  deriveRecoverySigningKeyPair,
  encodeRecoveryKey,
  generateRecoveryKey,
} from "./recovery-key";
