import {
  cryptoReady,
  equalBytes,
  fromBase64url,
  keyFingerprint,
  openTeamKey,
  verifyKeyCertificate,
  verifyTeamKeyCertificate,
  type KeyCertificate,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { PublishedKeys } from "@/contract/sharing";
import type { TeamKeyCertificateJson, TeamKeys } from "@/contract/teams";
import { IntegrityError, verified } from "../integrity";
import type { Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";

/** An X25519 key pair: a team's, opened from the seal made for this person. */
export interface TeamKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** What this browser holds of one team: the key versions sealed to this person, opened and checked against their certificates. */
export interface HeldTeam {
  teamId: string;
  organizationId: string;
  keyVersion: number;
  needsNewKey: boolean;
  /** Opened key pairs by version (only versions sealed to this person: never one from before they joined). */
  pairs: Map<number, TeamKeyPair>;
  /** Fingerprints of every certified key version of the team (grants name the one they were first sealed to). */
  fingerprints: Uint8Array[];
  /** Who must hold the next version, each certificate verified. */
  holders: Array<{ userId: string; certificate: KeyCertificate }>;
}

/**
 * A user's published keys, their certificate verified under the served identity key.
 * @throws IntegrityError("signature") when it does not verify
 */
export function certifiedFrom(keys: PublishedKeys): { userId: string; identityPublicKey: Uint8Array; certificate: KeyCertificate } {
  const identityPublicKey = fromBase64url(keys.identityPublicKey);
  const certificate = verified("signature", () => verifyKeyCertificate(fromBase64url(keys.certificate), identityPublicKey, { userId: keys.userId }));
  return { userId: keys.userId, identityPublicKey, certificate };
}

/**
 * Checks a team key certificate under its maker's identity key as kept with the version (it
 * outlives the maker's account) and returns the certified public key. Says nothing about who
 * the maker is: `checkTeamChain` (team-chain.ts) checks that, up to a deployment administrator.
 * @throws IntegrityError("signature") when the certificate does not verify
 */
export function verifiedTeamKey(certificate: TeamKeyCertificateJson): Uint8Array {
  const publicKey = fromBase64url(certificate.publicKey);
  verified("signature", () =>
    verifyTeamKeyCertificate(
      {
        teamId: certificate.teamId,
        organizationId: certificate.organizationId,
        keyVersion: certificate.keyVersion,
        publicKey,
        makerId: certificate.makerId,
        createdAt: certificate.signedAt,
      },
      fromBase64url(certificate.signature),
      fromBase64url(certificate.makerIdentityPublicKey),
    ),
  );
  return publicKey;
}

/**
 * Opens what this person holds of a team (GET /api/teams/[id]/key): every certificate verified
 * under its maker's identity key kept with it, and each key version sealed to them opened and matched to its
 * certificate. The caller zeroes the secret keys (`forgetTeams`).
 * @throws IntegrityError when a certificate or a seal does not verify; ApiError.
 */
export async function loadHeldTeam(teamId: string, vault: UnlockedVault, transport: Transport): Promise<HeldTeam> {
  await cryptoReady();
  const served: TeamKeys = await transport.call(routes.teams.keys, { params: { id: teamId } });
  const certified = new Map<number, Uint8Array>();
  for (const certificate of served.certificates) {
    if (certificate.teamId !== teamId || certificate.organizationId !== served.organizationId) throw new IntegrityError("signature");
    certified.set(certificate.keyVersion, verifiedTeamKey(certificate));
  }
  const pairs = new Map<number, TeamKeyPair>();
  const own = { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey };
  for (const seal of served.seals) {
    const pair = verified("decrypt", () => openTeamKey(fromBase64url(seal.sealedKey), own, { teamId, keyVersion: seal.keyVersion }));
    const expected = certified.get(seal.keyVersion);
    if (!expected || !equalBytes(expected, pair.publicKey)) {
      pair.secretKey.fill(0);
      throw new IntegrityError("signature");
    }
    pairs.set(seal.keyVersion, pair);
  }
  return {
    teamId,
    organizationId: served.organizationId,
    keyVersion: served.keyVersion,
    needsNewKey: served.needsNewKey,
    pairs,
    fingerprints: [...certified.values()].map((publicKey) => keyFingerprint(publicKey)),
    holders: served.holders.map((keys) => {
      const { userId, certificate } = certifiedFrom(keys);
      return { userId, certificate };
    }),
  };
}

/** Loads several teams (see `loadHeldTeam`), by team id. */
export async function loadHeldTeams(teamIds: string[], vault: UnlockedVault, transport: Transport): Promise<Map<string, HeldTeam>> {
  const held = new Map<string, HeldTeam>();
  for (const teamId of new Set(teamIds)) held.set(teamId, await loadHeldTeam(teamId, vault, transport));
  return held;
}

/** Zeroes every opened team secret key. */
export function forgetTeams(teams: Map<string, HeldTeam>): void {
  for (const team of teams.values()) for (const pair of team.pairs.values()) pair.secretKey.fill(0);
}
