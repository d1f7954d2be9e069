import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, grants, recordKeyWraps } from "@/drizzle/schema";
import { refusalOf } from "@/lib/app-error-test-helpers";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { createEmergencyContact } from "@/lib/emergency/emergency-store";
import { createRecords } from "@/lib/records/chart-store";
import { changeShare } from "./grant-changes";
import { createGrant, revokeGrant, revokeRecordFromGrant } from "./grant-store";
import { insertPeople, newGrant, newRecordItem } from "./test-fixtures";

// The share routes (/api/grants/[id]/revoke, /change, /records/[recordId]/revoke) reach these
// functions with whatever grant id the request names; an emergency contact's must not be
// ended or changed there, where it would be logged as a share.
describe.each(testDatabaseKinds())("the share routes and grants of other kinds on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const contact = randomUUID();
  const doctor = randomUUID();
  let recordIds: string[];
  let emergencyId: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient], doctors: [doctor, contact] });
    const batch = Array.from({ length: 2 }, () => newRecordItem());
    await createRecords(database.db, patient, batch);
    recordIds = batch.map((record) => record.id);
    emergencyId = randomUUID();
    await createEmergencyContact(database.db, patient, {
      grantId: emergencyId,
      contactId: contact,
      waitSeconds: 0,
      sealedShareKey: randomBytes(98),
      statement: randomBytes(40),
      signature: randomBytes(64),
      sealedProfile: randomBytes(60),
      sealedChoice: randomBytes(120),
      recordIds,
      wraps: recordIds.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) })),
    });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const eventsOf = async (grantId: string) =>
    (
      await database.db
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.grantId, grantId)))
    ).map((row) => row.action);
  /** Revision 2 of a grant, narrowed to one record (signed bytes are opaque to the server). */
  const narrowedTo = (recordId: string) => ({
    revision: 2,
    scope: "records" as const,
    permission: "read" as const,
    expiresAt: null,
    statement: randomBytes(40),
    signature: randomBytes(64),
    recordIds: [recordId],
    wraps: [],
  });
  const wrapsOf = async (grantId: string) => (await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId))).length;

  it("refuses an emergency contact's grant on revoke, per-record revoke and change, typed and in plain words, and leaves it as it was", async () => {
    const refusals = [
      await refusalOf(revokeGrant(database.db, patient, emergencyId)),
      await refusalOf(revokeRecordFromGrant(database.db, patient, emergencyId, recordIds[0]!)),
      await refusalOf(changeShare(database.db, patient, emergencyId, narrowedTo(recordIds[0]!))),
    ];
    for (const refusal of refusals) {
      expect(refusal.code).toBe("wrong-grant-kind");
      expect(refusal.message).toContain("Emergency contacts page");
    }
    const [row] = await database.db.select().from(grants).where(eq(grants.id, emergencyId));
    expect(row!.revokedAt).toBeNull();
    expect(row!.revision).toBe(1);
    expect(await wrapsOf(emergencyId)).toBe(2);
    expect(await eventsOf(emergencyId)).not.toContain("grant-revoked");
    expect(await eventsOf(emergencyId)).not.toContain("grant-record-revoked");
    expect(await eventsOf(emergencyId)).not.toContain("grant-changed");
  });

  it("still revokes and changes an ordinary share, and answers not-found for someone else's grant as before", async () => {
    const share = newGrant(doctor, recordIds);
    await createGrant(database.db, patient, share);
    const changed = await changeShare(database.db, patient, share.grantId, narrowedTo(recordIds[0]!));
    expect(changed.removed).toEqual([recordIds[1]]);
    await revokeGrant(database.db, patient, share.grantId);
    expect(await eventsOf(share.grantId)).toContain("grant-revoked");
    expect((await refusalOf(revokeGrant(database.db, doctor, emergencyId))).code).toBe("not-found");
  });
});
