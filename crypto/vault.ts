import { decodeCanonical, encodeCanonical } from "./canonical";
import {
  EnvelopeKind,
  assertKey,
  envelopeKindOf,
  envelopeOverhead,
  keyBytes,
  nonceBytes,
  decryptEnvelope,
  protocolVersion,
  encryptEnvelope,
  encryptEnvelopeWithNonce,
} from "./envelope";
import { CryptoError } from "./errors";
import { padToBucket, unpadBucket } from "./padding";
import { randomBytes } from "./random";
import { lib } from "./sodium";
import { brandKey, type KeyEncryptionKey, type OwnerWrappingKey, type VaultKey } from "./key-types";

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

/**
 * A fresh vault key: 32 random bytes, one per account.
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateVaultKey(): VaultKey {
  return brandKey<VaultKey>(randomBytes(32));
}

/**
 * The key that wraps the owner's copy of every record key: derived from the vault key
 * (keyed BLAKE2b with its own label) rather than the vault key itself, so each key has one job.
 * @throws CryptoError("invalid-key") for a vault key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function deriveOwnerWrappingKey(vaultKey: VaultKey): OwnerWrappingKey {
  assertKey(vaultKey);
  return brandKey<OwnerWrappingKey>(lib().crypto_generichash(32, encodeCanonical("hsc/v1/owner-record-key", []), vaultKey));
}

const wrapContext = (context: VaultWrapContext) => [context.userId, context.methodId];

/**
 * Wraps the vault key under a key-encryption key (from a PRF output or the recovery key).
 * @returns a 74-byte envelope (kind 1)
 * @throws CryptoError("invalid-key") for a vault key or key-encryption key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function wrapVaultKey(vaultKey: VaultKey, kek: KeyEncryptionKey, context: VaultWrapContext): Uint8Array {
  assertKey(vaultKey);
  return encryptEnvelope(EnvelopeKind.vaultKeyWrap, kek, vaultKey, wrapContext(context));
}

/**
 * Whether bytes have the shape of a vault-key wrap (kind 1): protocol version 1, kind 1, and
 * exactly the length of a wrapped 32-byte key (74 bytes). The server, which cannot open
 * one, checks this before storing one.
 * @throws nothing
 */
export function isVaultKeyWrap(envelope: Uint8Array): boolean {
  return envelope instanceof Uint8Array && envelope.length === envelopeOverhead + keyBytes && envelopeKindOf(envelope) === EnvelopeKind.vaultKeyWrap;
}

/**
 * wrapVaultKey with an explicit 24-byte nonce: for known-answer tests only.
 * @throws as wrapVaultKey, and CryptoError("invalid-argument") for a nonce that is not 24 bytes
 */
export function wrapVaultKeyWithNonce(vaultKey: VaultKey, kek: KeyEncryptionKey, context: VaultWrapContext, nonce: Uint8Array) {
  assertKey(vaultKey);
  return encryptEnvelopeWithNonce(EnvelopeKind.vaultKeyWrap, kek, vaultKey, wrapContext(context), nonce);
}

/**
 * Unwraps a vault key wrapped for exactly this user and unlock method.
 * @throws CryptoError("authentication-failed") when the wrap or its context was altered, or the key-encryption key is wrong; CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind, fewer than 42 bytes, or a wrapped key that is not 32 bytes; CryptoError("invalid-key") for a key-encryption key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function unwrapVaultKey(envelope: Uint8Array, kek: KeyEncryptionKey, context: VaultWrapContext): VaultKey {
  const vaultKey = decryptEnvelope(EnvelopeKind.vaultKeyWrap, kek, envelope, wrapContext(context));
  if (vaultKey.length !== 32) throw new CryptoError("malformed");
  return brandKey<VaultKey>(vaultKey);
}

const bundleLabel = "hsc/v1/private-bundle-body";

/**
 * The vault's smallest bucket, in bytes of padded plaintext: the keys (about 150 bytes),
 * a name and the few pinned clinicians most people have (about 320 bytes each) fit, so
 * neither the name's length nor a handful of contacts shows in the stored size.
 */
export const privateBundleMinimumBucket = 4096;
/** The largest bucket a vault may use (256 KiB): a clinician's remembered names stay well below it. */
export const privateBundleMaximumBucket = 256 * 1024;
/** The largest sealed private bundle, in bytes: the largest bucket in its envelope. */
export const maxPrivateBundleBytes = privateBundleMaximumBucket + envelopeOverhead;

function encodeBundle(bundle: PrivateBundle): Uint8Array {
  assertKey(bundle.identitySecretKey, 64);
  assertKey(bundle.encryptionSecretKey, 32);
  return encodeCanonical(bundleLabel, [bundle.identitySecretKey, bundle.encryptionSecretKey, bundle.extra ?? new Uint8Array(0)]);
}

/**
 * Seals the private keys and the vault's other contents under the vault key; only the
 * vault key's holder can open it. The body is padded to a power-of-two bucket of at least
 * 4 KiB (envelope kind 10), so its size tells the server nothing about the name in it and
 * little about how many clinicians are pinned.
 * @returns `01 0a nonce(24) ct+tag`, 4,138 bytes for most vaults (4096 + 42)
 * @throws CryptoError "invalid-key" for keys of the wrong length
 */
export function encryptPrivateBundle(bundle: PrivateBundle, vaultKey: VaultKey, context: { userId: string }): Uint8Array {
  return encryptPrivateBundleWithNonce(bundle, vaultKey, context, randomBytes(nonceBytes));
}

/**
 * encryptPrivateBundle with an explicit nonce: for known-answer tests only.
 * @throws CryptoError("invalid-key") for an identity secret key that is not 64 bytes or an encryption secret key or vault key that is not 32; CryptoError("invalid-argument") for a nonce that is not 24 bytes or a bundle above 1 GiB (the 256 KiB largest bucket is not checked here); CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encryptPrivateBundleWithNonce(bundle: PrivateBundle, vaultKey: VaultKey, context: { userId: string }, nonce: Uint8Array): Uint8Array {
  const padded = padToBucket(encodeBundle(bundle), privateBundleMinimumBucket);
  return encryptEnvelopeWithNonce(EnvelopeKind.paddedPrivateBundle, vaultKey, padded, [context.userId], nonce);
}

/**
 * Opens a sealed private bundle: the padded kind 10, or kind 2 written before vaults were
 * padded (read only; the next rewrite of the vault replaces it with kind 10). The kind is
 * in the associated data, so relabelling one as the other fails authentication.
 * @throws CryptoError "unsupported-version", "malformed" or "authentication-failed"
 */
export function decryptPrivateBundle(envelope: Uint8Array, vaultKey: VaultKey, context: { userId: string }): PrivateBundle {
  const plain =
    envelope instanceof Uint8Array && envelope[1] === EnvelopeKind.privateBundle
      ? decryptEnvelope(EnvelopeKind.privateBundle, vaultKey, envelope, [context.userId])
      : unpadBucket(decryptEnvelope(EnvelopeKind.paddedPrivateBundle, vaultKey, envelope, [context.userId]), privateBundleMinimumBucket);
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

/**
 * Whether bytes have the shape of a sealed, padded private bundle: protocol version 1,
 * kind 10, and a padded body of a power of two between the smallest and the largest
 * bucket. The server, which cannot open a vault, checks this before storing one.
 * Does not throw: only the length and the first two bytes are read.
 */
export function isPaddedPrivateBundle(envelope: Uint8Array): boolean {
  const body = envelope.length - envelopeOverhead;
  return (
    envelope[0] === protocolVersion &&
    envelope[1] === EnvelopeKind.paddedPrivateBundle &&
    body >= privateBundleMinimumBucket &&
    body <= privateBundleMaximumBucket &&
    (body & (body - 1)) === 0
  );
}
