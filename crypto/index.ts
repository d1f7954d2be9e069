/**
 * Health Safe Cloud protocol v1: the public API of crypto/. Await cryptoReady() once,
 * then everything except HKDF and the SMART Health Links file functions is synchronous. Every
 * failure is a CryptoError, except ShlFormatError and ShlDecryptError (SMART Health Links).
 * Formats and labels: crypto/README.md.
 */
export { cryptoReady } from "./sodium";
export { CryptoError, isCryptoError, type CryptoErrorCode } from "./errors";
export { randomBytes } from "./random";
export { equalBytes, fromBase64, fromBase64url, fromHex, fromUtf8, toBase64, toBase64url, toHex, utf8 } from "./encoding";
export { EnvelopeKind, envelopeKindOf } from "./envelope";
export { generateEncryptionKeyPair, generateIdentityKeyPair, keyFingerprint, type KeyPair } from "./keys";
export { roles, signKeyCertificate, verifyKeyCertificate, type KeyCertificate, type Role } from "./key-certificate";
export { parseShareCode, safetyCode, shareCode, shareCodeMatches, type SafetyCode } from "./safety-code";
export { deriveKeyEncryptionKey } from "./kdf";
export {
  deriveOwnerWrappingKey,
  generateVaultKey,
  isPaddedPrivateBundle,
  isVaultKeyWrap,
  maxPrivateBundleBytes,
  decryptPrivateBundle,
  encryptPrivateBundle,
  unwrapVaultKey,
  wrapVaultKey,
  type PrivateBundle,
  type VaultWrapContext,
} from "./vault";
export { decryptRecordContent, encryptRecordContent, generateRecordKey, isPaddedRecordContentSize, type RecordContext } from "./record-content";
export { openUploadResume, sealUploadResume } from "./upload-resume";
export {
  chunkOverhead,
  createFileDecryptor,
  createFileEncryptor,
  encryptedChunkTag,
  generateFileKey,
  resumeFileEncryptor,
  type FileDecryptor,
  type FileEncryptor,
} from "./file-stream";
export {
  deriveShareKey,
  generateShareKey,
  openRecordKeySealedToOwner,
  openShareKey,
  sealRecordKeyToOwner,
  sealShareKey,
  type SealedRecordKeyContext,
} from "./share-key";
export { ownerGrantId, unwrapRecordKey, wrapRecordKey, wrapRecordKeys, type RecordKeyWrapContext } from "./record-key-wrap";
export { signRecordVersion, verifyRecordVersion, type RecordVersionStatement } from "./record-signature";
export { commitRecordDocument, encodeRecordBody, generateCommitmentKey, verifyRecordBody, type RecordBody } from "./record-body";
export { createFileDigest, type FileDigest } from "./file-digest";
export {
  decodeGrantStatementFacts,
  encodeGrantStatementFacts,
  signGrant,
  verifyGrant,
  wrapsDigest,
  type GrantStatement,
  type GrantStatementFacts,
} from "./grant-statement";
export { signEmergencyGrant, verifyEmergencyGrant, type EmergencyStatement } from "./emergency-statement";
export { signDirectoryVerification, verifyDirectoryVerification, type DirectoryVerificationStatement } from "./directory-verification";
export { signOrganizationAdmin, verifyOrganizationAdmin, type OrganizationAdminStatement } from "./organization-admin-statement";
export {
  auditEventHash,
  auditGenesisHash,
  verifyAuditChain,
  verifyAuditSegment,
  type AuditChainCheck,
  type AuditChainLink,
  type AuditEventFields,
  type AuditSegmentCheck,
} from "./audit-chain";
export { decryptGrantProfile, encryptGrantProfile, isRevealableBirthDate, type GrantProfile } from "./grant-profile";
export { decodeRecoveryKey, deriveRecoveryKeyEncryptionKey, deriveRecoverySigningKeyPair, encodeRecoveryKey, generateRecoveryKey } from "./recovery-key";
export {
  signRecoveryKeyReplacement,
  signRecoverySignIn,
  verifyRecoveryKeyReplacement,
  verifyRecoverySignIn,
  type RecoveryKeyReplacementStatement,
  type RecoverySignIn,
} from "./recovery-proofs";
export { deviceWrapAssociatedData } from "./device-wrap";
export { decodeShlink, encodeShlink, newShlKey, ShlFormatError, type ShlFormatReason, type ShlinkPayload } from "./shl-link";
export { decryptShlFile, encryptShlFile, maxShlPlaintextBytes, ShlDecryptError, type ShlDecryptReason } from "./shl-jwe";
export {
  fileKeyFromBytes,
  vaultKeyFromBytes,
  type FileKey,
  type KeyEncryptionKey,
  type OwnerWrappingKey,
  type RecordKey,
  type RecordWrappingKey,
  type RecoveryKey,
  type ShareKey,
  type VaultKey,
} from "./key-types";
export {
  generateTeamKeyPair,
  openTeamKey,
  sealTeamKey,
  signTeamKeyCertificate,
  verifyTeamKeyCertificate,
  type TeamKeyCertificate,
  type TeamKeyContext,
} from "./team-key";
