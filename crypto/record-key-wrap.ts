import {
  EnvelopeKind,
  associatedData,
  assertKey,
  nonceBytes,
  openEnvelope,
  sealEnvelope,
  sealEnvelopeWithNonce,
} from "./envelope";
import { CryptoError } from "./errors";
import { randomChunks } from "./random";

export interface RecordKeyWrapContext {
  recordId: string;
  keyVersion: number;
  /** The grant whose share key wraps it, or "owner" for the owner's own copy. */
  grantId: string;
}

const context = (wrap: RecordKeyWrapContext) => [wrap.recordId, wrap.keyVersion, wrap.grantId];

/** Wraps a record key (DEK) under a share key or the owner's key, bound to record, key version and grant. */
export function wrapRecordKey(recordKey: Uint8Array, wrappingKey: Uint8Array, wrap: RecordKeyWrapContext): Uint8Array {
  assertKey(recordKey);
  return sealEnvelope(EnvelopeKind.recordKeyWrap, wrappingKey, recordKey, context(wrap));
}

export function wrapRecordKeyWithNonce(
  recordKey: Uint8Array,
  wrappingKey: Uint8Array,
  wrap: RecordKeyWrapContext,
  nonce: Uint8Array,
): Uint8Array {
  assertKey(recordKey);
  return sealEnvelopeWithNonce(EnvelopeKind.recordKeyWrap, wrappingKey, recordKey, context(wrap), nonce);
}

/** Wraps many record keys for one grant with a single draw of randomness for all nonces. */
export function wrapRecordKeys(
  items: ReadonlyArray<{ recordKey: Uint8Array; recordId: string; keyVersion: number }>,
  wrappingKey: Uint8Array,
  { grantId }: { grantId: string },
): Uint8Array[] {
  assertKey(wrappingKey);
  const nonces = randomChunks(items.length, nonceBytes);
  return items.map((item, index) => {
    assertKey(item.recordKey);
    const ctx = context({ recordId: item.recordId, keyVersion: item.keyVersion, grantId });
    return sealEnvelopeWithNonce(
      EnvelopeKind.recordKeyWrap,
      wrappingKey,
      item.recordKey,
      ctx,
      nonces[index]!,
      associatedData(EnvelopeKind.recordKeyWrap, ctx),
    );
  });
}

export function unwrapRecordKey(envelope: Uint8Array, wrappingKey: Uint8Array, wrap: RecordKeyWrapContext): Uint8Array {
  const recordKey = openEnvelope(EnvelopeKind.recordKeyWrap, wrappingKey, envelope, context(wrap));
  if (recordKey.length !== 32) throw new CryptoError("malformed");
  return recordKey;
}
