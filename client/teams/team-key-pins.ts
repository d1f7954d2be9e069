import { keyFingerprint, toBase64url } from "@/crypto";
import { updateVaultProfile } from "../keystore/vault-profile";
import type { UnlockedVault, VaultProfile } from "../keystore/vault-store";
import type { Transport } from "../transport/api";

/**
 * Care-team keys a patient confirmed by comparing their safety code, kept in the encrypted
 * vault (`VaultProfile.teamKeys`). A team key that no administrator this browser trusts
 * certified (a key a member made after someone left, or a team of an organization created
 * before statements) is sealed to only once confirmed, so a server that serves a key of its
 * own for a team never receives a share key, neither at a new share nor at a renewal.
 */

/** Confirmed key versions kept per team; older ones go first (the vault has a size limit). */
const keptPerTeam = 8;

const fingerprintOf = (publicKey: Uint8Array) => toBase64url(keyFingerprint(publicKey));

/** Whether this vault holds `publicKey` as confirmed for `teamId`. */
export function isConfirmedTeamKey(profile: VaultProfile, teamId: string, publicKey: Uint8Array): boolean {
  return profile.teamKeys?.[teamId]?.includes(fingerprintOf(publicKey)) ?? false;
}

/**
 * Keeps `publicKey` as confirmed for `teamId` in the vault (rewritten only when it is new).
 * Call it only after the patient compared the key's safety code.
 * @throws what `updateVaultProfile` throws (IntegrityError, ApiError)
 */
export async function confirmTeamKey(vault: UnlockedVault, teamId: string, publicKey: Uint8Array, transport: Transport): Promise<void> {
  if (isConfirmedTeamKey(vault.profile, teamId, publicKey)) return;
  const fingerprint = fingerprintOf(publicKey);
  await updateVaultProfile(
    vault,
    (profile) => {
      const kept = (profile.teamKeys?.[teamId] ?? []).filter((known) => known !== fingerprint);
      return { ...profile, teamKeys: { ...profile.teamKeys, [teamId]: [...kept, fingerprint].slice(-keptPerTeam) } };
    },
    transport,
  );
}
