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
  signTeamKeyCertificate,
  toBase64url,
  unwrapRecordKey,
  verifyGrant,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { GrantRenewalJson, TeamRenewal } from "@/contract/team-renewal";
import { recordKeyOf } from "../records/records";
import { sealGrant } from "./sharing";
import { renewTeamGrants } from "./team-renewal";
import { fakeServer, note, person, type Person } from "./test-fixtures";

let patient: Person;
let maker: Person;
beforeAll(async () => {
  await cryptoReady();
  [patient, maker] = await Promise.all([person("patient", "Pat Renewal"), person("nurse", "Olu Office")]);
});

const organizationId = crypto.randomUUID();

/** A team key version certified by the maker, as the server serves it with a renewal. */
function certified(teamId: string, keyVersion: number, publicKey: Uint8Array) {
  const createdAt = Date.now();
  const signature = signTeamKeyCertificate(
    { teamId, organizationId, keyVersion, publicKey, makerId: maker.vault.userId, createdAt },
    maker.vault.keys.identitySecretKey,
  );
  return {
    teamId,
    organizationId,
    keyVersion,
    publicKey: toBase64url(publicKey),
    makerId: maker.vault.userId,
    signedAt: createdAt,
    signature: toBase64url(signature),
    makerIdentityPublicKey: toBase64url(maker.vault.keys.identityPublicKey),
    chain: null,
  };
}

/**
 * A patient shares two records with a team at key version 1; a member leaves (they keep the
 * version-1 team key, and so the share key sealed to it); the team's key is version 2.
 */
function sharedThenMemberLeft() {
  const server = fakeServer([patient, maker]);
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
      certificate: certified(teamId, 2, after.publicKey),
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
    expect(await renewTeamGrants(patient.vault, server.transport)).toEqual({ renewed: 1, waiting: 0, deferred: 0 });
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
    expect(await renewTeamGrants(patient.vault, waiting.server.transport)).toEqual({ renewed: 0, waiting: 1, deferred: 0 });

    // A server serving wider terms than the signed statement (read-and-add-notes for a read-only share) gets no successor.
    const widened = sharedThenMemberLeft();
    widened.server.transport.on(routes.teamRenewals.pending, () => ({ renewals: [{ ...widened.renewal, permission: "contribute" as const }] }));
    expect(await renewTeamGrants(patient.vault, widened.server.transport)).toEqual({ renewed: 0, waiting: 0, deferred: 1 });
    expect(widened.sent).toEqual([]);
    // Nor one sealed to a team key its maker did not certify.
    const forged = sharedThenMemberLeft();
    const certificate = { ...forged.renewal.team!.certificate, publicKey: toBase64url(generateTeamKeyPair().publicKey) };
    forged.server.transport.on(routes.teamRenewals.pending, () => ({ renewals: [{ ...forged.renewal, team: { ...forged.renewal.team!, certificate } }] }));
    expect(await renewTeamGrants(patient.vault, forged.server.transport)).toEqual({ renewed: 0, waiting: 0, deferred: 1 });
    expect(forged.sent).toEqual([]);
  });
});
