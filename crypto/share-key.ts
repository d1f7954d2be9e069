import { decodeCanonical, encodeCanonical, type CanonicalField } from "./canonical";
import { EnvelopeKind, assertKey, checkHeader, protocolVersion } from "./envelope";
import { equalBytes } from "./encoding";
import { CryptoError } from "./errors";
import type { KeyPair } from "./keys";
import { randomBytes } from "./random";
import { guarded, lib } from "./sodium";
import { brandKey, type RecordKey, type ShareKey, type VaultKey } from "./key-types";

/**
 * A 32-byte key sealed to someone's certified X25519 key:
 *
 *   version | kind | crypto_box_seal(encodeCanonical(label, [version, kind, ...context, key]))
 *
 * Sealed boxes take no associated data, so the context travels inside and must match on
 * opening. Three uses: a grant's share key sealed to the clinician (context: grant id), a
 * record key that a clinician sealed to the patient who owns the chart they wrote in
 * (context: record id and key version), and a care team's private key sealed to a member
 * (context: team id and key version; crypto/team-key.ts).
 */
const sealOverhead = 48;

export type SealedKind = typeof EnvelopeKind.sealedShareKey | typeof EnvelopeKind.sealedRecordKey | typeof EnvelopeKind.sealedTeamKey;
const labels: Record<SealedKind, string> = {
  [EnvelopeKind.sealedShareKey]: "hsc/v1/share-key",
  [EnvelopeKind.sealedRecordKey]: "hsc/v1/sealed-record-key",
  [EnvelopeKind.sealedTeamKey]: "hsc/v1/team-key",
};

/**
 * Seals a 32-byte key of `kind` to a certified X25519 key, with its context inside (see the layout above); crypto/ only.
 * @throws CryptoError("invalid-key") for a key or public key that is not 32 bytes, or a public key libsodium refuses; CryptoError("invalid-argument") for a context field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function sealKey(kind: SealedKind, key: Uint8Array, recipientPublicKey: Uint8Array, context: CanonicalField[]): Uint8Array {
  assertKey(key);
  assertKey(recipientPublicKey);
  const plain = encodeCanonical(labels[kind], [protocolVersion, kind, ...context, key]);
  const sealed = guarded("invalid-key", () => lib().crypto_box_seal(plain, recipientPublicKey));
  const out = new Uint8Array(2 + sealed.length);
  out[0] = protocolVersion;
  out[1] = kind;
  out.set(sealed, 2);
  return out;
}

/**
 * Opens a key sealed by `sealKey` for exactly this kind and context; crypto/ only.
 * @throws CryptoError("authentication-failed") when the box was not sealed to this key pair, was altered, or names another context; CryptoError("unsupported-version"), CryptoError("malformed"), CryptoError("invalid-key") as openShareKey; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function openKey(kind: SealedKind, envelope: Uint8Array, recipient: KeyPair, context: CanonicalField[]): Uint8Array {
  checkHeader(envelope, kind, 2 + sealOverhead);
  assertKey(recipient.publicKey);
  assertKey(recipient.secretKey);
  const plain = guarded("authentication-failed", () => lib().crypto_box_seal_open(envelope.subarray(2), recipient.publicKey, recipient.secretKey));
  const { label, fields } = guarded("authentication-failed", () => decodeCanonical(plain));
  const key = fields[fields.length - 1];
  if (
    label !== labels[kind] ||
    fields.length !== context.length + 3 ||
    fields[0] !== protocolVersion ||
    fields[1] !== kind ||
    !(key instanceof Uint8Array) ||
    key.length !== 32
  ) {
    throw new CryptoError("malformed");
  }
  // Comparing canonical encodings compares type and value of every context field at once.
  const expected = encodeCanonical(labels[kind], context);
  const found = encodeCanonical(labels[kind], fields.slice(2, -1));
  if (!equalBytes(expected, found)) {
    throw new CryptoError("authentication-failed");
  }
  return key;
}

/**
 * A fresh share key: 32 random bytes, one per grant.
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateShareKey(): ShareKey {
  return brandKey<ShareKey>(randomBytes(32));
}

/**
 * Seals a grant's share key to the clinician's certified X25519 key, bound to the grant id.
 * @returns `version | kind 5 | sealed box`
 * @throws CryptoError("invalid-key") for a share key or public key that is not 32 bytes, or a public key libsodium refuses; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function sealShareKey(shareKey: ShareKey, recipientEncryptionPublicKey: Uint8Array, { grantId }: { grantId: string }): Uint8Array {
  return sealKey(EnvelopeKind.sealedShareKey, shareKey, recipientEncryptionPublicKey, [grantId]);
}

/**
 * Opens a share key sealed to `recipient` for exactly this grant.
 * @throws CryptoError("authentication-failed") when the box was not sealed to this key pair, was altered, or names another grant; CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind, fewer than 50 bytes, or contents that are not a sealed key of this kind; CryptoError("invalid-key") for a key pair whose halves are not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function openShareKey(envelope: Uint8Array, recipient: KeyPair, { grantId }: { grantId: string }): ShareKey {
  return brandKey<ShareKey>(openKey(EnvelopeKind.sealedShareKey, envelope, recipient, [grantId]));
}

export interface SealedRecordKeyContext {
  recordId: string;
  keyVersion: number;
}

/**
 * A record key sealed to the chart owner's encryption key, for records someone else wrote in their chart.
 * @returns `version | kind 8 | sealed box`
 * @throws CryptoError("invalid-key") for a record key or public key that is not 32 bytes, or a public key libsodium refuses; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function sealRecordKeyToOwner(recordKey: RecordKey, ownerEncryptionPublicKey: Uint8Array, context: SealedRecordKeyContext): Uint8Array {
  return sealKey(EnvelopeKind.sealedRecordKey, recordKey, ownerEncryptionPublicKey, [context.recordId, context.keyVersion]);
}

/**
 * Opens a record key sealed to the chart owner for exactly this record and key version.
 * @throws CryptoError("authentication-failed") when the box was not sealed to this key pair, was altered, or names another record or key version; CryptoError("unsupported-version"), CryptoError("malformed"), CryptoError("invalid-key") as openShareKey; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function openRecordKeySealedToOwner(envelope: Uint8Array, owner: KeyPair, context: SealedRecordKeyContext): RecordKey {
  return brandKey<RecordKey>(openKey(EnvelopeKind.sealedRecordKey, envelope, owner, [context.recordId, context.keyVersion]));
}

/**
 * The share key of one of the patient's grants, derived from the vault key, so that the
 * patient can wrap later records for an "all records" grant and rotate keys after a revoke
 * without storing the share key anywhere.
 * @throws CryptoError("invalid-key") for a vault key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function deriveShareKey(vaultKey: VaultKey, { grantId }: { grantId: string }): ShareKey {
  assertKey(vaultKey);
  return brandKey<ShareKey>(lib().crypto_generichash(32, encodeCanonical("hsc/v1/grant-share-key", [grantId]), vaultKey));
}
