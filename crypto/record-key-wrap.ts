import { EnvelopeKind, associatedData, assertKey, nonceBytes, decryptEnvelope, encryptEnvelope, encryptEnvelopeWithNonce } from "./envelope";
import { CryptoError } from "./errors";
import { randomChunks } from "./random";
import { brandKey, type RecordKey, type RecordWrappingKey } from "./key-types";

/**
 * The grant id bound into the owner's own wrap of a record key (under deriveOwnerWrappingKey),
 * where a share's wrap names its grant: it keeps an owner wrap from being passed off as a
 * grant's, and the other way round. Part of the stored format: it never changes.
 */
export const ownerGrantId = "owner";

export interface RecordKeyWrapContext {
  recordId: string;
  keyVersion: number;
  /** The grant whose share key wraps it, or ownerGrantId for the owner's own copy. */
  grantId: string;
}

const context = (wrap: RecordKeyWrapContext) => [wrap.recordId, wrap.keyVersion, wrap.grantId];

/**
 * Wraps a record key (DEK) under a share key or the owner's key, bound to record, key version and grant.
 * @returns a 74-byte envelope (kind 4)
 * @throws CryptoError("invalid-key") for a record key or wrapping key that is not 32 bytes; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function wrapRecordKey(recordKey: RecordKey, wrappingKey: RecordWrappingKey, wrap: RecordKeyWrapContext): Uint8Array {
  assertKey(recordKey);
  return encryptEnvelope(EnvelopeKind.recordKeyWrap, wrappingKey, recordKey, context(wrap));
}

/**
 * wrapRecordKey with an explicit 24-byte nonce: for known-answer tests only.
 * @throws as wrapRecordKey, and CryptoError("invalid-argument") for a nonce that is not 24 bytes
 */
export function wrapRecordKeyWithNonce(recordKey: RecordKey, wrappingKey: RecordWrappingKey, wrap: RecordKeyWrapContext, nonce: Uint8Array): Uint8Array {
  assertKey(recordKey);
  return encryptEnvelopeWithNonce(EnvelopeKind.recordKeyWrap, wrappingKey, recordKey, context(wrap), nonce);
}

/**
 * Wraps many record keys for one grant with a single draw of randomness for all nonces.
 * @returns one 74-byte envelope (kind 4) per item, in order
 * @throws CryptoError("invalid-key") for a wrapping key or any record key that is not 32 bytes; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function wrapRecordKeys(
  items: ReadonlyArray<{ recordKey: RecordKey; recordId: string; keyVersion: number }>,
  wrappingKey: RecordWrappingKey,
  { grantId }: { grantId: string },
): Uint8Array[] {
  assertKey(wrappingKey);
  const nonces = randomChunks(items.length, nonceBytes);
  return items.map((item, index) => {
    assertKey(item.recordKey);
    const ctx = context({ recordId: item.recordId, keyVersion: item.keyVersion, grantId });
    return encryptEnvelopeWithNonce(
      EnvelopeKind.recordKeyWrap,
      wrappingKey,
      item.recordKey,
      ctx,
      nonces[index]!,
      associatedData(EnvelopeKind.recordKeyWrap, ctx),
    );
  });
}

/**
 * Unwraps a record key made by wrapRecordKey for exactly this record, key version and grant.
 * @throws CryptoError("authentication-failed") when the wrap or its context was altered, or the wrapping key is wrong; CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind, fewer than 42 bytes, or a wrapped key that is not 32 bytes; CryptoError("invalid-key") for a wrapping key that is not 32 bytes; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function unwrapRecordKey(envelope: Uint8Array, wrappingKey: RecordWrappingKey, wrap: RecordKeyWrapContext): RecordKey {
  const recordKey = decryptEnvelope(EnvelopeKind.recordKeyWrap, wrappingKey, envelope, context(wrap));
  if (recordKey.length !== 32) throw new CryptoError("malformed");
  return brandKey<RecordKey>(recordKey);
}
