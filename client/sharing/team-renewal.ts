import {
  cryptoReady,
  decodeGrantStatementFacts,
  decryptGrantProfile,
  deriveShareKey,
  envelopeKindOf,
  EnvelopeKind,
  fromBase64url,
  verifyGrant,
  type GrantProfile,
  type RecordKey,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantRenewalJson, TeamRenewal } from "@/contract/team-renewal";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { ApiError, retryTransient, type Transport } from "../transport/api";
import { recordKeyOf, servedRecord } from "../records/records";
import { wholeChartRecords } from "../records/record-pages";
import { rollbackError, staleRecords } from "../keystore/rollback-guard";
import type { UnlockedVault } from "../keystore/vault-store";
import { checkTeamChain, type CheckedTeam } from "../teams/team-chain";
import { isConfirmedTeamKey } from "../teams/team-key-pins";
import { trustedAdmins, type TrustedAdmins } from "./directory-verification";
import { sealSuccessorGrant } from "./sharing";

export interface RenewalOutcome {
  /** Shares whose key was replaced now. */
  renewed: number;
  /** Shares whose team has no new key yet: renewed on a later visit. */
  waiting: number;
  /** Shares that changed meanwhile or did not verify: tried again next time. */
  deferred: number;
  /**
   * Shares whose team's new key no administrator this browser trusts certified, and whose
   * safety code the patient has not confirmed: renewed once they compare it (the Sharing page asks).
   */
  unconfirmed: number;
}

/** A renewal's new team key as this browser judges it: sealed to at once, or first compared by the patient. */
export type RenewalKey = { state: "ready"; publicKey: Uint8Array } | { state: "to-compare"; checked: CheckedTeam };

/**
 * Judges the team key a renewal would seal to: its chain checked up to an administrator key this
 * browser trusts (client/teams/team-chain.ts), or else the key confirmed by safety code in this
 * vault (client/teams/team-key-pins.ts). Null while the team has no new key yet.
 * @throws IntegrityError("signature") for a certificate or chain that does not verify or match
 */
export function renewalKeyOf(renewal: TeamRenewal, admins: TrustedAdmins, vault: UnlockedVault): RenewalKey | null {
  const team = renewal.team;
  if (!team) return null;
  if (team.teamId !== renewal.teamId) throw new IntegrityError("signature");
  const checked = checkTeamChain(team, admins);
  if (checked.verification.state === "verified" || isConfirmedTeamKey(vault.profile, renewal.teamId, checked.publicKey)) {
    return { state: "ready", publicKey: checked.publicKey };
  }
  return { state: "to-compare", checked };
}

/** A share that waits for the patient to compare its team's new key: what the Sharing page shows for it. */
export interface RenewalToCompare {
  grantId: string;
  teamId: string;
  teamName: string;
  organizationName: string;
  checked: CheckedTeam;
}

/**
 * The shares whose renewal waits for the patient to compare the team's new key (see
 * `renewalKeyOf`), for the Sharing page. A renewal whose chain does not hold is left out (it is
 * never renewed: `renewTeamGrants` counts it deferred).
 * @throws ApiError; IntegrityError when the vault cannot be rewritten safely (pinning a newly published administrator)
 */
export async function renewalsToCompare(vault: UnlockedVault, transport: Transport): Promise<RenewalToCompare[]> {
  if (vault.role !== "patient") return [];
  await cryptoReady();
  const { renewals } = await transport.call(routes.teamRenewals.pending, {});
  if (!renewals.some((renewal) => renewal.team)) return [];
  const admins = await trustedAdmins(vault, transport);
  return renewals.flatMap((renewal) => {
    try {
      const key = renewalKeyOf(renewal, admins, vault);
      if (key?.state !== "to-compare") return [];
      return [
        {
          grantId: renewal.grantId,
          teamId: renewal.teamId,
          teamName: renewal.team!.name,
          organizationName: renewal.team!.organizationName,
          checked: key.checked,
        },
      ];
    } catch (caught) {
      if (isIntegrityError(caught)) return [];
      throw caught;
    }
  });
}

/**
 * Replaces the share key of every grant to a care team that lost a member since its share key
 * was made, as the server lists them (so it resumes on any device after a reload or a crash):
 * for each, a successor grant (new id, hence new share key, sealed to the team's current key
 * once `renewalKeyOf` finds it certified up to a trusted administrator or confirmed by the
 * patient; the same records, permission and end date, signed anew; every record key
 * wrapped under the new share key) that the server stores while ending the old grant, in one
 * transaction. A cut-off request is sent again as it is (the server takes it once); a run
 * stopped before it makes a new successor next time (the old grant still stands meanwhile).
 * Before signing, the browser checks that the terms it copies are the ones the patient signed.
 * @throws ApiError for an outage given up on or a refusal that is not the share's own (409/404);
 *   anything else that is not an IntegrityError (a bug) as it is.
 */
export async function renewTeamGrants(vault: UnlockedVault, transport: Transport): Promise<RenewalOutcome> {
  const outcome: RenewalOutcome = { renewed: 0, waiting: 0, deferred: 0, unconfirmed: 0 };
  if (vault.role !== "patient") return outcome;
  await cryptoReady();
  const { renewals } = await transport.call(routes.teamRenewals.pending, {});
  if (renewals.length === 0) return outcome;
  const admins: TrustedAdmins = renewals.some((renewal) => renewal.team) ? await trustedAdmins(vault, transport) : new Map();
  let chart: ChartRecord[] | undefined;
  for (const renewal of renewals) {
    try {
      const key = renewalKeyOf(renewal, admins, vault);
      if (!key || key.state === "to-compare") {
        outcome[key ? "unconfirmed" : "waiting"] += 1;
        continue;
      }
      chart ??= await wholeChartRecords(transport);
      const body = successorOf(renewal, chart, vault, key.publicKey);
      await retryTransient(() => transport.call(routes.teamRenewals.renew, { params: { id: renewal.grantId }, body }));
      outcome.renewed += 1;
    } catch (caught) {
      if (!(caught instanceof ApiError ? caught.status === 409 || caught.status === 404 : isIntegrityError(caught))) throw caught;
      outcome.deferred += 1;
    }
  }
  return outcome;
}

type ChartRecord = Awaited<ReturnType<typeof wholeChartRecords>>[number];

/**
 * The successor of one grant, sealed to `teamPublicKey` (judged by `renewalKeyOf`). Its records: for "all records" every record of the chart
 * but those taken out; for a list, the records listed now, each either signed in the statement
 * or added by a clinician (a record a team member wrote under the grant).
 * @throws IntegrityError ("signature" for a team or an old statement that does not match or verify,
 *   or a listed record the patient never signed for; "decrypt" for a profile or key that does
 *   not open; "rollback" for records served older than seen)
 */
export function successorOf(renewal: TeamRenewal, chart: ChartRecord[], vault: UnlockedVault, teamPublicKey: Uint8Array): GrantRenewalJson {
  const team = renewal.team!;
  if (team.teamId !== renewal.teamId || team.certificate.teamId !== renewal.teamId) throw new IntegrityError("signature");
  const signed = verified("signature", () => {
    const facts = decodeGrantStatementFacts(fromBase64url(renewal.statement));
    verifyGrant(
      {
        grantId: renewal.grantId,
        patientId: vault.userId,
        clinicianId: renewal.teamId,
        clinicianKeyFingerprint: facts.clinicianKeyFingerprint,
        scope: renewal.scope,
        permission: renewal.permission,
        expiresAt: renewal.expiresAt ? new Date(renewal.expiresAt).getTime() : 0,
        recordIds: facts.recordIds,
        wrapsDigest: facts.wrapsDigest,
        revision: renewal.revision,
      },
      fromBase64url(renewal.signature),
      vault.keys.identityPublicKey,
    );
    return new Set(facts.recordIds);
  });
  const excluded = new Set(renewal.excludedRecordIds);
  const listed = new Set(renewal.recordIds);
  const chosen = renewal.scope === "all" ? chart.filter((record) => !excluded.has(record.id)) : chart.filter((record) => listed.has(record.id));
  for (const record of chosen) {
    const contributed = envelopeKindOf(fromBase64url(record.ownerWrap)) === EnvelopeKind.sealedRecordKey;
    if (renewal.scope === "records" && !signed.has(record.id) && !contributed) throw new IntegrityError("signature");
  }
  // An older key would hand the team a key that may already be out in the open.
  if (staleRecords(vault.userId, chosen.map(servedRecord)).size > 0) throw rollbackError("some of your records");
  const profile = openedProfile(renewal, vault);
  const recordKeys: Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }> = [];
  try {
    for (const record of chosen)
      recordKeys.push({ recordId: record.id, keyVersion: record.keyVersion, recordKey: verified("wrong-key", () => recordKeyOf(record, vault)) });
    const sealed = sealSuccessorGrant({
      vault,
      teamId: renewal.teamId,
      teamPublicKey,
      recordKeys,
      recordIds: renewal.scope === "all" ? "all" : chosen.map((record) => record.id),
      permission: renewal.permission,
      expiresAt: renewal.expiresAt ? new Date(renewal.expiresAt) : null,
      profile,
    });
    return { ...sealed, teamKeyVersion: team.certificate.keyVersion };
  } finally {
    for (const key of recordKeys) key.recordKey.fill(0);
  }
}

/** What the patient revealed to the team, opened under the old grant's share key (derived again from the vault key). */
function openedProfile(renewal: TeamRenewal, vault: UnlockedVault): GrantProfile | null {
  if (!renewal.sealedProfile) return null;
  const oldKey = deriveShareKey(vault.keys.vaultKey, { grantId: renewal.grantId });
  try {
    return verified("decrypt", () => decryptGrantProfile(fromBase64url(renewal.sealedProfile!), oldKey, { grantId: renewal.grantId }));
  } finally {
    oldKey.fill(0);
  }
}
