import { EnvelopeKind, openEnvelope, sealEnvelope, sealEnvelopeWithNonce } from "./envelope";
import { randomBytes } from "./random";

export interface RecordContext {
  recordId: string;
  /** The record version this content belongs to. */
  version: number;
  /** Which generation of the record key encrypted it (it changes on rotation). */
  keyVersion: number;
}

const context = (record: RecordContext) => [record.recordId, record.version, record.keyVersion];

/** A fresh record key (DEK): 32 random bytes. */
export function generateRecordKey(): Uint8Array {
  return randomBytes(32);
}

/** Encrypts a record's structured content and metadata, bound to its id and versions. */
export function encryptRecordContent(plaintext: Uint8Array, recordKey: Uint8Array, record: RecordContext): Uint8Array {
  return sealEnvelope(EnvelopeKind.recordContent, recordKey, plaintext, context(record));
}

export function encryptRecordContentWithNonce(
  plaintext: Uint8Array,
  recordKey: Uint8Array,
  record: RecordContext,
  nonce: Uint8Array,
): Uint8Array {
  return sealEnvelopeWithNonce(EnvelopeKind.recordContent, recordKey, plaintext, context(record), nonce);
}

export function decryptRecordContent(envelope: Uint8Array, recordKey: Uint8Array, record: RecordContext): Uint8Array {
  return openEnvelope(EnvelopeKind.recordContent, recordKey, envelope, context(record));
}
