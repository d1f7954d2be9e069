import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { noticeKindsFor, noticeSchema } from "@/contract/notices";
import { clinicianDirectory, grants, notices } from "@/drizzle/schema";
import { deleteAccount } from "@/lib/accounts/account-deletion";
import { chunkedBlobStore } from "@/lib/blobs/chunked-blob-store";
import { fileChunkBodies } from "@/lib/blobs/file-chunk-bodies";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { insertCertifiedOrganization } from "@/lib/teams/test-fixtures";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { insertPeople, newGrant, newRecordItem } from "@/lib/grants/test-fixtures";
import { closeExpiredGrants } from "@/lib/records/grant-coverage";
import { createRecords } from "@/lib/records/chart-store";
import { insertTeam } from "@/lib/teams/team-store";
import { noticesOfRecipient } from "./notice-store";

// A clinician (and each member of a care team) hears when a patient starts sharing with them,
// stops (a revoke, or the end date passing) or leaves: fixed words, the patient's account id
// as the actor (their browser adds the name the patient revealed), nothing else.
describe.each(testDatabaseKinds())("clinicians' notices on %s", (kind) => {
  let database: TestDatabase;
  let blobDir: string;
  const [doctor, alice, bob, orgAdmin, creator] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const organizationId = randomUUID();
  const teamId = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    blobDir = mkdtempSync(path.join(tmpdir(), "hsc-clinician-notices-"));
    await insertPeople(database.db, { doctors: [doctor, alice, bob, orgAdmin], patients: [creator] });
    await database.db.insert(clinicianDirectory).values(
      [doctor, alice, bob, orgAdmin].map((userId) => ({
        userId,
        displayName: `Dr ${userId.slice(0, 4)}`,
        specialty: "Cardiology",
        organization: "Riverside",
        licenceNumber: `L-${userId.slice(0, 6)}`,
        verifiedAt: new Date(),
      })),
    );
    await insertCertifiedOrganization(database.db, creator, { id: organizationId, name: "Riverside Hospital", adminId: orgAdmin });
    await database.db.transaction((tx) =>
      insertTeam(tx, orgAdmin, {
        id: teamId,
        organizationId,
        name: "Cardiology",
        memberIds: [alice, bob],
        key: {
          keyVersion: 1,
          publicKey: randomBytes(32),
          signedAt: Date.now(),
          signature: randomBytes(64),
          seals: [alice, bob, orgAdmin].map((userId) => ({ userId, sealedKey: randomBytes(120) })),
        },
      }),
    );
  });
  afterAll(async () => {
    await database?.dispose();
    rmSync(blobDir, { recursive: true, force: true });
  });

  async function sharingPatient() {
    const patient = randomUUID();
    await insertPeople(database.db, { patients: [patient] });
    const items = [newRecordItem()];
    await createRecords(database.db, patient, items);
    return { patient, recordIds: items.map((item) => item.id) };
  }
  const kindsOf = async (recipientId: string, patient: string) =>
    (await noticesOfRecipient(database.db, recipientId)).notices
      .filter((notice) => notice.actorId === patient || notice.actorId === null)
      .map((notice) => notice.kind);

  it("tells the clinician when a patient starts sharing and when they revoke, naming only the patient's account", async () => {
    const { patient, recordIds } = await sharingPatient();
    const grant = newGrant(doctor, recordIds);
    await createGrant(database.db, patient, grant);
    const [shared] = (await noticesOfRecipient(database.db, doctor)).notices.filter((notice) => notice.actorId === patient);
    expect(shared).toMatchObject({ kind: "patient-shared", actorId: patient, grantId: grant.grantId, linkId: null, recordId: null, read: false });
    expect(noticeSchema.parse(shared)).toEqual(shared);
    // The patient's own centre gets none of these.
    expect((await noticesOfRecipient(database.db, patient)).notices).toEqual([]);

    await revokeGrant(database.db, patient, grant.grantId);
    expect(await kindsOf(doctor, patient)).toEqual(["patient-stopped-sharing", "patient-shared"]);
  });

  it("tells the clinician when a share's end date passes", async () => {
    const { patient, recordIds } = await sharingPatient();
    const grant = newGrant(doctor, recordIds, { expiresAt: new Date(Date.now() + 60_000) });
    await createGrant(database.db, patient, grant);
    expect(await closeExpiredGrants(database.db, patient, new Date(Date.now() + 120_000))).toBe(1);
    expect(await kindsOf(doctor, patient)).toContain("patient-stopped-sharing");
  });

  it("tells every member of a care team, and not the organization's administrator who is no member", async () => {
    const { patient, recordIds } = await sharingPatient();
    const grant = newGrant(teamId, recordIds, { teamKeyVersion: 1 });
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);
    for (const member of [alice, bob]) expect(await kindsOf(member, patient)).toEqual(["patient-stopped-sharing", "patient-shared"]);
    expect(await kindsOf(orgAdmin, patient)).toEqual([]);
  });

  it("tells the clinicians and team members of a patient who deletes their account, naming no one; an ended share is not told twice", async () => {
    const { patient, recordIds } = await sharingPatient();
    const live = newGrant(doctor, recordIds);
    const toTeam = newGrant(teamId, recordIds, { teamKeyVersion: 1 });
    await createGrant(database.db, patient, live);
    await createGrant(database.db, patient, toTeam);
    const { patient: other, recordIds: otherIds } = await sharingPatient();
    const ended = newGrant(alice, otherIds);
    await createGrant(database.db, other, ended);
    await revokeGrant(database.db, other, ended.grantId);

    await deleteAccount(database.db, chunkedBlobStore(database.db, fileChunkBodies(blobDir)), patient);
    await deleteAccount(database.db, chunkedBlobStore(database.db, fileChunkBodies(blobDir)), other);
    const left = async (recipientId: string) =>
      (await database.db.select().from(notices).where(eq(notices.recipientId, recipientId))).filter((row) => row.kind === "patient-left");
    for (const recipient of [doctor, alice, bob]) {
      const rows = await left(recipient);
      // alice heard once (the team's share), not again for the share `other` had already ended.
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actorId: null, grantId: null, linkId: null, recordId: null });
    }
    // The departed patient's id is in no notice any more.
    expect((await database.db.select().from(notices).where(eq(notices.actorId, patient))).length).toBe(0);
    expect((await database.db.select().from(grants).where(eq(grants.patientId, patient))).length).toBe(0);
  });

  it("offers each person the email choices of their own kinds", () => {
    expect(noticeKindsFor("doctor")).toEqual(expect.arrayContaining(["patient-shared", "patient-stopped-sharing", "patient-left", "new-passkey"]));
    expect(noticeKindsFor("doctor")).not.toContain("records-opened");
    expect(noticeKindsFor("patient")).not.toContain("patient-shared");
    expect(noticeKindsFor("admin")).toEqual(["new-passkey", "new-sign-in", "emergency-answered"]);
  });
});
