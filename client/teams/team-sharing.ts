import { cryptoReady } from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantPermission } from "@/contract/sharing";
import type { TeamEntry } from "@/contract/teams";
import { ownRecordKeys } from "../records/records";
import { sealGrant } from "../sharing/sharing";
import { retryTransient, type Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import { verifiedTeamKey } from "./team-keys";

export type { TeamEntry };

/** The team's key is being replaced after a member left: new shares wait until it is (the server refuses them meanwhile). */
export class TeamKeyReplacingError extends Error {
  override readonly name = "TeamKeyReplacingError";
  constructor() {
    super("This team's key is being replaced after a member left. Please try again in a moment.");
  }
}

/** Care teams whose name or organization matches (at least three characters). */
export const searchTeams = async (query: string, transport: Transport): Promise<TeamEntry[]> =>
  (await transport.call(routes.teams.search, { query: { q: query } })).teams;

/**
 * Shares records with a care team, like with a clinician: one grant, its share key sealed to the
 * team's certified key (the certificate checked here under its maker's identity key), the
 * statement naming the team and that key's fingerprint. Every current member opens the records;
 * each opening goes into this patient's History under the member's own name. Returns the grant's id.
 * @throws IntegrityError("signature") for a team key certificate that does not verify;
 *   TeamKeyReplacingError; IntegrityError("rollback"); ApiError.
 */
export async function shareWithTeam(
  input: { team: TeamEntry; recordIds: string[] | "all"; permission: GrantPermission; expiresAt: Date | null; revealedName: string },
  vault: UnlockedVault,
  transport: Transport,
): Promise<string> {
  await cryptoReady();
  const { team } = input;
  if (team.needsNewKey) throw new TeamKeyReplacingError();
  const teamPublicKey = verifiedTeamKey(team.certificate, team.maker);
  const recordKeys = await ownRecordKeys(input.recordIds, vault, transport);
  try {
    const request = sealGrant({
      ...input,
      vault,
      clinicianId: team.teamId,
      clinicianEncryptionPublicKey: teamPublicKey,
      recordKeys,
    });
    await retryTransient(() => transport.call(routes.grants.create, { body: { ...request, teamKeyVersion: team.certificate.keyVersion } }));
    return request.grantId;
  } finally {
    for (const key of recordKeys) key.recordKey.fill(0);
  }
}
