import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, grants, keyRotations, recordKeyWraps, records } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import type { AuditAction } from "@/lib/audit/audit-log";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { createRecords } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";
import { createGrant, revokeGrant, revokeRecordFromGrant } from "./grant-store";
import { b64, insertPeople, newGrant, newRecordItem, rotatedVersion } from "./test-fixtures";

/**
 * A browser whose request was cut off (a dropped connection, a server that stopped after
 * its commit) sends the same request again. Each of these must then do nothing: no second
 * grant, no second event in the trail, no conflict that makes the browser give up.
 */
describe.each(testDatabaseKinds())("retried requests on %s", (kind) => {
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

  const events = async (action: AuditAction, match: { grantId?: string; recordId?: string }) =>
    (
      await database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, action)))
    ).filter((event) => (!match.grantId || event.grantId === match.grantId) && (!match.recordId || event.recordId === match.recordId));

  it("stores a re-sent grant once, and refuses a different grant under the same id", async () => {
    const grant = newGrant(doctor, await newRecords(2));
    await createGrant(database.db, patient, grant);
    await createGrant(database.db, patient, { ...grant, wraps: grant.wraps.map((wrap) => ({ ...wrap, wrappedKey: randomBytes(74) })) });
    expect(await database.db.select().from(grants).where(eq(grants.id, grant.grantId))).toHaveLength(1);
    const wraps = await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grant.grantId));
    expect(wraps.map((wrap) => Buffer.from(wrap.wrappedKey).toString("hex")).sort()).toEqual(
      grant.wraps.map((wrap) => Buffer.from(wrap.wrappedKey).toString("hex")).sort(),
    );
    expect(await events("grant-created", { grantId: grant.grantId })).toHaveLength(1);

    expect(await codeOf(createGrant(database.db, patient, { ...grant, statement: randomBytes(40) }))).toBe("conflict");
    expect(await codeOf(createGrant(database.db, otherPatient, grant))).toBe("conflict");
  });

  it("revokes a grant once however often the revoke is sent", async () => {
    const ids = await newRecords(1);
    const grant = newGrant(doctor, ids);
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);
    const [revoked] = await database.db.select().from(grants).where(eq(grants.id, grant.grantId));
    await revokeGrant(database.db, patient, grant.grantId);
    const [again] = await database.db.select().from(grants).where(eq(grants.id, grant.grantId));
    expect(again?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await events("grant-revoked", { grantId: grant.grantId })).toHaveLength(1);
    expect(await database.db.select().from(keyRotations).where(eq(keyRotations.recordId, ids[0]!))).toHaveLength(1);
  });

  it("takes a record out of a grant once however often it is sent", async () => {
    const ids = await newRecords(2);
    const owned = await database.db.select({ recordId: records.id, keyVersion: records.keyVersion }).from(records).where(eq(records.ownerId, patient));
    const listed = newGrant(doctor, ids);
    const all = newGrant(doctor, [], { scope: "all", wraps: owned.map((record) => ({ ...record, wrappedKey: randomBytes(74) })) });
    for (const grant of [listed, all]) {
      await createGrant(database.db, patient, grant);
      await revokeRecordFromGrant(database.db, patient, grant.grantId, ids[0]!);
      await revokeRecordFromGrant(database.db, patient, grant.grantId, ids[0]!);
      expect(await events("grant-record-revoked", { grantId: grant.grantId, recordId: ids[0] })).toHaveLength(1);
      const wraps = await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grant.grantId));
      expect(wraps.map((wrap) => wrap.recordId)).toContain(ids[1]);
      expect(wraps.map((wrap) => wrap.recordId)).not.toContain(ids[0]);
      // An active "all records" grant would ask every later record for a wrap.
      await revokeGrant(database.db, patient, grant.grantId);
    }
  });

  it("applies a re-sent key rotation once, and still refuses a different one at the same version", async () => {
    const [id] = await newRecords(1);
    const grant = newGrant(doctor, [id!]);
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);
    const payload = { ownerWrap: b64(randomBytes(74)), version: rotatedVersion(1, 2), grantWraps: [] };
    await rotateRecordKey(database.db, patient, id!, payload);
    await rotateRecordKey(database.db, patient, id!, payload);
    const [record] = await database.db.select().from(records).where(eq(records.id, id!));
    expect([record?.currentVersion, record?.keyVersion]).toEqual([1, 2]);
    expect(await events("record-key-rotated", { recordId: id })).toHaveLength(1);
    expect(await codeOf(rotateRecordKey(database.db, patient, id!, { ...payload, version: rotatedVersion(1, 2) }))).toBe("conflict");
  });
});
