import { decodeCanonical, encodeCanonical } from "./canonical";
import { EnvelopeKind, assertKey, openEnvelope, sealEnvelope, sealEnvelopeWithNonce } from "./envelope";
import { CryptoError } from "./errors";
import { randomBytes } from "./random";
import { lib } from "./sodium";

export interface VaultWrapContext {
  userId: string;
  /** The unlock method: a passkey's credential id, a device id, or "recovery". */
  methodId: string;
}

export interface PrivateBundle {
  identitySecretKey: Uint8Array;
  encryptionSecretKey: Uint8Array;
  /** Other vault contents (the patient's profile, pinned contacts), opaque here. */
  extra?: Uint8Array;
}

export function generateVaultKey(): Uint8Array {
  return randomBytes(32);
}

/**
 * The key that wraps the owner's copy of every record key: derived from the vault key
 * (keyed BLAKE2b with its own label) rather than the vault key itself, so each key has one job.
 */
export function deriveOwnerRecordKey(vaultKey: Uint8Array): Uint8Array {
  assertKey(vaultKey);
  return lib().crypto_generichash(32, encodeCanonical("hsc/v1/owner-record-key", []), vaultKey);
}

const wrapContext = (context: VaultWrapContext) => [context.userId, context.methodId];

/** Wraps the vault key under a key-encryption key (from a PRF output or the recovery key). */
export function wrapVaultKey(vaultKey: Uint8Array, kek: Uint8Array, context: VaultWrapContext): Uint8Array {
  assertKey(vaultKey);
  return sealEnvelope(EnvelopeKind.vaultKeyWrap, kek, vaultKey, wrapContext(context));
}

export function wrapVaultKeyWithNonce(vaultKey: Uint8Array, kek: Uint8Array, context: VaultWrapContext, nonce: Uint8Array) {
  assertKey(vaultKey);
  return sealEnvelopeWithNonce(EnvelopeKind.vaultKeyWrap, kek, vaultKey, wrapContext(context), nonce);
}

export function unwrapVaultKey(envelope: Uint8Array, kek: Uint8Array, context: VaultWrapContext): Uint8Array {
  const vaultKey = openEnvelope(EnvelopeKind.vaultKeyWrap, kek, envelope, wrapContext(context));
  if (vaultKey.length !== 32) throw new CryptoError("malformed");
  return vaultKey;
}

const bundleLabel = "hsc/v1/private-bundle-body";

function encodeBundle(bundle: PrivateBundle): Uint8Array {
  assertKey(bundle.identitySecretKey, 64);
  assertKey(bundle.encryptionSecretKey, 32);
  return encodeCanonical(bundleLabel, [bundle.identitySecretKey, bundle.encryptionSecretKey, bundle.extra ?? new Uint8Array(0)]);
}

/** Seals the private keys under the vault key; only the vault key's holder can open it. */
export function sealPrivateBundle(bundle: PrivateBundle, vaultKey: Uint8Array, context: { userId: string }): Uint8Array {
  return sealEnvelope(EnvelopeKind.privateBundle, vaultKey, encodeBundle(bundle), [context.userId]);
}

export function sealPrivateBundleWithNonce(
  bundle: PrivateBundle,
  vaultKey: Uint8Array,
  context: { userId: string },
  nonce: Uint8Array,
): Uint8Array {
  return sealEnvelopeWithNonce(EnvelopeKind.privateBundle, vaultKey, encodeBundle(bundle), [context.userId], nonce);
}

export function openPrivateBundle(envelope: Uint8Array, vaultKey: Uint8Array, context: { userId: string }): PrivateBundle {
  const plain = openEnvelope(EnvelopeKind.privateBundle, vaultKey, envelope, [context.userId]);
  const { label, fields } = decodeCanonical(plain);
  const [identitySecretKey, encryptionSecretKey, extra] = fields;
  if (
    label !== bundleLabel ||
    fields.length !== 3 ||
    !(identitySecretKey instanceof Uint8Array) ||
    identitySecretKey.length !== 64 ||
    !(encryptionSecretKey instanceof Uint8Array) ||
    encryptionSecretKey.length !== 32 ||
    !(extra instanceof Uint8Array)
  ) {
    throw new CryptoError("malformed");
  }
  return { identitySecretKey, encryptionSecretKey, extra };
}
