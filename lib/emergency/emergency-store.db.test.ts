import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, keyCertificates, keyRotations, recordKeyWraps } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { activeGrantsForClinician, grantsOfPatient } from "@/lib/grants/grant-store";
import { insertPeople, newRecordItem } from "@/lib/grants/test-fixtures";
import { createRecords } from "@/lib/records/chart-store";
import { noticesOfRecipient } from "@/lib/notices/notice-store";
import { missingWraps } from "@/lib/records/grant-coverage";
import {
  answerEmergencyRequest,
  createEmergencyContact,
  emergencyContactsOf,
  emergencyRolesOf,
  endEmergencyContact,
  openEmergencySet,
  requestEmergencyAccess,
  stateOf,
  type NewEmergencyContact,
} from "./emergency-store";

const day = 86_400;

describe.each(testDatabaseKinds())("emergency contacts on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  // Any account: a patient and a doctor, both with certified keys.
  const contact = randomUUID();
  const doctor = randomUUID();
  const stranger = randomUUID();
  let recordIds: string[];

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient, contact, stranger], doctors: [doctor] });
    await database.db
      .insert(keyCertificates)
      .values({ id: randomUUID(), userId: contact, identityPublicKey: randomBytes(32), encryptionPublicKey: randomBytes(32), certificate: randomBytes(150) });
    const batch = Array.from({ length: 3 }, () => newRecordItem());
    await createRecords(database.db, patient, batch);
    recordIds = batch.map((record) => record.id);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const named = (contactId: string, ids: string[], waitSeconds = day): NewEmergencyContact => ({
    grantId: randomUUID(),
    contactId,
    waitSeconds,
    sealedShareKey: randomBytes(98),
    statement: randomBytes(40),
    signature: randomBytes(64),
    sealedProfile: randomBytes(60),
    sealedChoice: randomBytes(120),
    recordIds: ids,
    wraps: ids.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) })),
  });
  /** The patient's answers the contact's notice centre (and live stream) holds for one grant: how many events each notice folds. */
  const answersTold = async (contactId: string, grantId: string) =>
    (await noticesOfRecipient(database.db, contactId)).notices
      .filter((notice) => notice.kind === "emergency-answered" && notice.grantId === grantId)
      .map((notice) => notice.count);
  const actions = async (grantId: string) =>
    (await database.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.grantId, grantId))).map((row) => row.action);

  it("serves nothing before a request, nor while the wait runs, and opens when it ends without the patient", async () => {
    const start = new Date("2030-01-01T00:00:00Z");
    const input = named(contact, recordIds.slice(0, 2));
    await createEmergencyContact(database.db, patient, input);
    // Never an ordinary grant: not in the patient's shares, never served through /api/shared.
    expect((await grantsOfPatient(database.db, patient)).map((row) => row.id)).not.toContain(input.grantId);
    expect((await activeGrantsForClinician(database.db, contact, start)).map((row) => row.id)).not.toContain(input.grantId);
    expect((await emergencyRolesOf(database.db, contact, start)).map((role) => role.state)).toEqual(["standby"]);
    expect(await codeOf(openEmergencySet(database.db, contact, input.grantId, start))).toBe("forbidden");
    expect(await codeOf(openEmergencySet(database.db, stranger, input.grantId, start))).toBe("not-found");

    const requested = await requestEmergencyAccess(database.db, contact, input.grantId, 1, start);
    expect(requested.state).toBe("requested");
    expect(requested.contact.opensAt?.toISOString()).toBe(new Date(start.getTime() + day * 1000).toISOString());
    const justBefore = new Date(start.getTime() + day * 1000 - 1);
    expect(await codeOf(openEmergencySet(database.db, contact, input.grantId, justBefore))).toBe("forbidden");
    const after = new Date(start.getTime() + day * 1000);
    const opened = await openEmergencySet(database.db, contact, input.grantId, after);
    expect(opened.records.map((record) => record.id).sort()).toEqual(recordIds.slice(0, 2).sort());
    expect(await actions(input.grantId)).toEqual(expect.arrayContaining(["emergency-contact-named", "emergency-requested", "emergency-records-received"]));
    // Still never served through the ordinary routes once open.
    expect((await activeGrantsForClinician(database.db, contact, after)).map((row) => row.id)).not.toContain(input.grantId);
  });

  it("scales the wait on the server's clock, and a refusal closes the request until the next one", async () => {
    const start = new Date("2030-02-01T00:00:00Z");
    const input = named(doctor, [recordIds[0]!], 7 * day);
    await createEmergencyContact(database.db, patient, input);
    const { contact: row } = await requestEmergencyAccess(database.db, doctor, input.grantId, 0.001, start);
    expect(row.opensAt!.getTime() - start.getTime()).toBe(Math.round(7 * day * 0.001 * 1000));
    await answerEmergencyRequest(database.db, patient, input.grantId, "refuse", start);
    const later = new Date(start.getTime() + 7 * day * 1000);
    expect(await codeOf(openEmergencySet(database.db, doctor, input.grantId, later))).toBe("forbidden");
    expect((await emergencyRolesOf(database.db, doctor, later)).find((role) => role.contact.grantId === input.grantId)?.state).toBe("refused");
    // Asking again starts a new wait; approving opens it at once.
    expect((await requestEmergencyAccess(database.db, doctor, input.grantId, 1, later)).state).toBe("requested");
    expect(await codeOf(answerEmergencyRequest(database.db, stranger, input.grantId, "approve", later))).toBe("not-found");
    await answerEmergencyRequest(database.db, patient, input.grantId, "approve", later);
    expect((await openEmergencySet(database.db, doctor, input.grantId, later)).records).toHaveLength(1);
    // Refusing once open is refused: ending it is what cuts the contact off.
    expect(await codeOf(answerEmergencyRequest(database.db, patient, input.grantId, "refuse", later))).toBe("conflict");
    // The contact is told of each answer (a week apart: two notices), never of a refused attempt.
    expect(await answersTold(doctor, input.grantId)).toEqual([1, 1]);
  });

  it("ends as a revoke: wraps gone at once, records queued for rotation, the contact told it ended", async () => {
    const start = new Date("2030-03-01T00:00:00Z");
    const input = named(contact, [recordIds[2]!], 0);
    await createEmergencyContact(database.db, patient, input);
    expect((await requestEmergencyAccess(database.db, contact, input.grantId, 1, start)).state).toBe("open");
    await endEmergencyContact(database.db, patient, input.grantId, start);
    await endEmergencyContact(database.db, patient, input.grantId, start);
    expect(await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, input.grantId))).toEqual([]);
    expect((await database.db.select().from(keyRotations).where(eq(keyRotations.recordId, recordIds[2]!))).length).toBe(1);
    expect(await codeOf(openEmergencySet(database.db, contact, input.grantId, start))).toBe("gone");
    expect(await codeOf(requestEmergencyAccess(database.db, contact, input.grantId, 1, start))).toBe("gone");
    expect((await emergencyContactsOf(database.db, patient, start)).find((row) => row.contact.grantId === input.grantId)?.state).toBe("ended");
    expect((await actions(input.grantId)).filter((action) => action === "emergency-ended")).toHaveLength(1);
    expect(await answersTold(contact, input.grantId)).toEqual([1]);
  });

  it("refuses oneself, unknown accounts, and others' records; the patient's key upkeep covers the set", async () => {
    expect(await codeOf(createEmergencyContact(database.db, patient, named(patient, [])))).toBe("invalid-input");
    expect(await codeOf(createEmergencyContact(database.db, patient, named(randomUUID(), [])))).toBe("invalid-input");
    expect(await codeOf(createEmergencyContact(database.db, stranger, named(contact, [recordIds[0]!])))).toBe("invalid-input");
    // A new record listed in a live set but not yet wrapped shows as missing, like any grant's.
    const input = named(contact, [recordIds[1]!]);
    await createEmergencyContact(database.db, patient, input);
    await database.db.delete(recordKeyWraps).where(eq(recordKeyWraps.grantId, input.grantId));
    expect((await missingWraps(database.db, patient, new Date())).some((wrap) => wrap.grantId === input.grantId)).toBe(true);
  });

  it("says where a contact stands from the stored request alone", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const none = { requestedAt: null, opensAt: null, approvedAt: null, refusedAt: null };
    expect(stateOf(none, null, now)).toBe("standby");
    expect(stateOf({ ...none, requestedAt: now, opensAt: new Date(now.getTime() + 1) }, null, now)).toBe("requested");
    expect(stateOf({ ...none, requestedAt: now, opensAt: now }, null, now)).toBe("open");
    expect(stateOf({ ...none, requestedAt: now, opensAt: new Date(now.getTime() + 1), approvedAt: now }, null, now)).toBe("open");
    expect(stateOf({ ...none, requestedAt: now, opensAt: now, refusedAt: now }, null, now)).toBe("refused");
    expect(stateOf({ ...none, requestedAt: now, opensAt: now }, now, now)).toBe("ended");
  });
});
