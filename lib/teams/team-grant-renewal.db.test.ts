import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, clinicianDirectory, grantExclusions, grants, keyCertificates, recordKeyWraps } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { insertCertifiedOrganization } from "@/lib/teams/test-fixtures";
import { AppError } from "@/lib/errors";
import { createRecords } from "@/lib/records/chart-store";
import { createGrant, fetchSharedRecords, grantsOfPatient, revokeRecordFromGrant } from "@/lib/grants/grant-store";
import { changeGrant } from "@/lib/grants/grant-changes";
import { keyMaintenanceOf } from "@/lib/grants/key-maintenance";
import { insertPeople, newGrant, newRecordItem } from "@/lib/grants/test-fixtures";
import { deleteMember, insertNextTeamKey, insertTeam, type NewTeamKey } from "./team-store";
import { grantsToRenew, renewTeamGrant, type GrantRenewal } from "./team-grant-renewal";

const key = (keyVersion: number, holders: string[]): NewTeamKey => ({
  keyVersion,
  publicKey: randomBytes(32),
  signedAt: Date.now(),
  signature: randomBytes(64),
  seals: holders.map((userId) => ({ userId, sealedKey: randomBytes(120) })),
});

async function expectAppError(run: Promise<unknown>, code: string) {
  const error = await run.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

/** A successor as the patient's browser would send it: random bytes stand in for the sealed and signed parts. */
const successor = (recordIds: string[], wrapped: string[], teamKeyVersion = 2, keyVersion = 1): GrantRenewal => ({
  grantId: randomUUID(),
  teamKeyVersion,
  sealedShareKey: randomBytes(98),
  statement: randomBytes(40),
  signature: randomBytes(64),
  sealedProfile: randomBytes(60),
  recordIds,
  wraps: wrapped.map((recordId) => ({ recordId, keyVersion, wrappedKey: randomBytes(74) })),
});

describe.each(testDatabaseKinds())("renewing a share with a care team after a member left, on %s", (kind) => {
  let database: TestDatabase;
  const [admin, orgAdmin, alice, bob] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const organizationId = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [orgAdmin, alice, bob] });
    await insertPeople(database.db, { patients: [admin] });
    await database.db.insert(clinicianDirectory).values(
      [orgAdmin, alice, bob].map((userId) => ({
        userId,
        displayName: `Dr ${userId.slice(0, 4)}`,
        specialty: "Cardiology",
        organization: "Riverside",
        licenceNumber: "L1",
        verifiedAt: new Date(),
      })),
    );
    await insertCertifiedOrganization(database.db, admin, { id: organizationId, name: "Riverside Hospital", adminId: orgAdmin });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function teamSharedWith(scope: "records" | "all") {
    const teamId = randomUUID();
    await database.db.transaction((tx) =>
      insertTeam(tx, orgAdmin, { id: teamId, organizationId, name: "Cardiology", memberIds: [alice, bob], key: key(1, [alice, bob, orgAdmin]) }),
    );
    const patient = randomUUID();
    await insertPeople(database.db, { patients: [patient] });
    await database.db
      .insert(keyCertificates)
      .values({ id: randomUUID(), userId: patient, identityPublicKey: randomBytes(32), encryptionPublicKey: randomBytes(32), certificate: randomBytes(150) });
    const items = [newRecordItem(), newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, items);
    const recordIds = items.map((item) => item.id);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const grant = newGrant(teamId, scope === "all" ? [] : recordIds, { teamKeyVersion: 1, scope, permission: "contribute", expiresAt });
    grant.wraps = recordIds.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) }));
    await createGrant(database.db, patient, grant);
    return { teamId, patient, grantId: grant.grantId, recordIds, expiresAt };
  }

  const removeBobAndReplaceKey = async (teamId: string, replace = true) => {
    await database.db.transaction((tx) => deleteMember(tx, teamId, bob));
    if (replace) await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, key(2, [alice, orgAdmin])));
  };

  it("needs no renewal until a member leaves, then waits for the team's new key, holding back the records' rotations meanwhile", async () => {
    const { teamId, patient, grantId } = await teamSharedWith("records");
    expect(await grantsToRenew(database.db, patient)).toEqual([]);
    await removeBobAndReplaceKey(teamId, false);
    const waiting = await grantsToRenew(database.db, patient);
    expect(waiting.map((grant) => [grant.id, grant.ready])).toEqual([[grantId, false]]);
    // The records keep their keys (and the remaining member their access) until the share is renewed.
    const work = await keyMaintenanceOf(database.db, patient);
    expect(work.rotations).toEqual([]);
    expect((await fetchSharedRecords(database.db, alice, grantId)).records).toHaveLength(3);
    // Sealing a successor to the key the member who left holds is refused.
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor(waiting[0]!.recordIds, waiting[0]!.recordIds, 1)), "conflict");
    expect((await grantsOfPatient(database.db, patient)).map((grant) => [grant.id, grant.awaitingRenewal])).toEqual([[grantId, true]]);
    await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, key(2, [alice, orgAdmin])));
    expect((await grantsToRenew(database.db, patient)).map((grant) => grant.ready)).toEqual([true]);
  });

  it("stores the successor and ends the old grant in one commit: one continuing share with the same terms, the old share key and wraps gone, a retry changing nothing", async () => {
    const { teamId, patient, grantId, recordIds, expiresAt } = await teamSharedWith("records");
    // One record taken out of the share before the member left: the successor does not list it.
    await revokeRecordFromGrant(database.db, patient, grantId, recordIds[2]!);
    await removeBobAndReplaceKey(teamId);
    const listed = recordIds.slice(0, 2);
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor(recordIds, recordIds)), "invalid-input");
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor(listed, listed.slice(0, 1))), "conflict");
    const renewal = successor(listed, listed);
    expect(await renewTeamGrant(database.db, patient, grantId, renewal)).toEqual({ renewed: true });

    const [old] = await database.db.select().from(grants).where(eq(grants.id, grantId));
    const [next] = await database.db.select().from(grants).where(eq(grants.id, renewal.grantId));
    expect(old).toMatchObject({ sealedShareKey: null, sealedProfile: null });
    expect(old!.revokedAt).not.toBeNull();
    expect(next).toMatchObject({
      teamId,
      teamKeyVersion: 2,
      shareKeyTeamVersion: 2,
      renewsGrantId: grantId,
      scope: "records",
      permission: "contribute",
      revision: 1,
    });
    expect(next!.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(next!.createdAt.getTime()).toBe(old!.createdAt.getTime());
    expect(await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId))).toEqual([]);
    expect((await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, renewal.grantId))).length).toBe(2);

    // The patient's list shows one share, renewed; the remaining member opens it, the old grant and the member who left nothing.
    const list = await grantsOfPatient(database.db, patient);
    expect(list.map((grant) => [grant.id, grant.recordIds.sort(), grant.awaitingRenewal, grant.renewedAt !== null])).toEqual([
      [renewal.grantId, [...listed].sort(), false, true],
    ]);
    expect((await fetchSharedRecords(database.db, alice, renewal.grantId)).records).toHaveLength(2);
    await expectAppError(fetchSharedRecords(database.db, alice, grantId), "not-found");
    await expectAppError(fetchSharedRecords(database.db, bob, renewal.grantId), "not-found");
    // Now the records move to new keys, wrapped for the successor only.
    const work = await keyMaintenanceOf(database.db, patient);
    expect(work.rotations.map((rotation) => rotation.grantIds)).toEqual(
      work.rotations.map((rotation) => ((listed as string[]).includes(rotation.recordId) ? [renewal.grantId] : [])),
    );
    expect(work.rotations.map((rotation) => rotation.recordId).sort()).toEqual([...recordIds].sort());

    // The same successor again (a lost response, a crash after the commit): nothing changes. Another one: refused.
    expect(await renewTeamGrant(database.db, patient, grantId, renewal)).toEqual({ renewed: false });
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor(listed, listed)), "conflict");
    expect(await grantsToRenew(database.db, patient)).toEqual([]);
    const trail = await database.db
      .select({ action: auditEvents.action, grantId: auditEvents.grantId })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patient), isNotNull(auditEvents.grantId)));
    expect(trail.filter((event) => event.action === "grant-renewed")).toEqual([{ action: "grant-renewed", grantId: renewal.grantId }]);
    expect(trail.filter((event) => event.action === "grant-revoked" || (event.action === "grant-created" && event.grantId === renewal.grantId))).toEqual([]);
  });

  it("makes exactly one successor when two devices renew at once", async () => {
    const { teamId, patient, grantId, recordIds } = await teamSharedWith("records");
    await removeBobAndReplaceKey(teamId);
    const attempts = await Promise.allSettled([
      renewTeamGrant(database.db, patient, grantId, successor(recordIds, recordIds)),
      renewTeamGrant(database.db, patient, grantId, successor(recordIds, recordIds)),
    ]);
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
    const refused = attempts.find((attempt) => attempt.status === "rejected") as PromiseRejectedResult;
    expect((refused.reason as AppError).code).toBe("conflict");
    expect(await database.db.select({ id: grants.id }).from(grants).where(eq(grants.renewsGrantId, grantId))).toHaveLength(1);
  });

  it("renews an all-records share with its exclusions, and wraps nothing new under the old share key meanwhile", async () => {
    const { teamId, patient, grantId, recordIds } = await teamSharedWith("all");
    await revokeRecordFromGrant(database.db, patient, grantId, recordIds[0]!);
    await removeBobAndReplaceKey(teamId, false);
    // A record written now gets no wrap under the old share key (the browser sends none; the server would refuse one).
    const written = newRecordItem();
    await createRecords(database.db, patient, [written]);
    await expectAppError(
      createRecords(database.db, patient, [newRecordItem([{ grantId, wrappedKey: Buffer.from(randomBytes(74)).toString("base64url") }])]),
      "conflict",
    );
    expect((await keyMaintenanceOf(database.db, patient)).missingWraps).toEqual([]);
    // Nor can the share be changed until it is renewed.
    await expectAppError(
      changeGrant(database.db, patient, grantId, {
        revision: 2,
        scope: "all",
        permission: "read",
        expiresAt: null,
        statement: randomBytes(40),
        signature: randomBytes(64),
        recordIds: [],
        wraps: [],
      }),
      "conflict",
    );
    await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, key(2, [alice, orgAdmin])));
    const covered = [...recordIds.slice(1), written.id];
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor([], recordIds.slice(1))), "conflict");
    const renewal = successor([], covered);
    expect(await renewTeamGrant(database.db, patient, grantId, renewal)).toEqual({ renewed: true });
    const excluded = await database.db.select().from(grantExclusions).where(eq(grantExclusions.grantId, renewal.grantId));
    expect(excluded.map((row) => row.recordId)).toEqual([recordIds[0]]);
    expect((await fetchSharedRecords(database.db, alice, renewal.grantId)).records).toHaveLength(3);
  });

  it("refuses to renew a grant that needs none, a clinician's grant, an ended one, or another patient's", async () => {
    const { teamId, patient, grantId, recordIds } = await teamSharedWith("records");
    await expectAppError(renewTeamGrant(database.db, patient, grantId, successor(recordIds, recordIds, 1)), "conflict");
    const clinicianGrant = newGrant(alice, recordIds);
    await createGrant(database.db, patient, clinicianGrant);
    await expectAppError(renewTeamGrant(database.db, patient, clinicianGrant.grantId, successor(recordIds, recordIds)), "invalid-input");
    await removeBobAndReplaceKey(teamId);
    await expectAppError(renewTeamGrant(database.db, randomUUID(), grantId, successor(recordIds, recordIds)), "not-found");
  });
});
