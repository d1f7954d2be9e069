import { beforeAll, describe, expect, it } from "vitest";
import {
  cryptoReady,
  decodeGrantStatementFacts,
  decryptGrantProfile,
  equalBytes,
  fromBase64url,
  generateTeamKeyPair,
  keyFingerprint,
  openShareKey,
  safetyCode,
  toBase64url,
  unwrapRecordKey,
  verifyGrant,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantRenewalJson, TeamRenewal } from "@/contract/team-renewal";
import type { OrganizationAdminStatementJson } from "@/contract/teams";
import type { UnlockedVault } from "../keystore/vault-store";
import { recordKeyOf } from "../records/records";
import { organizationOf, teamKeyCertificate } from "../teams/test-fixtures";
import { sealGrant } from "./sharing";
import { renewalsToCompare, renewTeamGrants } from "./team-renewal";
import { fakeServer, note, person, pinFor, type Person } from "./test-fixtures";

let patient: Person;
let deploymentAdmin: Person;
let orgAdmin: Person;
let member: Person;
let chain: OrganizationAdminStatementJson;
/** The patient's vault with the deployment administrator's key pinned (as the directory pins it). */
let trusting: UnlockedVault;
beforeAll(async () => {
  await cryptoReady();
  [patient, deploymentAdmin, orgAdmin, member] = await Promise.all([
    person("patient", "Pat Renewal"),
    person("admin", "Ada Admin"),
    person("nurse", "Olu Office"),
    person("doctor", "Dr Mo Member"),
  ]);
  chain = await organizationOf(deploymentAdmin, orgAdmin, "Riverside");
  trusting = {
    ...patient.vault,
    profile: { ...patient.vault.profile, contacts: { [deploymentAdmin.vault.userId]: { ...pinFor(deploymentAdmin), role: "admin" } } },
  };
});

/**
 * A patient shares two records with a team at key version 1; a member leaves (they keep the
 * version-1 team key, and so the share key sealed to it); the team's key is version 2, made by
 * the organization's administrator (certified up to the deployment administrator) unless
 * `madeBy` says a member made it (no chain).
 */
function sharedThenMemberLeft({ madeBy = "administrator" }: { madeBy?: "administrator" | "member" } = {}) {
  const server = fakeServer([patient, orgAdmin, member]);
  const recordIds = server.addRecords(patient, [note("Echo: EF 60%."), note("Holter: normal.")]);
  const teamId = crypto.randomUUID();
  const [before, after] = [generateTeamKeyPair(), generateTeamKeyPair()];
  const recordKeys = recordIds.map((id) => {
    const record = server.records.get(id)!;
    return { recordId: id, keyVersion: 1, recordKey: recordKeyOf({ id, keyVersion: 1, ownerWrap: record.ownerWrap }, patient.vault) };
  });
  const old = sealGrant({
    vault: patient.vault,
    clinicianId: teamId,
    clinicianEncryptionPublicKey: before.publicKey,
    recordKeys,
    recordIds,
    permission: "read",
    expiresAt: null,
    revealedName: "Pat Renewal",
  });
  const renewal: TeamRenewal = {
    grantId: old.grantId,
    teamId,
    team: {
      teamId,
      name: "Cardiology",
      organizationName: "Riverside",
      certificate:
        madeBy === "administrator"
          ? teamKeyCertificate(orgAdmin, { teamId, organizationId: chain.organizationId, keyVersion: 2, publicKey: after.publicKey }, chain)
          : teamKeyCertificate(member, { teamId, organizationId: chain.organizationId, keyVersion: 2, publicKey: after.publicKey }, null),
      needsNewKey: false,
    },
    scope: "records",
    permission: "read",
    expiresAt: null,
    revision: 1,
    statement: old.statement,
    signature: old.signature,
    sealedProfile: old.sealedProfile,
    recordIds,
    excludedRecordIds: [],
  };
  // What the member who left holds: the old share key, opened with the version-1 team key.
  const leaverShareKey = openShareKey(fromBase64url(old.sealedShareKey), before, { grantId: old.grantId });
  const sent: GrantRenewalJson[] = [];
  server.transport
    .on(routes.directoryVerification.admins, () => ({ admins: [] }))
    .on(routes.teamRenewals.pending, () => ({ renewals: [renewal] }))
    .on(routes.teamRenewals.renew, ({ body }) => {
      sent.push(body);
      return { renewed: true };
    });
  return { server, old, renewal, teamId, recordIds, recordKeys, before, after, leaverShareKey, sent };
}

describe("renewing a share with a care team after a member left", () => {
  it("makes a successor whose share key the member who left cannot open, whose wraps their old share key cannot unwrap, and which the remaining members open", async () => {
    const { server, old, teamId, recordIds, recordKeys, before, after, leaverShareKey, sent } = sharedThenMemberLeft();
    expect(await renewTeamGrants(trusting, server.transport)).toEqual({ renewed: 1, waiting: 0, deferred: 0, unconfirmed: 0 });
    const [successor] = sent;
    // Everything the server stores of the successor, as the member who left could read it from the server's data:
    expect(successor!.grantId).not.toBe(old.grantId);
    expect(successor!.teamKeyVersion).toBe(2);
    expect(() => openShareKey(fromBase64url(successor!.sealedShareKey), before, { grantId: successor!.grantId })).toThrow();
    expect(successor!.wraps.map((wrap) => wrap.recordId).sort()).toEqual([...recordIds].sort());
    for (const wrap of successor!.wraps) {
      for (const grantId of [successor!.grantId, old.grantId]) {
        expect(() =>
          unwrapRecordKey(fromBase64url(wrap.wrappedKey), leaverShareKey, { recordId: wrap.recordId, keyVersion: wrap.keyVersion, grantId }),
        ).toThrow();
      }
    }
    // A remaining member, holding the version-2 team key, opens the new share key and every record key under it.
    const shareKey = openShareKey(fromBase64url(successor!.sealedShareKey), after, { grantId: successor!.grantId });
    expect(equalBytes(shareKey, leaverShareKey)).toBe(false);
    for (const wrap of successor!.wraps) {
      const opened = unwrapRecordKey(fromBase64url(wrap.wrappedKey), shareKey, { recordId: wrap.recordId, keyVersion: 1, grantId: successor!.grantId });
      expect(equalBytes(opened, recordKeys.find((key) => key.recordId === wrap.recordId)!.recordKey)).toBe(true);
    }
    expect(decryptGrantProfile(fromBase64url(successor!.sealedProfile!), shareKey, { grantId: successor!.grantId }).displayName).toBe("Pat Renewal");
    // The same terms, signed anew at revision 1 for the team's current key.
    const facts = decodeGrantStatementFacts(fromBase64url(successor!.statement));
    expect(equalBytes(facts.clinicianKeyFingerprint, keyFingerprint(after.publicKey))).toBe(true);
    expect([...facts.recordIds].sort()).toEqual([...recordIds].sort());
    verifyGrant(
      {
        grantId: successor!.grantId,
        patientId: patient.vault.userId,
        clinicianId: teamId,
        clinicianKeyFingerprint: facts.clinicianKeyFingerprint,
        scope: "records",
        permission: "read",
        expiresAt: 0,
        recordIds: facts.recordIds,
        wrapsDigest: facts.wrapsDigest,
        revision: 1,
      },
      fromBase64url(successor!.signature),
      patient.vault.keys.identityPublicKey,
    );
  });

  it("waits while the team has no new key, and signs nothing wider than the patient signed before", async () => {
    const waiting = sharedThenMemberLeft();
    waiting.server.transport.on(routes.teamRenewals.pending, () => ({ renewals: [{ ...waiting.renewal, team: null }] }));
    expect(await renewTeamGrants(trusting, waiting.server.transport)).toEqual({ renewed: 0, waiting: 1, deferred: 0, unconfirmed: 0 });

    // A server serving wider terms than the signed statement (read-and-add-notes for a read-only share) gets no successor.
    const widened = sharedThenMemberLeft();
    widened.server.transport.on(routes.teamRenewals.pending, () => ({ renewals: [{ ...widened.renewal, permission: "contribute" as const }] }));
    expect(await renewTeamGrants(trusting, widened.server.transport)).toEqual({ renewed: 0, waiting: 0, deferred: 1, unconfirmed: 0 });
    expect(widened.sent).toEqual([]);
    // Nor one sealed to a team key its maker did not certify.
    const forged = sharedThenMemberLeft();
    const certificate = { ...forged.renewal.team!.certificate, publicKey: toBase64url(generateTeamKeyPair().publicKey) };
    forged.server.transport.on(routes.teamRenewals.pending, () => ({ renewals: [{ ...forged.renewal, team: { ...forged.renewal.team!, certificate } }] }));
    expect(await renewTeamGrants(trusting, forged.server.transport)).toEqual({ renewed: 0, waiting: 0, deferred: 1, unconfirmed: 0 });
    expect(forged.sent).toEqual([]);
  });

  it("seals nothing to a new team key no trusted administrator certified until the patient confirms its safety code", async () => {
    // A member made the new key (no chain), or a chain is served under an administrator key this browser does not trust.
    for (const [what, vault, madeBy] of [
      ["a member's key", trusting, "member"],
      ["an untrusted administrator's chain", patient.vault, "administrator"],
    ] as const) {
      const pending = sharedThenMemberLeft({ madeBy });
      expect(await renewTeamGrants(vault, pending.server.transport), what).toEqual({ renewed: 0, waiting: 0, deferred: 0, unconfirmed: 1 });
      expect(pending.sent, what).toEqual([]);
      // The Sharing page asks for the comparison, with the new key's safety code.
      const [asked] = await renewalsToCompare(vault, pending.server.transport);
      expect(asked?.grantId).toBe(pending.renewal.grantId);
      expect(asked?.checked.safetyCode).toEqual(safetyCode(pending.after.publicKey, pending.teamId));
      // A confirmation of another key (the team's old one, say) does not count.
      const confirmedOld = { ...vault, profile: { ...vault.profile, teamKeys: { [pending.teamId]: [toBase64url(keyFingerprint(pending.before.publicKey))] } } };
      expect((await renewTeamGrants(confirmedOld, pending.server.transport)).unconfirmed, what).toBe(1);
      // Once the patient confirmed this key, the share is renewed under it.
      const confirmed = { ...vault, profile: { ...vault.profile, teamKeys: { [pending.teamId]: [toBase64url(keyFingerprint(pending.after.publicKey))] } } };
      expect(await renewTeamGrants(confirmed, pending.server.transport), what).toEqual({ renewed: 1, waiting: 0, deferred: 0, unconfirmed: 0 });
      expect(await renewalsToCompare(confirmed, pending.server.transport)).toEqual([]);
      const shareKey = openShareKey(fromBase64url(pending.sent[0]!.sealedShareKey), pending.after, { grantId: pending.sent[0]!.grantId });
      expect(shareKey).toHaveLength(32);
    }
  });

  it("refuses a new team key whose served chain does not hold, even one the patient confirmed", async () => {
    const substituted = sharedThenMemberLeft();
    // The server's own maker signs a key and serves it with the real administrator's statement.
    const mallory = await person("doctor", "Dr Mallory");
    const forged = teamKeyCertificate(
      mallory,
      { teamId: substituted.teamId, organizationId: chain.organizationId, keyVersion: 2, publicKey: substituted.after.publicKey },
      chain,
    );
    substituted.server.transport.on(routes.teamRenewals.pending, () => ({
      renewals: [{ ...substituted.renewal, team: { ...substituted.renewal.team!, certificate: forged } }],
    }));
    const confirmed = {
      ...trusting,
      profile: { ...trusting.profile, teamKeys: { [substituted.teamId]: [toBase64url(keyFingerprint(substituted.after.publicKey))] } },
    };
    expect(await renewTeamGrants(confirmed, substituted.server.transport)).toEqual({ renewed: 0, waiting: 0, deferred: 1, unconfirmed: 0 });
    expect(substituted.sent).toEqual([]);
    expect(await renewalsToCompare(confirmed, substituted.server.transport)).toEqual([]);
  });
});
