import { encodeCanonical, type CanonicalField } from "./canonical";
import { CryptoError } from "./errors";
import { randomBytes } from "./random";
import { guarded, lib } from "./sodium";

/**
 * AEAD envelopes (XChaCha20-Poly1305 IETF):
 *
 *   version (1 byte) | kind (1 byte) | nonce (24 bytes) | ciphertext + tag (16 bytes)
 *
 * The associated data is encodeCanonical(label of the kind, [version, kind, ...context]),
 * so an envelope opens only as the kind, and in the context, it was made for.
 */
export const protocolVersion = 1;

export const EnvelopeKind = {
  vaultKeyWrap: 1,
  privateBundle: 2,
  recordContent: 3,
  recordKeyWrap: 4,
  sealedShareKey: 5,
  fileHeader: 6,
  keyCertificate: 7,
  sealedRecordKey: 8,
  grantProfile: 9,
  /** The private bundle, padded to a bucket; kind 2 (unpadded) is only read, never written. */
  paddedPrivateBundle: 10,
  /** An unfinished upload's file key and header, kept in the browser's IndexedDB to resume it after a reload. */
  uploadResume: 11,
  /** A care team's X25519 private key sealed to one member's (or organization administrator's) certified key. */
  sealedTeamKey: 12,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

export const envelopeLabels: Record<EnvelopeKind, string> = {
  1: "hsc/v1/vault-key-wrap",
  2: "hsc/v1/private-bundle",
  3: "hsc/v1/record-content",
  4: "hsc/v1/record-key-wrap",
  5: "hsc/v1/sealed-share-key",
  6: "hsc/v1/file-chunk",
  7: "hsc/v1/key-certificate",
  8: "hsc/v1/sealed-record-key",
  9: "hsc/v1/grant-profile",
  10: "hsc/v1/padded-private-bundle",
  11: "hsc/v1/upload-resume",
  12: "hsc/v1/sealed-team-key",
};

export const nonceBytes = 24;
export const tagBytes = 16;
export const keyBytes = 32;
const headerBytes = 2;
/** Bytes an AEAD envelope adds to its plaintext: version, kind, nonce and tag. */
export const envelopeOverhead = headerBytes + nonceBytes + tagBytes;

/**
 * The associated data of an envelope of `kind`: encodeCanonical(label of the kind, [version, kind, ...context]).
 * @throws CryptoError("invalid-argument") for a context field the canonical encoding cannot hold
 */
export function associatedData(kind: EnvelopeKind, context: readonly CanonicalField[]): Uint8Array {
  return encodeCanonical(envelopeLabels[kind], [protocolVersion, kind, ...context]);
}

/**
 * Checks that `key` is a Uint8Array of `length` bytes (32 unless said otherwise).
 * @throws CryptoError("invalid-key") otherwise
 */
export function assertKey(key: Uint8Array, length = keyBytes): void {
  if (!(key instanceof Uint8Array) || key.length !== length) throw new CryptoError("invalid-key");
}

const kinds = new Set<number>(Object.values(EnvelopeKind));

/**
 * The kind byte of bytes that start like an envelope of this protocol version, read
 * without opening anything: for code that must tell formats apart before it has a key
 * (the owner's copy of a record key is wrapped or sealed), or that checks a shape it
 * cannot open (the server). Says nothing about whether the rest is valid.
 * @returns the kind, or undefined for fewer than two bytes, another protocol version or an unknown kind
 * @throws nothing
 */
export function envelopeKindOf(envelope: Uint8Array): EnvelopeKind | undefined {
  if (!(envelope instanceof Uint8Array) || envelope.length < headerBytes || envelope[0] !== protocolVersion) return undefined;
  const kind = envelope[1]!;
  return kinds.has(kind) ? (kind as EnvelopeKind) : undefined;
}

/**
 * Checks version and kind bytes; the rest is left to the caller.
 * @throws CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for fewer than two bytes, another kind, or fewer than `minLength` bytes
 */
export function checkHeader(envelope: Uint8Array, kind: EnvelopeKind, minLength: number): void {
  if (!(envelope instanceof Uint8Array) || envelope.length < headerBytes) throw new CryptoError("malformed");
  if (envelope[0] !== protocolVersion) throw new CryptoError("unsupported-version");
  if (envelope[1] !== kind) throw new CryptoError("malformed");
  if (envelope.length < minLength) throw new CryptoError("malformed");
}

/**
 * Encrypts with an explicit nonce: for known-answer tests and batch wrapping only.
 * @returns `version | kind | nonce (24 bytes) | ciphertext + tag (16 bytes)`: the plaintext plus 42 bytes
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") for a nonce that is not 24 bytes or a context field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encryptEnvelopeWithNonce(
  kind: EnvelopeKind,
  key: Uint8Array,
  plaintext: Uint8Array,
  context: readonly CanonicalField[],
  nonce: Uint8Array,
  ad: Uint8Array = associatedData(kind, context),
): Uint8Array {
  assertKey(key);
  if (nonce.length !== nonceBytes) throw new CryptoError("invalid-argument");
  const ciphertext = guarded("invalid-argument", () => lib().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key));
  const out = new Uint8Array(headerBytes + nonceBytes + ciphertext.length);
  out[0] = protocolVersion;
  out[1] = kind;
  out.set(nonce, headerBytes);
  out.set(ciphertext, headerBytes + nonceBytes);
  return out;
}

/**
 * Encrypts `plaintext` as an envelope of `kind` bound to `context`, under a fresh random 24-byte nonce.
 * @returns `version | kind | nonce (24 bytes) | ciphertext + tag (16 bytes)`: the plaintext plus 42 bytes
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") for a context field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encryptEnvelope(kind: EnvelopeKind, key: Uint8Array, plaintext: Uint8Array, context: readonly CanonicalField[]): Uint8Array {
  return encryptEnvelopeWithNonce(kind, key, plaintext, context, randomBytes(nonceBytes));
}

/**
 * Opens an envelope of `kind` made for `context`.
 * @throws CryptoError("authentication-failed") when the ciphertext, its header or its context was altered, or the key is wrong; CryptoError("unsupported-version") for another protocol version; CryptoError("malformed") for another kind or fewer than 42 bytes; CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") for a context field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function decryptEnvelope(
  kind: EnvelopeKind,
  key: Uint8Array,
  envelope: Uint8Array,
  context: readonly CanonicalField[],
  ad: Uint8Array = associatedData(kind, context),
): Uint8Array {
  assertKey(key);
  checkHeader(envelope, kind, headerBytes + nonceBytes + tagBytes);
  const nonce = envelope.subarray(headerBytes, headerBytes + nonceBytes);
  const ciphertext = envelope.subarray(headerBytes + nonceBytes);
  return guarded("authentication-failed", () => lib().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key));
}
