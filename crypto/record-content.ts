import { EnvelopeKind, envelopeOverhead, nonceBytes, decryptEnvelope, encryptEnvelopeWithNonce } from "./envelope";
import { minimumBucket, padToBucket, unpadBucket } from "./padding";
import { randomBytes } from "./random";
import { brandKey, type RecordKey } from "./key-types";

export interface RecordContext {
  recordId: string;
  /** The record version this content belongs to. */
  version: number;
  /** Which generation of the record key encrypted it (it changes on rotation). */
  keyVersion: number;
}

const context = (record: RecordContext) => [record.recordId, record.version, record.keyVersion];

/**
 * A fresh record key (DEK): 32 random bytes.
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateRecordKey(): RecordKey {
  return brandKey<RecordKey>(randomBytes(32));
}

/**
 * Encrypts a record's structured content and metadata (the encoded record body), bound to
 * its id and versions. The plaintext is padded here to a power-of-two bucket of at least
 * 256 bytes, so the stored size says little about the record; no caller can forget it.
 * @returns `01 03 nonce(24) ct+tag`: a power of two of at least 256, plus 42 bytes
 * @throws CryptoError "invalid-key" for a key that is not 32 bytes
 */
export function encryptRecordContent(plaintext: Uint8Array, recordKey: RecordKey, record: RecordContext): Uint8Array {
  return encryptRecordContentWithNonce(plaintext, recordKey, record, randomBytes(nonceBytes));
}

/**
 * encryptRecordContent with an explicit nonce: for known-answer tests only.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") for a nonce that is not 24 bytes, a plaintext above 1 GiB, or version numbers that are not non-negative safe integers; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encryptRecordContentWithNonce(plaintext: Uint8Array, recordKey: RecordKey, record: RecordContext, nonce: Uint8Array): Uint8Array {
  return encryptEnvelopeWithNonce(EnvelopeKind.recordContent, recordKey, padToBucket(plaintext), context(record), nonce);
}

/**
 * Opens record content and removes its padding.
 * @throws CryptoError "unsupported-version", "malformed" (another kind, or padding that is not ISO/IEC 7816-4 to a bucket) or "authentication-failed"
 */
export function decryptRecordContent(envelope: Uint8Array, recordKey: RecordKey, record: RecordContext): Uint8Array {
  return unpadBucket(decryptEnvelope(EnvelopeKind.recordContent, recordKey, envelope, context(record)));
}

/**
 * Whether an envelope's length is that of padded record content: a power-of-two body of at
 * least 256 bytes plus the 42 bytes of the envelope. The server, which cannot open it,
 * refuses anything else, so stored sizes say little about records. Only the length is
 * looked at.
 * @throws nothing
 */
export function isPaddedRecordContentSize(envelope: Uint8Array): boolean {
  const padded = envelope.length - envelopeOverhead;
  return padded >= minimumBucket && (padded & (padded - 1)) === 0;
}
