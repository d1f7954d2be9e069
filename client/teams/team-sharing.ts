import { cryptoReady } from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantPermission } from "@/contract/sharing";
import type { TeamEntry } from "@/contract/teams";
import { ownRecordKeys } from "../records/records";
import { sealGrant } from "../sharing/sharing";
import { retryTransient, type Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import type { TrustedAdmins } from "../sharing/directory-verification";
import { checkTeamChain } from "./team-chain";
import { confirmTeamKey } from "./team-key-pins";

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

/** A share to an unverified team without the team key's safety code compared: the page never offers it, so reaching here is a bug. */
export class TeamNotComparedError extends Error {
  override readonly name = "TeamNotComparedError";
  constructor() {
    super("This team is not verified: compare its safety code before sharing.");
  }
}

/**
 * Shares records with a care team, like with a clinician: one grant, its share key sealed to the
 * team's certified key, the statement naming the team and that key's fingerprint. Every current
 * member opens the records; each opening goes into this patient's History under the member's own
 * name. Before anything is sealed the team's chain of trust is checked here (team-chain.ts) under
 * `admins`: a chain that does not hold stops it, and an unverified team needs `compared` (the
 * patient compared the team key's safety code), never neither; the compared key is then kept as
 * confirmed in the vault, where a later renewal of the share looks for it (team-key-pins.ts).
 * Returns the grant's id.
 * @throws IntegrityError("signature") for a team key or chain that does not verify (nothing is sent);
 *   TeamNotComparedError; TeamKeyReplacingError; IntegrityError("rollback"); ApiError.
 */
export async function shareWithTeam(
  input: {
    team: TeamEntry;
    admins: TrustedAdmins;
    compared: boolean;
    recordIds: string[] | "all";
    permission: GrantPermission;
    expiresAt: Date | null;
    revealedName: string;
  },
  vault: UnlockedVault,
  transport: Transport,
): Promise<string> {
  await cryptoReady();
  const { team } = input;
  if (team.needsNewKey) throw new TeamKeyReplacingError();
  const checked = checkTeamChain(team, input.admins);
  if (checked.verification.state !== "verified") {
    if (!input.compared) throw new TeamNotComparedError();
    await confirmTeamKey(vault, team.teamId, checked.publicKey, transport);
  }
  const teamPublicKey = checked.publicKey;
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
