import { EnvelopeKind, assertKey } from "./envelope";
import { CryptoError } from "./errors";
import type { KeyPair } from "./keys";
import { openKey, sealKey } from "./share-key";
import { signCanonical, verifyCanonical } from "./signature";
import { guarded, lib } from "./sodium";

/**
 * A care team's encryption key, certified: the organization administrator's browser that made
 * the team key pair (or replaced it after a member left) signs which team, organization and
 * key version the X25519 public key belongs to. A patient's browser seals a grant's share key
 * only to a team key whose certificate verifies under the maker's identity key; members open
 * share keys with the team's private key, which is sealed to each of them (`sealTeamKey`).
 */
export interface TeamKeyCertificate {
  teamId: string;
  organizationId: string;
  /** 1 for the team's first key, one more at each replacement. */
  keyVersion: number;
  /** The team's X25519 public key (32 bytes). */
  publicKey: Uint8Array;
  /** Who made and signed it (an organization administrator or a remaining member). */
  makerId: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

const certificateLabel = "hsc/v1/team-key-certificate";

function certificateFields(certificate: TeamKeyCertificate) {
  assertKey(certificate.publicKey);
  if (!Number.isSafeInteger(certificate.keyVersion) || certificate.keyVersion < 1) throw new CryptoError("invalid-argument");
  return [certificate.teamId, certificate.organizationId, certificate.keyVersion, certificate.publicKey, certificate.makerId, certificate.createdAt];
}

/**
 * The maker's Ed25519 signature (64 bytes) over canonical `hsc/v1/team-key-certificate`
 * [teamId, organizationId, keyVersion, X25519 public key, makerId, createdAt ms].
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes or a public key that is not 32; CryptoError("invalid-argument") for a key version below 1 or a createdAt that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signTeamKeyCertificate(certificate: TeamKeyCertificate, makerIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(certificateLabel, certificateFields(certificate), makerIdentitySecretKey);
}

/**
 * Checks the maker's signature over exactly this certificate; a team key that fails here is never sealed to.
 * @throws CryptoError("authentication-failed") unless the maker's key signed exactly this certificate; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key"), CryptoError("invalid-argument") as signTeamKeyCertificate
 */
export function verifyTeamKeyCertificate(certificate: TeamKeyCertificate, signature: Uint8Array, makerIdentityPublicKey: Uint8Array): void {
  verifyCanonical(certificateLabel, certificateFields(certificate), signature, makerIdentityPublicKey);
}

/**
 * A new team key pair: X25519 from a fresh seed (the same generator as a person's encryption key).
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export { generateEncryptionKeyPair as generateTeamKeyPair } from "./keys";

export interface TeamKeyContext {
  teamId: string;
  keyVersion: number;
}

/**
 * Seals a team's X25519 private key (32 bytes) to a member's certified encryption key,
 * bound to the team id and key version: `version | kind 12 | crypto_box_seal(canonical
 * "hsc/v1/team-key" [version, kind, teamId, keyVersion, private key])`.
 * @throws CryptoError("invalid-key") for a private key or public key that is not 32 bytes; CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function sealTeamKey(teamSecretKey: Uint8Array, memberEncryptionPublicKey: Uint8Array, context: TeamKeyContext): Uint8Array {
  return sealKey(EnvelopeKind.sealedTeamKey, teamSecretKey, memberEncryptionPublicKey, [context.teamId, context.keyVersion]);
}

/**
 * Opens a team key sealed to `member` for exactly this team and key version, and rebuilds the
 * team key pair from it (public half: X25519 base-point multiplication); the caller checks the
 * public half against the team's certificate.
 * @throws CryptoError("authentication-failed") when the box was not sealed to this key pair, was altered, or names another team or version; CryptoError("unsupported-version"), CryptoError("malformed"), CryptoError("invalid-key") as openShareKey; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function openTeamKey(envelope: Uint8Array, member: KeyPair, context: TeamKeyContext): KeyPair {
  const secretKey = openKey(EnvelopeKind.sealedTeamKey, envelope, member, [context.teamId, context.keyVersion]);
  const publicKey = guarded("invalid-key", () => lib().crypto_scalarmult_base(secretKey));
  return { publicKey, secretKey };
}
