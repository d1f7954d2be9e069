import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { grants, imports, keyRotations, recordKeyWraps, records } from "@/drizzle/schema";
import { deleteAccount } from "@/lib/accounts/account-deletion";
import { appendAudit, lockAuditHeads } from "@/lib/audit/audit-log";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { resultRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/test-databases";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { keyMaintenanceOf } from "@/lib/grants/key-maintenance";
import { b64, insertPeople, newGrant, newRecordItem, rotationsFor } from "@/lib/grants/test-fixtures";
import { createRecords } from "./chart-store";
import { endGrant } from "./grant-coverage";
import { commitImport, stageRecords, startImport } from "./import-store";
import { rotateRecordKeys } from "./key-rotation";

/*
 * A revoke holds its grant's row while it queues the grant's records for rotation; the writers
 * of record keys for grants (a key rotation, a new record under an "all records" grant) read
 * which grants cover what. Run side by side on two connections, they must neither deadlock nor
 * leave a key wrapped for the grant the revoke ended. An import's commit and an account's deletion
 * take grant rows and the owner's trail head too: grants first, everywhere. PostgreSQL only
 * (PGlite is one connection).
 */
const adminUrl = process.env.DATABASE_URL;

describe.skipIf(!adminUrl)("record keys written while a grant is revoked, on PostgreSQL", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => database?.dispose());

  /** Resolves once another backend of this database waits on a lock. */
  async function untilSomeoneWaitsOnALock() {
    for (let tries = 0; tries < 500; tries++) {
      const [row] = resultRows<{ waiting: number }>(
        await database.db.execute(sql`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`),
      );
      if (row!.waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("nobody waited on a lock");
  }

  /**
   * Revokes `grantId` as revokeGrant does, in steps: the grant's row is locked, then `meanwhile`
   * starts (on another connection) and runs until it waits on a lock, then the revoke ends the
   * grant, queues its records and appends its event, and commits. Returns what `meanwhile` came to.
   */
  async function revokeAround(patient: string, grantId: string, meanwhile: () => Promise<unknown>) {
    const { db } = database;
    let other!: Promise<unknown>;
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local lock_timeout = '10s'`);
      await tx.select({ id: grants.id }).from(grants).where(eq(grants.id, grantId)).for("update");
      other = meanwhile();
      // Held until the end of the revoke: its outcome is read after the revoke has committed.
      other.catch(() => undefined);
      await untilSomeoneWaitsOnALock();
      await endGrant(tx, grantId, patient, new Date());
      await appendAudit(tx, [{ subjectId: patient, actorId: patient, action: "grant-revoked", grantId, outcome: "success" }]);
    });
    return Promise.allSettled([other]).then(([settled]) => settled!);
  }

  /** A new patient with an "all records" grant to a new doctor, over an empty chart. */
  async function patientSharingAll() {
    const [patient, doctor] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const grant = newGrant(doctor, [], { scope: "all", wraps: [] });
    await createGrant(database.db, patient, grant);
    return { patient, doctor, grant };
  }

  const causeOf = (settled: PromiseSettledResult<unknown>) =>
    settled.status === "fulfilled"
      ? "done"
      : ((settled.reason as { code?: string; cause?: { code?: string } }).cause?.code ?? (settled.reason as { code?: string }).code);

  it("a key rotation wrapping for the grant being revoked waits for the revoke and is refused, and the record stays queued", async () => {
    const { db } = database;
    const [patient, doctor, nurse] = [randomUUID(), randomUUID(), randomUUID()];
    await insertPeople(db, { patients: [patient], doctors: [doctor], nurses: [nurse] });
    const item = newRecordItem();
    await createRecords(db, patient, [item]);
    const first = newGrant(doctor, [item.id]);
    const second = newGrant(nurse, [item.id]);
    await createGrant(db, patient, first);
    await createGrant(db, patient, second);
    // The first revoke queues the record; its rotation wraps the new key for the second grant, which is revoked meanwhile.
    await revokeGrant(db, patient, first.grantId);
    const { rotations: tasks } = await keyMaintenanceOf(db, patient);
    const rotations = rotationsFor(tasks);
    expect(rotations.map((rotation) => rotation.grantWraps.map((wrap) => wrap.grantId))).toEqual([[second.grantId]]);

    // Before: the rotation held the record's row FOR UPDATE and its wrap's foreign-key check waited on the
    // grant, while the revoke's queueing waited on the record: deadlock detected (40P01).
    const rotation = await revokeAround(patient, second.grantId, () => rotateRecordKeys(db, patient, rotations));
    expect(causeOf(rotation)).toBe("conflict");

    const [record] = await db.select({ keyVersion: records.keyVersion }).from(records).where(eq(records.id, item.id));
    expect(record!.keyVersion).toBe(1);
    expect(await db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, second.grantId))).toEqual([]);
    expect(await db.select({ recordId: keyRotations.recordId }).from(keyRotations).where(eq(keyRotations.recordId, item.id))).toEqual([{ recordId: item.id }]);
  });

  it("a new record wrapped for an 'all records' grant being revoked waits for the revoke and is refused: no key is stored under the ended grant", async () => {
    const { db } = database;
    const { patient, grant } = await patientSharingAll();
    const item = newRecordItem([{ grantId: grant.grantId, wrappedKey: b64(randomBytes(74)) }]);

    // Before: the record's coverage was read without a lock, and its wrap went in once the revoke had committed.
    const created = await revokeAround(patient, grant.grantId, () => createRecords(db, patient, [item]));
    expect(causeOf(created)).toBe("conflict");
    expect(await db.select().from(records).where(eq(records.id, item.id))).toEqual([]);
    expect(
      await db
        .select()
        .from(recordKeyWraps)
        .where(and(eq(recordKeyWraps.grantId, grant.grantId), eq(recordKeyWraps.recordId, item.id))),
    ).toEqual([]);

    // The browser tries again with the grant as it now is (none), and the record is saved.
    await createRecords(db, patient, [{ ...item, grantWraps: [] }]);
    expect(await db.select({ id: records.id }).from(records).where(eq(records.id, item.id))).toEqual([{ id: item.id }]);
  });

  it("an import committed while an 'all records' grant it wrapped for is revoked waits for the revoke, then lands without a key for the ended grant", async () => {
    const { db } = database;
    const { patient, grant } = await patientSharingAll();
    const { importId } = await startImport(db, patient);
    const item = newRecordItem([{ grantId: grant.grantId, wrappedKey: b64(randomBytes(74)) }]);
    await stageRecords(db, patient, importId, [item]);

    // Before: the commit took the owner's audit head, then its wrap's foreign-key check waited on the grant,
    // while the revoke held the grant and waited on the head to append its event: deadlock detected (40P01).
    const committed = await revokeAround(patient, grant.grantId, () => commitImport(db, patient, importId));
    expect(causeOf(committed)).toBe("done");
    expect(await db.select({ id: records.id }).from(records).where(eq(records.id, item.id))).toEqual([{ id: item.id }]);
    expect(await db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grant.grantId))).toEqual([]);
    const [committedImport] = await db.select({ count: imports.committedCount }).from(imports).where(eq(imports.id, importId));
    expect(committedImport!.count).toBe(1);
  });

  it("a clinician's account deleted while an import commit holds the grant to them waits for the commit, and then ends the grant", async () => {
    const { db } = database;
    const { patient, doctor, grant } = await patientSharingAll();

    // An import's commit as it now begins: the active grants FOR SHARE, then (once the deletion waits) the trail's head.
    // Before: the deletion took the patient's head first and then waited to delete the grant: deadlock (40P01).
    let deletion!: Promise<unknown>;
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local lock_timeout = '10s'`);
      await tx.select({ id: grants.id }).from(grants).where(eq(grants.id, grant.grantId)).for("share");
      deletion = deleteAccount(db, databaseBlobStore(db), doctor);
      deletion.catch(() => undefined);
      await untilSomeoneWaitsOnALock();
      await lockAuditHeads(tx, [patient]);
    });
    expect(causeOf((await Promise.allSettled([deletion]))[0]!)).toBe("done");
    expect(await db.select().from(grants).where(eq(grants.id, grant.grantId))).toEqual([]);
  });
});
