import {
  cryptoReady,
  fromBase64url,
  generateTeamKeyPair,
  openShareKey,
  safetyCode,
  sealShareKey,
  sealTeamKey,
  signTeamKeyCertificate,
  toBase64url,
  type KeyCertificate,
  type SafetyCode,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { PublishedKeys } from "@/contract/sharing";
import type { NewTeamKeyJson, OrganizationSummary, TeamSummary } from "@/contract/teams";
import { IntegrityError, verified } from "../integrity";
import { withFreshProof } from "../account/fresh-proof";
import { certifiedKeys } from "../sharing/contacts";
import { ApiError, type Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import { certifiedFrom, forgetTeams, loadHeldTeam, type TeamKeyPair } from "./team-keys";

export type { OrganizationSummary, TeamSummary };

/**
 * An organization administrator's work on care teams, in their browser: making a team's key
 * pair and sealing it to every member and administrator, adding and removing members (each
 * with a fresh passkey proof), and after a removal making the next key version and re-sealing
 * every grant's share key to it, batch by batch. The server never sees a team's private key or
 * a share key in the clear.
 */

/** The organizations this person administers (none for most people). */
export async function loadOrganizations(transport: Transport): Promise<OrganizationSummary[]> {
  const { organizations } = await transport.call(routes.teams.myOrganizations, {});
  return organizations;
}

/** A key version certified by this person and sealed to each holder (their certificates already verified). */
function certifiedTeamKey(
  team: { teamId: string; organizationId: string; keyVersion: number },
  pair: TeamKeyPair,
  holders: Array<{ userId: string; certificate: KeyCertificate }>,
  vault: UnlockedVault,
): NewTeamKeyJson {
  const signedAt = Date.now();
  const signature = signTeamKeyCertificate(
    {
      teamId: team.teamId,
      organizationId: team.organizationId,
      keyVersion: team.keyVersion,
      publicKey: pair.publicKey,
      makerId: vault.userId,
      createdAt: signedAt,
    },
    vault.keys.identitySecretKey,
  );
  return {
    keyVersion: team.keyVersion,
    publicKey: toBase64url(pair.publicKey),
    signedAt,
    signature: toBase64url(signature),
    seals: holders.map((holder) => ({
      userId: holder.userId,
      sealedKey: toBase64url(sealTeamKey(pair.secretKey, holder.certificate.encryptionPublicKey, { teamId: team.teamId, keyVersion: team.keyVersion })),
    })),
  };
}

/** Members' certified keys (from the directory: members are clinicians), and the administrators' from the organization's list. */
async function holdersOf(memberIds: string[], administrators: PublishedKeys[], transport: Transport) {
  const members = [];
  for (const userId of memberIds) {
    const keys = await certifiedKeys(userId, transport);
    members.push({ userId, certificate: keys.certificate });
  }
  const admins = administrators.map((keys) => certifiedFrom(keys));
  const seen = new Set<string>();
  return [...members, ...admins].filter((holder) => (seen.has(holder.userId) ? false : (seen.add(holder.userId), true)));
}

/**
 * Creates a care team with its first key (made here) sealed to the members and the
 * organization's administrators. Asks for a passkey tap when the server wants a fresh proof.
 * Returns the team's id.
 * @throws IntegrityError when someone's certificate does not verify; FreshProofNotGivenError; ApiError.
 */
export async function createTeam(organization: OrganizationSummary, name: string, memberIds: string[], vault: UnlockedVault, transport: Transport) {
  await cryptoReady();
  const teamId = crypto.randomUUID();
  const holders = await holdersOf(memberIds, organization.administrators, transport);
  const pair = generateTeamKeyPair();
  try {
    const key = certifiedTeamKey({ teamId, organizationId: organization.id, keyVersion: 1 }, pair, holders, vault);
    await withFreshProof(
      () => transport.call(routes.teams.createTeam, { params: { id: organization.id }, body: { id: teamId, name, memberIds, key } }),
      transport,
    );
    return teamId;
  } finally {
    pair.secretKey.fill(0);
  }
}

/**
 * Adds a verified clinician to a team: the team's current key, opened here, sealed to their certified key.
 * @throws IntegrityError; FreshProofNotGivenError; ApiError (409 while the team waits for a new key).
 */
export async function addTeamMember(teamId: string, userId: string, vault: UnlockedVault, transport: Transport): Promise<void> {
  const held = await loadHeldTeam(teamId, vault, transport);
  try {
    const pair = held.pairs.get(held.keyVersion);
    if (!pair) throw new IntegrityError("decrypt");
    const member = await certifiedKeys(userId, transport);
    const sealedKey = toBase64url(sealTeamKey(pair.secretKey, member.certificate.encryptionPublicKey, { teamId, keyVersion: held.keyVersion }));
    await withFreshProof(
      () => transport.call(routes.teams.addMember, { params: { id: teamId }, body: { userId, keyVersion: held.keyVersion, sealedKey } }),
      transport,
    );
  } finally {
    forgetTeams(new Map([[teamId, held]]));
  }
}

/**
 * The safety code of the team's current key (`safetyCode(team public key, team id)`), from the
 * version sealed to this person and checked against its certificate: what a patient whose browser
 * shows the team as unverified compares with before sharing.
 * @throws IntegrityError; ApiError.
 */
export async function teamSafetyCode(teamId: string, vault: UnlockedVault, transport: Transport): Promise<SafetyCode> {
  const held = await loadHeldTeam(teamId, vault, transport);
  try {
    const pair = held.pairs.get(held.keyVersion);
    if (!pair) throw new IntegrityError("decrypt");
    return safetyCode(pair.publicKey, teamId);
  } finally {
    forgetTeams(new Map([[teamId, held]]));
  }
}

/** Removes a member (fresh proof): the server cuts them off at once; `replaceTeamKey` then does the key work. */
export async function removeTeamMember(teamId: string, userId: string, transport: Transport): Promise<void> {
  await withFreshProof(() => transport.call(routes.teams.removeMember, { params: { id: teamId, userId } }), transport);
}

/** How far a key replacement has come: grants re-sealed so far. */
export interface ResealProgress {
  resealed: number;
}

/**
 * After a removal: makes the team's next key version (if no one has yet) sealed to the
 * remaining members and administrators, then re-seals each of the team's grants, a batch at a
 * time, from the older key version it is sealed to (opened here) to the new one. Resumable:
 * whatever was done stays done, and running it again carries on from there. Returns how many
 * grants it re-sealed.
 * @throws IntegrityError (a certificate, seal or share key that does not open or verify); ApiError.
 */
export async function replaceTeamKey(
  teamId: string,
  vault: UnlockedVault,
  transport: Transport,
  onProgress?: (progress: ResealProgress) => void,
): Promise<number> {
  await cryptoReady();
  let held = await loadHeldTeam(teamId, vault, transport);
  try {
    if (held.needsNewKey) {
      const pair = generateTeamKeyPair();
      try {
        const key = certifiedTeamKey({ teamId, organizationId: held.organizationId, keyVersion: held.keyVersion + 1 }, pair, held.holders, vault);
        await transport.call(routes.teams.nextKey, { params: { id: teamId }, body: key });
      } finally {
        pair.secretKey.fill(0);
      }
      forgetTeams(new Map([[teamId, held]]));
      held = await loadHeldTeam(teamId, vault, transport);
    }
    const current = held.pairs.get(held.keyVersion);
    if (!current) throw new IntegrityError("decrypt");
    let resealed = 0;
    for (;;) {
      const batch = await transport.call(routes.teams.toReseal, { params: { id: teamId } });
      if (batch.grants.length === 0 || batch.keyVersion !== held.keyVersion) break;
      const reseals = batch.grants.flatMap((grant) => {
        const old = held.pairs.get(grant.teamKeyVersion);
        // A version sealed before this person held the team's key: another holder re-seals it.
        if (!old) return [];
        const shareKey = verified("decrypt", () => openShareKey(fromBase64url(grant.sealedShareKey), old, { grantId: grant.grantId }));
        try {
          return [{ grantId: grant.grantId, sealedShareKey: toBase64url(sealShareKey(shareKey, current.publicKey, { grantId: grant.grantId })) }];
        } finally {
          shareKey.fill(0);
        }
      });
      if (reseals.length === 0) break;
      const result = await transport.call(routes.teams.reseal, { params: { id: teamId }, body: { keyVersion: held.keyVersion, reseals } });
      resealed += result.resealed;
      onProgress?.({ resealed });
      if (result.resealed === 0) break;
    }
    return resealed;
  } finally {
    forgetTeams(new Map([[teamId, held]]));
  }
}

/**
 * The background upkeep of a team key holder's browser (a member's on "Shared with me", an
 * administrator's on their organization page): for each team whose key a removal made stale, or
 * whose grants are not all re-sealed yet, does the work (`replaceTeamKey`). Another holder doing
 * the same at once makes the server answer 409 to one of them, who leaves it to the other.
 * Returns how many grants it re-sealed.
 * @throws IntegrityError; ApiError other than 409.
 */
export async function keepTeamKeysCurrent(teamIds: string[], vault: UnlockedVault, transport: Transport): Promise<number> {
  let resealed = 0;
  for (const teamId of new Set(teamIds)) {
    const pending = await transport.call(routes.teams.toReseal, { params: { id: teamId } });
    if (!pending.needsNewKey && pending.grants.length === 0) continue;
    try {
      resealed += await replaceTeamKey(teamId, vault, transport);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  return resealed;
}
