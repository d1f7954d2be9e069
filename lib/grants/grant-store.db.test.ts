import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { grants, recordKeyWraps } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { codeOf } from "@/lib/app-error-test-helpers";
import { createRecords } from "@/lib/records/chart-store";
import { activeGrantOf, activeGrantsForClinician, createGrant, grantsOfPatient, recordsUnderGrant, revokeGrant, type NewGrant } from "./grant-store";
import { insertPeople, newGrant, newRecordItem } from "./test-fixtures";

describe.each(testDatabaseKinds())("grants on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const doctor = randomUUID();
  const otherPatient = randomUUID();
  let recordIds: string[];

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient, otherPatient], doctors: [doctor] });
    const batch = Array.from({ length: 3 }, () => newRecordItem());
    await createRecords(database.db, patient, batch);
    recordIds = batch.map((record) => record.id);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const grantFor = (ids: string[], overrides: Partial<NewGrant> = {}) => newGrant(doctor, ids, { sealedProfile: randomBytes(60), ...overrides });

  it("stores a grant with exactly one wrap per shared record", async () => {
    const grant = grantFor(recordIds.slice(0, 2));
    await createGrant(database.db, patient, grant);
    const wraps = await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grant.grantId));
    expect(wraps.map((wrap) => wrap.recordId).sort()).toEqual(recordIds.slice(0, 2).sort());
    expect((await grantsOfPatient(database.db, patient)).find((row) => row.id === grant.grantId)?.recordIds.sort()).toEqual(recordIds.slice(0, 2).sort());
    expect((await activeGrantsForClinician(database.db, doctor)).map((row) => row.id)).toContain(grant.grantId);
  });

  it("refuses wraps that do not match the shared records, records of someone else, and non-clinicians", async () => {
    expect(await codeOf(createGrant(database.db, patient, grantFor([recordIds[0]!], { wraps: [] })))).toBe("conflict");
    const extra = grantFor([recordIds[0]!]);
    extra.wraps.push({ recordId: recordIds[1]!, keyVersion: 1, wrappedKey: randomBytes(74) });
    expect(await codeOf(createGrant(database.db, patient, extra))).toBe("conflict");
    expect(await codeOf(createGrant(database.db, otherPatient, grantFor([recordIds[0]!])))).toBe("invalid-input");
    expect(await codeOf(createGrant(database.db, patient, grantFor([recordIds[0]!], { clinicianId: otherPatient })))).toBe("invalid-input");
    expect(await codeOf(createGrant(database.db, patient, grantFor([recordIds[0]!], { expiresAt: new Date(Date.now() - 1000) })))).toBe("invalid-input");
  });

  it("requires an 'all records' grant to cover every record", async () => {
    expect(await codeOf(createGrant(database.db, patient, grantFor(recordIds.slice(0, 2), { scope: "all" })))).toBe("conflict");
    const all = grantFor(recordIds, { scope: "all", recordIds: [] });
    all.wraps = recordIds.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) }));
    await createGrant(database.db, patient, all);
  });

  it("revokes atomically: share key and wraps gone, clinician refused at once", async () => {
    const grant = grantFor([recordIds[2]!]);
    await createGrant(database.db, patient, grant);
    await activeGrantOf(database.db, doctor, grant.grantId);
    expect((await recordsUnderGrant(database.db, grant.grantId)).map((record) => record.id)).toEqual([recordIds[2]]);
    await revokeGrant(database.db, patient, grant.grantId);
    const [row] = await database.db.select().from(grants).where(eq(grants.id, grant.grantId));
    expect(row?.sealedShareKey).toBeNull();
    expect(row?.sealedProfile).toBeNull();
    expect(row?.revokedAt).toBeInstanceOf(Date);
    expect(await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grant.grantId))).toEqual([]);
    expect(await recordsUnderGrant(database.db, grant.grantId)).toEqual([]);
    expect(await codeOf(activeGrantOf(database.db, doctor, grant.grantId))).toBe("not-found");
    await revokeGrant(database.db, patient, grant.grantId);
    expect(await codeOf(revokeGrant(database.db, otherPatient, grant.grantId))).toBe("not-found");
  });

  it("treats an expired grant as revoked", async () => {
    const grant = grantFor([recordIds[0]!], { expiresAt: new Date(Date.now() + 60_000) });
    await createGrant(database.db, patient, grant);
    await activeGrantOf(database.db, doctor, grant.grantId);
    const later = new Date(Date.now() + 120_000);
    expect(await codeOf(activeGrantOf(database.db, doctor, grant.grantId, later))).toBe("not-found");
    expect((await activeGrantsForClinician(database.db, doctor, later)).map((row) => row.id)).not.toContain(grant.grantId);
  });

  it("refuses a grant id that is already taken, even by another patient's grant, and leaves that grant as it was", async () => {
    const existing = grantFor([recordIds[2]!]);
    await createGrant(database.db, patient, existing);
    const before = await database.db.select().from(grants).where(eq(grants.id, existing.grantId));
    const theirs = newRecordItem();
    await createRecords(database.db, otherPatient, [theirs]);
    expect(await codeOf(createGrant(database.db, otherPatient, newGrant(doctor, [theirs.id], { grantId: existing.grantId })))).toBe("conflict");
    expect(await database.db.select().from(grants).where(eq(grants.id, existing.grantId))).toEqual(before);
    expect(await grantsOfPatient(database.db, otherPatient)).toEqual([]);
  });

  it("lists a patient's grants and a clinician's live grants oldest first, however their rows were updated since", async () => {
    const someone = randomUUID();
    await insertPeople(database.db, { patients: [someone] });
    const records = Array.from({ length: 3 }, () => newRecordItem());
    await createRecords(database.db, someone, records);
    const start = new Date(Date.now() - 60_000);
    const made = records.map((record) => newGrant(doctor, [record.id], { sealedProfile: randomBytes(60) }));
    for (const [index, grant] of made.entries()) await createGrant(database.db, someone, grant, new Date(start.getTime() + index * 1000));
    // Updating a row moves it in the table's storage, so an unordered read returns the first one last.
    await database.db.update(grants).set({ revision: 2 }).where(eq(grants.id, made[0]!.grantId));
    await revokeGrant(database.db, someone, made[1]!.grantId);
    expect((await grantsOfPatient(database.db, someone)).map((grant) => grant.id)).toEqual(made.map((grant) => grant.grantId));
    const live = (await activeGrantsForClinician(database.db, doctor)).filter((grant) => grant.patientId === someone);
    expect(live.map((grant) => grant.id)).toEqual([made[0]!.grantId, made[2]!.grantId]);
  });
});
