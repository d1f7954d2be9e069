import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { careTeamKeySeals, careTeamKeys, clinicianDirectory, grants, keyCertificates, keyRotations, organizationAdminStatements } from "@/drizzle/schema";
import { deleteAccount } from "@/lib/accounts/account-deletion";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { identityKeyOf, statementFor } from "./test-fixtures";
import { AppError } from "@/lib/errors";
import { trailPage } from "@/lib/audit/trail-store";
import { createRecords } from "@/lib/records/chart-store";
import { createGrant, fetchSharedRecords } from "@/lib/grants/grant-store";
import { receivedGrantsOf } from "@/lib/grants/shared-store";
import { insertPeople, newGrant, newRecordItem } from "@/lib/grants/test-fixtures";
import {
  deleteMember,
  grantsToReseal,
  insertMember,
  insertNextTeamKey,
  insertOrganization,
  insertTeam,
  organizationAdminStatementsOf,
  searchTeams,
  teamKeysOf,
  updateReseals,
  type NewTeamKey,
} from "./team-store";

const key = (keyVersion: number, holders: string[]): NewTeamKey => ({
  keyVersion,
  publicKey: randomBytes(32),
  signedAt: Date.now(),
  signature: randomBytes(64),
  seals: holders.map((userId) => ({ userId, sealedKey: randomBytes(120) })),
});

/** The identity key the account's current key certificate names (what a deployment administrator's browser signs). */
async function expectAppError(run: Promise<unknown>, code: string) {
  const error = await run.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe.each(testDatabaseKinds())("care teams, on %s", (kind) => {
  let database: TestDatabase;
  const [admin, orgAdmin, alice, bob, unverified] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const organizationId = randomUUID();
  let statementId = "";

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [orgAdmin, alice, bob, unverified] });
    await insertPeople(database.db, { patients: [admin] });
    await database.db.insert(clinicianDirectory).values(
      [orgAdmin, alice, bob, unverified].map((userId) => ({
        userId,
        displayName: `Dr ${userId.slice(0, 4)}`,
        specialty: "Cardiology",
        organization: "Riverside",
        licenceNumber: "L1",
        verifiedAt: userId === unverified ? null : new Date(),
      })),
    );
    const statement = statementFor(orgAdmin, await identityKeyOf(database.db, orgAdmin));
    statementId = statement.id;
    await database.db.transaction((tx) =>
      insertOrganization(tx, admin, { id: organizationId, name: "Riverside Hospital", administratorIds: [orgAdmin], statements: [statement] }),
    );
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newTeam(members: string[]) {
    const id = randomUUID();
    await database.db.transaction((tx) =>
      insertTeam(tx, orgAdmin, { id, organizationId, name: "Cardiology", memberIds: members, key: key(1, [...members, orgAdmin]) }),
    );
    return id;
  }

  async function patientSharingWithTeam(teamId: string, teamKeyVersion = 1) {
    const patient = randomUUID();
    await insertPeople(database.db, { patients: [patient] });
    await database.db
      .insert(keyCertificates)
      .values({ id: randomUUID(), userId: patient, identityPublicKey: randomBytes(32), encryptionPublicKey: randomBytes(32), certificate: randomBytes(150) });
    const items = [newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, items);
    const grant = newGrant(
      teamId,
      items.map((item) => item.id),
      { teamKeyVersion },
    );
    await createGrant(database.db, patient, grant);
    return { patient, grantId: grant.grantId, recordIds: items.map((item) => item.id) };
  }

  it("refuses a team key not sealed to exactly its members and administrators, and members whose entry no administrator verified", async () => {
    const id = randomUUID();
    await expectAppError(
      database.db.transaction((tx) => insertTeam(tx, orgAdmin, { id, organizationId, name: "T", memberIds: [alice], key: key(1, [alice]) })),
      "conflict",
    );
    await expectAppError(
      database.db.transaction((tx) =>
        insertTeam(tx, orgAdmin, { id, organizationId, name: "T", memberIds: [unverified], key: key(1, [unverified, orgAdmin]) }),
      ),
      "invalid-input",
    );
  });

  it("serves a team grant to every current member, each named in the patient's trail, and to no one else", async () => {
    const teamId = await newTeam([alice, bob]);
    const { grantId } = await patientSharingWithTeam(teamId);
    const [stored] = await database.db.select().from(grants).where(eq(grants.id, grantId));
    expect(stored).toMatchObject({ clinicianId: null, teamId, teamKeyVersion: 1 });
    for (const member of [alice, bob]) {
      const received = await receivedGrantsOf(database.db, member);
      expect(received.grants.find((grant) => grant.grantId === grantId)?.team).toEqual({ teamId, keyVersion: 1 });
      const { records } = await fetchSharedRecords(database.db, member, grantId);
      expect(records).toHaveLength(2);
    }
    await expectAppError(fetchSharedRecords(database.db, orgAdmin, grantId), "not-found");
    // The patient's History says which team each member's read came through.
    const page = await trailPage(database.db, stored!.patientId, { after: 0, limit: 100 });
    const reads = page.events.filter((event) => event.actorId === alice || event.actorId === bob);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((event) => event.grantId === grantId)).toBe(true);
    expect(page.teams).toEqual({ [grantId]: "Cardiology · Riverside Hospital" });
  });

  it("cuts a removed member off at once, queues the records' rotation, and re-seals to the next key version resumably", async () => {
    const teamId = await newTeam([alice, bob]);
    const { patient, grantId, recordIds } = await patientSharingWithTeam(teamId);
    const queued = await database.db.transaction((tx) => deleteMember(tx, teamId, bob));
    expect(queued).toEqual([patient]);
    await expectAppError(fetchSharedRecords(database.db, bob, grantId), "not-found");
    expect((await receivedGrantsOf(database.db, bob)).grants.map((grant) => grant.grantId)).not.toContain(grantId);
    expect(
      await database.db
        .select()
        .from(careTeamKeySeals)
        .where(and(eq(careTeamKeySeals.teamId, teamId), eq(careTeamKeySeals.userId, bob))),
    ).toEqual([]);
    const rotations = await database.db.select().from(keyRotations).where(eq(keyRotations.ownerId, patient));
    expect(rotations.map((row) => row.recordId).sort()).toEqual([...recordIds].sort());
    // The remaining member still opens the records meanwhile, with the old key.
    expect((await fetchSharedRecords(database.db, alice, grantId)).records).toHaveLength(2);
    // No new grant to the team until its key is replaced; a removed member is not sealed to.
    await expectAppError(patientSharingWithTeam(teamId), "conflict");
    await expectAppError(
      database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, key(2, [alice, bob, orgAdmin]))),
      "conflict",
    );
    const next = key(2, [alice, orgAdmin]);
    await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, next));
    await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, next));
    const pending = await grantsToReseal(database.db, teamId, 2, 50);
    expect(pending.map((row) => row.grantId)).toEqual([grantId]);
    const resealed = randomBytes(98);
    expect(await database.db.transaction((tx) => updateReseals(tx, teamId, 2, [{ grantId, sealedShareKey: resealed }]))).toBe(1);
    expect(await database.db.transaction((tx) => updateReseals(tx, teamId, 2, [{ grantId, sealedShareKey: randomBytes(98) }]))).toBe(0);
    expect(await grantsToReseal(database.db, teamId, 2, 50)).toEqual([]);
    const received = (await receivedGrantsOf(database.db, alice)).grants.find((grant) => grant.grantId === grantId);
    expect(received?.team).toEqual({ teamId, keyVersion: 2 });
    expect(Buffer.from(received!.sealedShareKey!, "base64url").equals(resealed)).toBe(true);
    await patientSharingWithTeam(teamId, 2);
  });

  it("adds a member with the current key sealed to them, names the patients sharing with the team (to be told), and refuses an old key version", async () => {
    const teamId = await newTeam([alice]);
    const { grantId, patient } = await patientSharingWithTeam(teamId);
    await expectAppError(fetchSharedRecords(database.db, bob, grantId), "not-found");
    await expectAppError(
      database.db.transaction((tx) => insertMember(tx, teamId, { userId: bob, keyVersion: 2, sealedKey: randomBytes(120) })),
      "conflict",
    );
    expect(await database.db.transaction((tx) => insertMember(tx, teamId, { userId: bob, keyVersion: 1, sealedKey: randomBytes(120) }))).toEqual([patient]);
    // Adding again changes nothing and tells nobody.
    expect(await database.db.transaction((tx) => insertMember(tx, teamId, { userId: bob, keyVersion: 1, sealedKey: randomBytes(120) }))).toBeNull();
    expect((await fetchSharedRecords(database.db, bob, grantId)).records).toHaveLength(2);
  });

  it("keeps a grant to exactly one clinician or one team (the table's check)", async () => {
    const teamId = await newTeam([alice]);
    const { grantId } = await patientSharingWithTeam(teamId);
    await expect(database.db.update(grants).set({ clinicianId: alice }).where(eq(grants.id, grantId))).rejects.toThrow();
  });
  it("stores each administrator's statement as signed, and refuses an organization without exactly one per administrator or naming another key", async () => {
    const [stored] = await database.db.select().from(organizationAdminStatements).where(eq(organizationAdminStatements.id, statementId));
    expect(stored).toMatchObject({
      organizationId,
      organizationName: "Riverside Hospital",
      adminId: orgAdmin,
      signerId: admin,
      signerName: "Ada Admin, registrar",
    });
    expect(Buffer.from(stored!.adminIdentityPublicKey)).toEqual(Buffer.from(await identityKeyOf(database.db, orgAdmin)));
    const organization = (statements: Array<ReturnType<typeof statementFor>>) =>
      database.db.transaction((tx) => insertOrganization(tx, admin, { id: randomUUID(), name: "Hillside", administratorIds: [orgAdmin], statements }));
    await expectAppError(organization([]), "invalid-input");
    await expectAppError(organization([statementFor(alice, await identityKeyOf(database.db, alice))]), "invalid-input");
    await expectAppError(organization([statementFor(orgAdmin, randomBytes(32))]), "conflict");
  });

  it("keeps with each key version its maker's identity key and, for an organization administrator certified for the organization, the statement (a member's has none)", async () => {
    const teamId = await newTeam([alice, bob]);
    await database.db.transaction((tx) => deleteMember(tx, teamId, bob));
    await database.db.transaction((tx) => insertNextTeamKey(tx, teamId, alice, key(2, [alice, orgAdmin])));
    const [first, second] = await teamKeysOf(database.db, [teamId]);
    expect(first).toMatchObject({ keyVersion: 1, makerId: orgAdmin, chainStatementId: statementId });
    expect(Buffer.from(first!.makerIdentityPublicKey!)).toEqual(Buffer.from(await identityKeyOf(database.db, orgAdmin)));
    expect(second).toMatchObject({ keyVersion: 2, makerId: alice, chainStatementId: null });
    expect(Buffer.from(second!.makerIdentityPublicKey!)).toEqual(Buffer.from(await identityKeyOf(database.db, alice)));
    expect([...(await organizationAdminStatementsOf(database.db, [first!.chainStatementId, second!.chainStatementId])).keys()]).toEqual([statementId]);
  });

  it("keeps a key version verifiable after its maker and the certifying administrator delete their accounts: the team is still found, with its chain", async () => {
    const [maker, deploymentAdmin] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { nurses: [maker] });
    await insertPeople(database.db, { patients: [deploymentAdmin] });
    const orgId = randomUUID();
    const statement = statementFor(maker, await identityKeyOf(database.db, maker));
    await database.db.transaction((tx) =>
      insertOrganization(tx, deploymentAdmin, { id: orgId, name: "Leavers Clinic", administratorIds: [maker], statements: [statement] }),
    );
    const teamId = randomUUID();
    await database.db.transaction((tx) =>
      insertTeam(tx, maker, { id: teamId, organizationId: orgId, name: "Leavers Cardiology", memberIds: [alice], key: key(1, [alice, maker]) }),
    );
    const makerKey = await identityKeyOf(database.db, maker);
    const noBlobs = { delete: async () => {} } as unknown as BlobStore;
    await deleteAccount(database.db, noBlobs, maker);
    await deleteAccount(database.db, noBlobs, deploymentAdmin);

    const [kept] = await database.db.select().from(careTeamKeys).where(eq(careTeamKeys.teamId, teamId));
    expect(kept).toMatchObject({ makerId: maker, chainStatementId: statement.id });
    expect(Buffer.from(kept!.makerIdentityPublicKey!)).toEqual(Buffer.from(makerKey));
    const [found] = await searchTeams(database.db, "Leavers Cardiology", 5);
    expect(found).toMatchObject({ teamId, keyVersion: 1, makerId: maker, chainStatementId: statement.id });
    expect((await organizationAdminStatementsOf(database.db, [statement.id])).get(statement.id)).toMatchObject({ adminId: maker, signerId: deploymentAdmin });
  });
});
