import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, EnvelopeKind } from "@/crypto";
import { auditEvents, grants, keyRotations, recordKeyWraps, records } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { createRecords } from "@/lib/records/chart-store";
import { contributeRecord } from "./contributions";
import { changeGrant, type GrantChange } from "./grant-changes";
import { createGrant, grantsOfPatient, revokeGrant } from "./grant-store";
import { b64, insertPeople, newGrant, newRecordItem, versionPayload } from "./test-fixtures";

describe.each(testDatabaseKinds())("changing a grant on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const otherPatient = randomUUID();
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient, otherPatient], doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newRecords(count: number) {
    const batch = Array.from({ length: count }, () => newRecordItem());
    await createRecords(database.db, patient, batch);
    return batch.map((record) => record.id);
  }

  async function sharedGrant(ids: string[], permission: "read" | "contribute" = "contribute", expiresAt: Date | null = null) {
    const grant = newGrant(doctor, ids, { permission, expiresAt });
    await createGrant(database.db, patient, grant);
    return grant.grantId;
  }

  const change = (recordIds: string[], added: string[], overrides: Partial<GrantChange> = {}): GrantChange => ({
    revision: 2,
    scope: "records",
    permission: "read",
    expiresAt: null,
    statement: randomBytes(40),
    signature: randomBytes(64),
    recordIds,
    wraps: added.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) })),
    ...overrides,
  });

  const grantRow = async (grantId: string) => (await grantsOfPatient(database.db, patient)).find((row) => row.id === grantId)!;
  const wrapped = async (grantId: string) =>
    (await database.db.select({ recordId: recordKeyWraps.recordId }).from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId)))
      .map((row) => row.recordId)
      .sort();
  const actions = async (grantId: string) =>
    (
      await database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.grantId, grantId)))
    ).map((event) => [event.action, event.recordId]);
  const contribution = () => ({
    id: randomUUID(),
    sealedOwnerKey: b64(Uint8Array.of(1, EnvelopeKind.sealedRecordKey, ...randomBytes(80))),
    grantWrap: b64(randomBytes(74)),
    version: versionPayload(),
  });

  it("changes records, permission, end date and statement together, with wraps, rotations and the trail", async () => {
    const [kept, dropped, added] = await newRecords(3);
    const grantId = await sharedGrant([kept!, dropped!]);
    const until = new Date(Date.now() + 7 * 86_400_000);
    const signed = change([kept!, added!], [added!], { expiresAt: until });
    const result = await changeGrant(database.db, patient, grantId, signed);

    expect(result).toEqual({ added: [added], removed: [dropped], permissionChanged: true, endDateChanged: true });
    const row = await grantRow(grantId);
    expect(row.permission).toBe("read");
    expect(row.expiresAt?.getTime()).toBe(until.getTime());
    expect(row.revision).toBe(2);
    expect(Buffer.from(row.statement).equals(Buffer.from(signed.statement))).toBe(true);
    expect(Buffer.from(row.signature).equals(Buffer.from(signed.signature))).toBe(true);
    expect(row.recordIds.sort()).toEqual([kept!, added!].sort());
    expect(await wrapped(grantId)).toEqual([kept!, added!].sort());
    const queued = (await database.db.select().from(keyRotations).where(eq(keyRotations.ownerId, patient))).map((rotation) => rotation.recordId);
    expect(queued).toContain(dropped);
    expect(queued).not.toContain(kept);
    expect(queued).not.toContain(added);
    expect(await actions(grantId)).toEqual([
      ["grant-created", null],
      ["grant-changed", null],
      ["grant-permission-changed", null],
      ["grant-end-date-changed", null],
      ["grant-record-added", added],
      ["grant-record-revoked", dropped],
    ]);
    // Read only from the commit on: the clinician can no longer add a note.
    expect(await codeOf(contributeRecord(database.db, doctor, grantId, contribution()))).toBe("forbidden");
  });

  it("removes an end date, and switches between chosen records and all records", async () => {
    const [first, second] = await newRecords(2);
    const grantId = await sharedGrant([first!], "read", new Date(Date.now() + 86_400_000));
    const everything = await database.db.select({ id: records.id }).from(records).where(eq(records.ownerId, patient));
    const others = everything.map((record) => record.id).filter((id) => id !== first);
    await changeGrant(database.db, patient, grantId, change([], others, { scope: "all" }));
    let row = await grantRow(grantId);
    expect(row.scope).toBe("all");
    expect(row.expiresAt).toBeNull();
    expect(await wrapped(grantId)).toEqual(everything.map((record) => record.id).sort());
    await changeGrant(database.db, patient, grantId, change([second!], [], { scope: "records", revision: 3 }));
    row = await grantRow(grantId);
    expect(row.scope).toBe("records");
    expect(row.recordIds).toEqual([second]);
    expect(await wrapped(grantId)).toEqual([second]);
  });

  it("is for the grant's own patient only", async () => {
    const [record] = await newRecords(1);
    const grantId = await sharedGrant([record!]);
    expect(await codeOf(changeGrant(database.db, otherPatient, grantId, change([record!], [])))).toBe("not-found");
    expect(await codeOf(changeGrant(database.db, doctor, grantId, change([record!], [])))).toBe("not-found");
    expect(await codeOf(changeGrant(database.db, patient, randomUUID(), change([record!], [])))).toBe("not-found");
    expect((await grantRow(grantId)).revision).toBe(1);
    expect((await grantRow(grantId)).permission).toBe("contribute");
  });

  it("refuses a revoked or an expired grant", async () => {
    const [record] = await newRecords(1);
    const revoked = await sharedGrant([record!]);
    await revokeGrant(database.db, patient, revoked);
    expect(await codeOf(changeGrant(database.db, patient, revoked, change([record!], [record!])))).toBe("conflict");
    expect(await wrapped(revoked)).toEqual([]);
    const expiring = await sharedGrant([record!], "read", new Date(Date.now() + 60_000));
    const later = new Date(Date.now() + 120_000);
    expect(await codeOf(changeGrant(database.db, patient, expiring, change([record!], [], { expiresAt: new Date(Date.now() + 86_400_000) }), later))).toBe(
      "conflict",
    );
    expect((await grantRow(expiring)).revision).toBe(1);
  });

  it("refuses a stale or skipped revision, and does a retried change once", async () => {
    const [first, second] = await newRecords(2);
    const grantId = await sharedGrant([first!]);
    const signed = change([first!, second!], [second!]);
    await changeGrant(database.db, patient, grantId, signed);
    // The same request again (a retry): nothing new, no second event.
    expect(await changeGrant(database.db, patient, grantId, signed)).toEqual({ added: [], removed: [], permissionChanged: false, endDateChanged: false });
    expect((await actions(grantId)).filter(([action]) => action === "grant-changed")).toHaveLength(1);
    // Another change signed over the same revision (from a page that had not seen the first): refused.
    expect(await codeOf(changeGrant(database.db, patient, grantId, change([first!], [])))).toBe("conflict");
    expect(await codeOf(changeGrant(database.db, patient, grantId, change([first!], [], { revision: 4 })))).toBe("conflict");
    expect((await grantRow(grantId)).recordIds.sort()).toEqual([first!, second!].sort());
    expect((await grantRow(grantId)).revision).toBe(2);
  });

  it("changes nothing when the wraps do not match the added records", async () => {
    const [first, second, third] = await newRecords(3);
    const grantId = await sharedGrant([first!]);
    for (const wrong of [
      change([first!, second!], []),
      change([first!, second!], [second!, third!]),
      change([first!, second!], [second!], { wraps: [{ recordId: second!, keyVersion: 2, wrappedKey: randomBytes(74) }] }),
    ]) {
      expect(await codeOf(changeGrant(database.db, patient, grantId, wrong))).toBe("conflict");
    }
    expect(await codeOf(changeGrant(database.db, patient, grantId, change([], [])))).toBe("invalid-input");
    expect(await codeOf(changeGrant(database.db, patient, grantId, change([first!], [], { expiresAt: new Date(Date.now() - 1000) })))).toBe("invalid-input");
    const [foreign] = await (async () => {
      const batch = [newRecordItem()];
      await createRecords(database.db, otherPatient, batch);
      return batch.map((record) => record.id);
    })();
    expect(await codeOf(changeGrant(database.db, patient, grantId, change([first!, foreign!], [foreign!])))).toBe("invalid-input");
    const row = await grantRow(grantId);
    expect(row.revision).toBe(1);
    expect(row.recordIds).toEqual([first]);
    expect(await wrapped(grantId)).toEqual([first]);
    const [grant] = await database.db.select().from(grants).where(eq(grants.id, grantId));
    expect(grant!.permission).toBe("contribute");
  });
});
