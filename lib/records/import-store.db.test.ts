import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { auditEvents, blobs, importRecords, imports, recordKeyWraps } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { codeOf } from "@/lib/app-error-test-helpers";
import { sweepAbandonedBlobs } from "@/lib/blobs/blob-sweeper";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { keyMaintenanceOf } from "@/lib/grants/key-maintenance";
import { sharedRecordsOf } from "@/lib/grants/shared-store";
import { b64, insertPeople, newGrant, newRecordItem } from "@/lib/grants/test-fixtures";
import { chartOf, createRecords, recordOf, versionsOf } from "./chart-store";
import { missingWraps } from "./grant-coverage";
import { abandonImport, commitImport, stageRecords, startImport, sweepIdleImports } from "./import-store";
import { storageUsage } from "./storage-quota";

const limits = { quotaBytes: 10_000_000, unfinishedUploadsMax: 5 };

describe.each(testDatabaseKinds())("staged imports on %s", (kind) => {
  let database: TestDatabase;
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function patient(): Promise<string> {
    const id = randomUUID();
    await insertPeople(database.db, { patients: [id] });
    return id;
  }

  /** A finished upload of `ownerId`'s, as the blob routes leave it. */
  async function completeBlob(ownerId: string): Promise<string> {
    const store = databaseBlobStore(database.db);
    const id = randomUUID();
    await store.create({ id, ownerId, chunkSize: 4, chunkCount: 1 });
    await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([1]) });
    await store.markComplete(id, 21);
    return id;
  }

  const chartIds = async (ownerId: string) => (await chartOf(database.db, ownerId)).records.map((record) => record.id);
  const blobExists = async (id: string) => (await database.db.select({ id: blobs.id }).from(blobs).where(eq(blobs.id, id))).length === 1;
  const wrapFor = (grantId: string) => ({ grantId, wrappedKey: b64(randomBytes(74)) });
  /** An "all records" grant to the doctor over the patient's current chart; returns its id. */
  async function shareAll(ownerId: string): Promise<string> {
    const grant = newGrant(doctor, await chartIds(ownerId), { scope: "all" });
    await createGrant(database.db, ownerId, grant);
    return grant.grantId;
  }

  it("keeps staged records out of every read until the commit, which shows them all at once with one audit event", async () => {
    const owner = await patient();
    const earlier = newRecordItem();
    await createRecords(database.db, owner, [earlier]);
    const grantId = await shareAll(owner);
    const { importId } = await startImport(database.db, owner);
    const first = [newRecordItem([wrapFor(grantId)]), newRecordItem([wrapFor(grantId)])];
    const second = [newRecordItem([wrapFor(grantId)])];
    expect(await stageRecords(database.db, owner, importId, first)).toEqual({ staged: 2 });
    expect(await stageRecords(database.db, owner, importId, second)).toEqual({ staged: 1 });
    const staged = [...first, ...second].map((item) => item.id);

    // The owner's chart, one record, its versions.
    expect(await chartIds(owner)).toEqual([earlier.id]);
    expect(await codeOf(recordOf(database.db, owner, staged[0]!))).toBe("not-found");
    expect(await codeOf(versionsOf(database.db, owner, staged[0]!))).toBe("not-found");
    // The clinician's shared records, grant coverage and key upkeep.
    expect((await sharedRecordsOf(database.db, doctor, grantId)).records.map((record) => record.id)).toEqual([earlier.id]);
    expect(await missingWraps(database.db, owner, new Date())).toEqual([]);
    const upkeep = await keyMaintenanceOf(database.db, owner);
    expect([...upkeep.rotations, ...upkeep.missingWraps].map((entry) => entry.recordId)).toEqual([]);
    // An "all records" grant made now needs wraps for the chart's records only.
    const later = newGrant(doctor, [earlier.id], { scope: "all" });
    await createGrant(database.db, owner, later);
    await revokeGrant(database.db, owner, later.grantId);
    // But they take their space already.
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(4 * (42 + 256));

    const auditBefore = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, owner));
    expect(await commitImport(database.db, owner, importId)).toEqual({ created: 3 });
    expect((await chartIds(owner)).sort()).toEqual([earlier.id, ...staged].sort());
    expect((await sharedRecordsOf(database.db, doctor, grantId)).records.map((record) => record.id).sort()).toEqual([earlier.id, ...staged].sort());
    expect((await recordOf(database.db, owner, staged[2]!)).current.content).toBe(second[0]!.version.content);
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(4 * (42 + 256));
    const written = (await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, owner))).slice(auditBefore.length);
    const imported = written.filter((event) => event.action === "records-imported" || event.action === "record-created");
    expect(imported.map((event) => [event.action, event.count])).toEqual([["records-imported", 3]]);
    // A re-sent commit (its answer was lost) gets the same answer and changes nothing.
    expect(await commitImport(database.db, owner, importId)).toEqual({ created: 3 });
    expect(await database.db.select().from(importRecords).where(eq(importRecords.importId, importId))).toEqual([]);
    expect(await codeOf(stageRecords(database.db, owner, importId, [newRecordItem([wrapFor(grantId)])]))).toBe("conflict");
    expect(await codeOf(abandonImport(database.db, owner, importId))).toBe("conflict");
  });

  it("takes a batch staged twice as done, and refuses an id staged with other content or already in use", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const batch = [newRecordItem(), newRecordItem()];
    expect(await stageRecords(database.db, owner, importId, batch)).toEqual({ staged: 2 });
    expect(await stageRecords(database.db, owner, importId, batch)).toEqual({ staged: 0 });
    expect(await codeOf(stageRecords(database.db, owner, importId, [{ ...batch[0]!, version: newRecordItem().version }]))).toBe("conflict");
    const stored = newRecordItem();
    await createRecords(database.db, owner, [stored]);
    expect(await codeOf(stageRecords(database.db, owner, importId, [stored]))).toBe("conflict");
    // A staged id is taken for the one-record route too, and for another import.
    expect(await codeOf(createRecords(database.db, owner, [batch[0]!]))).toBe("conflict");
    const other = await startImport(database.db, owner);
    expect(await codeOf(stageRecords(database.db, owner, other.importId, [batch[1]!]))).toBe("conflict");
    // A refused batch stages none of it.
    const fresh = newRecordItem();
    expect(await codeOf(stageRecords(database.db, owner, other.importId, [fresh, stored]))).toBe("conflict");
    expect(await commitImport(database.db, owner, other.importId)).toEqual({ created: 0 });
    expect(await chartIds(owner)).not.toContain(fresh.id);
  });

  it("removes an abandoned import's records and their files, and never shows them", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const file = await completeBlob(owner);
    const withFile = { ...newRecordItem(), version: { ...newRecordItem().version, blobId: file } };
    await stageRecords(database.db, owner, importId, [withFile, newRecordItem()]);
    // The blob sweeper leaves a staged record's file alone, however long idle.
    await database.db
      .update(blobs)
      .set({ touchedAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(blobs.id, file));
    await sweepAbandonedBlobs(databaseBlobStore(database.db), 60_000);
    expect(await blobExists(file)).toBe(true);
    // Nor can another record take that file.
    expect(await codeOf(createRecords(database.db, owner, [{ ...newRecordItem(), version: { ...newRecordItem().version, blobId: file } }]))).toBe("conflict");

    await abandonImport(database.db, owner, importId);
    expect(await blobExists(file)).toBe(false);
    expect(await database.db.select().from(importRecords).where(eq(importRecords.importId, importId))).toEqual([]);
    expect(await chartIds(owner)).toEqual([]);
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(0);
    expect(await codeOf(commitImport(database.db, owner, importId))).toBe("not-found");
  });

  it("commits a staged record's file with it", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const file = await completeBlob(owner);
    const withFile = { ...newRecordItem(), version: { ...newRecordItem().version, blobId: file } };
    await stageRecords(database.db, owner, importId, [withFile]);
    await commitImport(database.db, owner, importId);
    expect((await recordOf(database.db, owner, withFile.id)).current.blobId).toBe(file);
  });

  it("leaves nothing visible after a crash between adds, and the sweep removes the import and its files after the grace period", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const file = await completeBlob(owner);
    const batch = [{ ...newRecordItem(), version: { ...newRecordItem().version, blobId: file } }, newRecordItem()];
    await stageRecords(database.db, owner, importId, batch);
    // The browser is gone: no further add, no commit, no abandon.
    expect(await chartIds(owner)).toEqual([]);
    // Recently active: kept.
    expect(await sweepIdleImports(database.db, new Date(Date.now() - 60_000))).toBe(0);
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(2 * (42 + 256));
    await database.db
      .update(imports)
      .set({ touchedAt: new Date(Date.now() - 2 * 86_400_000) })
      .where(eq(imports.id, importId));
    expect(await sweepIdleImports(database.db, new Date(Date.now() - 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await database.db.select().from(imports).where(eq(imports.id, importId))).toEqual([]);
    expect(await blobExists(file)).toBe(false);
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(0);
    expect(await chartIds(owner)).toEqual([]);
    // The ids are free again: the same records can be imported afresh.
    const again = await startImport(database.db, owner);
    expect(await stageRecords(database.db, owner, again.importId, [batch[1]!])).toEqual({ staged: 1 });
  });

  it("counts staged records toward the quota and refuses a batch that would pass it", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const record = (kib: number) => ({ ...newRecordItem(), version: { ...newRecordItem().version, content: b64(randomBytes(42 + kib * 1024)) } });
    const small = { quotaBytes: 200_000, unfinishedUploadsMax: 5 };
    await stageRecords(database.db, owner, importId, [record(128)], small);
    expect((await storageUsage(database.db, owner, small)).recordBytes).toBe(42 + 128 * 1024);
    expect(await codeOf(stageRecords(database.db, owner, importId, [record(128), record(64)], small))).toBe("quota-exceeded");
    // Staged bytes count against the one-record route too.
    expect(await codeOf(createRecords(database.db, owner, [record(128)], small))).toBe("quota-exceeded");
  });

  it("answers not-found to another account adding to, committing or abandoning an import", async () => {
    const owner = await patient();
    const stranger = await patient();
    const { importId } = await startImport(database.db, owner);
    const item = newRecordItem();
    await stageRecords(database.db, owner, importId, [item]);
    expect(await codeOf(stageRecords(database.db, stranger, importId, [newRecordItem()]))).toBe("not-found");
    expect(await codeOf(commitImport(database.db, stranger, importId))).toBe("not-found");
    expect(await codeOf(abandonImport(database.db, stranger, importId))).toBe("not-found");
    expect(await codeOf(stageRecords(database.db, owner, randomUUID(), [newRecordItem()]))).toBe("not-found");
    expect(await chartIds(stranger)).toEqual([]);
    expect(await commitImport(database.db, owner, importId)).toEqual({ created: 1 });
    expect(await chartIds(owner)).toEqual([item.id]);
  });

  it("limits the imports open at once", async () => {
    const owner = await patient();
    const open = [];
    for (let index = 0; index < 5; index++) open.push(await startImport(database.db, owner));
    expect(await codeOf(startImport(database.db, owner))).toBe("conflict");
    await abandonImport(database.db, owner, open[0]!.importId);
    await startImport(database.db, owner);
  });

  it("refuses a commit that would leave an 'all records' grant made meanwhile without wraps, until they are sent", async () => {
    const owner = await patient();
    const { importId } = await startImport(database.db, owner);
    const batch = [newRecordItem(), newRecordItem()];
    await stageRecords(database.db, owner, importId, batch);
    const grantId = await shareAll(owner);
    // Staging more without a wrap for the new grant is refused, as POST /api/records is.
    expect(await codeOf(stageRecords(database.db, owner, importId, [newRecordItem()]))).toBe("conflict");
    expect(await codeOf(commitImport(database.db, owner, importId))).toBe("conflict");
    expect(await chartIds(owner)).toEqual([]);
    // The browser reads the grants again and re-sends the same records wrapped for it.
    const rewrapped = batch.map((item) => ({ ...item, grantWraps: [wrapFor(grantId)] }));
    expect(await stageRecords(database.db, owner, importId, rewrapped)).toEqual({ staged: 0 });
    expect(await commitImport(database.db, owner, importId)).toEqual({ created: 2 });
    expect((await sharedRecordsOf(database.db, doctor, grantId)).records.map((record) => record.id).sort()).toEqual(batch.map((item) => item.id).sort());
    expect(await missingWraps(database.db, owner, new Date())).toEqual([]);
  });

  it("drops the wraps of a grant revoked while the import was staged", async () => {
    const owner = await patient();
    const grantId = await shareAll(owner);
    const { importId } = await startImport(database.db, owner);
    const batch = [newRecordItem([wrapFor(grantId)])];
    await stageRecords(database.db, owner, importId, batch);
    await revokeGrant(database.db, owner, grantId);
    expect(await commitImport(database.db, owner, importId)).toEqual({ created: 1 });
    const wraps = await database.db
      .select()
      .from(recordKeyWraps)
      .where(and(inArray(recordKeyWraps.recordId, [batch[0]!.id]), isNotNull(recordKeyWraps.grantId)));
    expect(wraps).toEqual([]);
  });
});
