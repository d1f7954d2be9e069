import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { fromBase64url, toBase64url } from "@/crypto";
import { blobs, importRecords, recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database, Transaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/audit-log";
import { noteRefusal } from "@/lib/audit/refusals";
import { crashPoint } from "@/lib/crash-points";
import { coverageOf } from "@/lib/records/grant-coverage";
import { findOwnedRecord, listOwnedRecords, listVersions, statementsOf, type StoredRecord, type VersionStatement } from "./record-store";
import { statementJson, versionJson } from "./version-json";
import { checkedContent } from "./content-limits";
import type { ChartPage, ChartRecord, NewRecord, RecordVersions, VersionPayload } from "@/contract/records";
import { checkStoredWithinQuota, type StorageLimits } from "@/lib/records/storage-quota";
import { ownedRecordsPage } from "./chart-pages";
import type { PageRequest } from "./pages";

/** A version payload as stored: content checked (size, envelope), commitment and signature as bytes. */
export function versionRow(recordId: string, authorId: string, payload: VersionPayload) {
  const content = checkedContent(payload.content);
  return {
    blobId: payload.blobId ?? null,
    recordId,
    version: payload.version,
    keyVersion: payload.keyVersion,
    authorId,
    contentCiphertext: content,
    paddedSize: content.length,
    commitment: fromBase64url(payload.commitment),
    signature: fromBase64url(payload.signature),
  };
}

/**
 * A file may join a record only if its owner uploaded all of it and no other record holds it,
 * staged in an import or stored. Locks the blob row, so the sweeper skips it meanwhile.
 */
export async function checkBlob(tx: Transaction, ownerId: string, recordId: string, blobId: string | null) {
  if (!blobId) return;
  const [blob] = await tx.select().from(blobs).where(eq(blobs.id, blobId)).for("update");
  if (!blob || blob.ownerId !== ownerId || blob.status !== "complete") {
    throw new AppError("invalid-input", "The attached file has not finished uploading.");
  }
  const users = await tx.select({ recordId: recordVersions.recordId }).from(recordVersions).where(eq(recordVersions.blobId, blobId));
  const staged = await tx.select({ recordId: importRecords.recordId }).from(importRecords).where(eq(importRecords.blobId, blobId));
  if ([...users, ...staged].some((use) => use.recordId !== recordId)) throw new AppError("conflict", "This file belongs to another record.");
}

/**
 * Creates records with their first version and the owner's key wrap, all in one
 * transaction: a record is never visible without its wrap and signature, and a failed
 * batch leaves nothing behind. Re-sending the same record is accepted (idempotent).
 * With `quota`, a batch that takes the account over its storage quota is refused
 * (`quota-exceeded`, 413) and leaves nothing behind either.
 */
export async function createRecords(db: Database, ownerId: string, items: NewRecord[], quota?: StorageLimits): Promise<{ created: number }> {
  const prepared = items.map((item) => {
    if (item.version.version !== 1 || item.version.keyVersion !== 1) {
      throw new AppError("invalid-input", "A new record starts at version 1 with key version 1.");
    }
    return { item, version: versionRow(item.id, ownerId, item.version), ownerWrap: fromBase64url(item.ownerWrap) };
  });
  let created = 0;
  let addedBytes = 0;
  const createdIds: string[] = [];
  await db.transaction(async (tx) => {
    const coverage = await coverageOf(tx, ownerId, new Date(), { lockGrants: true });
    const allRecordsGrants = [...coverage.grants].filter(([, grant]) => grant.scope === "all").map(([id]) => id);
    for (const { item, version, ownerWrap } of prepared) {
      const [existing] = await tx.select({ ownerId: records.ownerId }).from(records).where(eq(records.id, item.id));
      const [staged] = existing ? [] : await tx.select({ id: importRecords.recordId }).from(importRecords).where(eq(importRecords.recordId, item.id));
      if (staged) throw new AppError("conflict", "A record with this id already exists.");
      if (existing) {
        const same = existing.ownerId === ownerId && (await storesVersion(tx, item.id, version));
        if (!same) throw new AppError("conflict", "A record with this id already exists.");
        continue;
      }
      await checkBlob(tx, ownerId, item.id, version.blobId);
      await tx.insert(records).values({ id: item.id, ownerId, currentVersion: 1, keyVersion: 1 });
      await tx.insert(recordVersions).values(version);
      await tx.insert(recordKeyWraps).values({ id: randomUUID(), recordId: item.id, keyVersion: 1, grantId: null, wrappedKey: ownerWrap });
      await insertGrantWraps(tx, item.id, 1, item.grantWraps ?? [], allRecordsGrants);
      created += 1;
      addedBytes += version.paddedSize;
      createdIds.push(item.id);
    }
    if (quota) await checkStoredWithinQuota(tx, ownerId, addedBytes, quota);
    await appendAudit(
      tx,
      createdIds.map((recordId) => ({ subjectId: ownerId, actorId: ownerId, action: "record-created", recordId, outcome: "success" })),
    );
    crashPoint("records.create.before-commit");
  });
  crashPoint("records.create.after-commit");
  return { created };
}

/** The record's row, locked FOR NO KEY UPDATE until `tx` ends (lib/db/row-locks.ts: saving a version never deletes it). */
async function lockOwnedRecord(tx: Transaction, ownerId: string, recordId: string) {
  const [record] = await tx
    .select()
    .from(records)
    .where(and(eq(records.id, recordId), eq(records.ownerId, ownerId)))
    .for("no key update");
  if (!record) throw new AppError("not-found", "There is no such record in your chart.");
  return record;
}

/**
 * Refuses (409 `conflict`) wraps that are not exactly one for each of `expectedGrantIds`: a
 * missing or extra one means sharing changed since the browser read the grants.
 */
export function checkGrantWraps(wraps: ReadonlyArray<{ grantId: string }>, expectedGrantIds: readonly string[]): void {
  const given = new Set(wraps.map((wrap) => wrap.grantId));
  if (given.size !== wraps.length || given.size !== expectedGrantIds.length || expectedGrantIds.some((id) => !given.has(id))) {
    throw new AppError("conflict", "Your sharing changed meanwhile. Please try again.");
  }
}

/** Stores a record's wraps for exactly the grants that must hold it: a missing or extra one means sharing changed meanwhile. */
async function insertGrantWraps(
  tx: Transaction,
  recordId: string,
  keyVersion: number,
  wraps: Array<{ grantId: string; wrappedKey: string }>,
  expectedGrantIds: string[],
) {
  checkGrantWraps(wraps, expectedGrantIds);
  if (wraps.length === 0) return;
  await tx
    .insert(recordKeyWraps)
    .values(wraps.map((wrap) => ({ id: randomUUID(), recordId, keyVersion, grantId: wrap.grantId, wrappedKey: fromBase64url(wrap.wrappedKey) })));
}

/** Whether version `row.version` of the record is stored with exactly this ciphertext (a re-sent request). */
async function storesVersion(tx: Transaction, recordId: string, row: { version: number; contentCiphertext: Uint8Array }) {
  const [stored] = await tx
    .select({ content: recordVersions.contentCiphertext })
    .from(recordVersions)
    .where(and(eq(recordVersions.recordId, recordId), eq(recordVersions.version, row.version)));
  return stored !== undefined && Buffer.from(stored.content).equals(Buffer.from(row.contentCiphertext));
}

/**
 * Adds the next version; a stale writer (another device saved first) gets 409. With `quota`,
 * a version that takes the account over its storage quota gets 413 `quota-exceeded`.
 */
export async function addVersion(db: Database, ownerId: string, recordId: string, payload: VersionPayload, quota?: StorageLimits) {
  const row = versionRow(recordId, ownerId, payload);
  await db.transaction(async (tx) => {
    const record = await lockOwnedRecord(tx, ownerId, recordId);
    if (payload.version !== record.currentVersion + 1 || payload.keyVersion !== record.keyVersion) {
      throw new AppError("conflict", "This record changed since you opened it. Reload it and try again.");
    }
    await checkBlob(tx, ownerId, recordId, row.blobId);
    await tx.insert(recordVersions).values(row);
    if (quota) await checkStoredWithinQuota(tx, ownerId, row.paddedSize, quota);
    await tx.update(records).set({ currentVersion: payload.version, updatedAt: new Date() }).where(eq(records.id, recordId));
    await appendAudit(tx, [{ subjectId: ownerId, actorId: ownerId, action: "record-updated", recordId, outcome: "success" }]);
  });
}

/** Deletes a record with every version, key wrap and file body, in one transaction. */
export async function deleteRecord(db: Database, ownerId: string, recordId: string) {
  await db.transaction(async (tx) => {
    const files = await tx.select({ blobId: recordVersions.blobId }).from(recordVersions).where(eq(recordVersions.recordId, recordId));
    const deleted = await tx
      .delete(records)
      .where(and(eq(records.id, recordId), eq(records.ownerId, ownerId)))
      .returning({ id: records.id });
    if (deleted.length === 0) throw new AppError("not-found", "There is no such record in your chart.");
    const blobIds = [...new Set(files.map((file) => file.blobId).filter((id): id is string => id !== null))];
    if (blobIds.length > 0) await tx.delete(blobs).where(inArray(blobs.id, blobIds));
    await appendAudit(tx, [{ subjectId: ownerId, actorId: ownerId, action: "record-deleted", recordId, outcome: "success" }]);
  });
}

/** One record of the chart on the wire (contract/records.ts chartRecordSchema). */
const chartRecordJson = (record: StoredRecord, statements: VersionStatement[]): ChartRecord => ({
  id: record.id,
  currentVersion: record.currentVersion,
  keyVersion: record.keyVersion,
  createdAt: record.createdAt.toISOString(),
  updatedAt: record.updatedAt.toISOString(),
  ownerWrap: toBase64url(record.ownerWrap),
  current: versionJson(record.current),
  statements: statements.map(statementJson),
});

/**
 * One page of the owner's chart (lib/records/chart-pages.ts): ciphertext and owner wraps, with
 * every version's statement, and the cursor of the next page. The fetch is audited as one
 * event naming the records served, before anything is returned. A fixed number of queries
 * (the audit append aside), whatever the number of records and versions.
 * Throws AppError "invalid-input" for a cursor this server did not hand out.
 */
export async function chartOf(db: Database, ownerId: string, request: PageRequest = {}): Promise<ChartPage> {
  const { stored, nextCursor, total } = await ownedRecordsPage(db, ownerId, request);
  const recordIds = stored.map((record) => record.id);
  const statements = await statementsOf(db, recordIds);
  await appendAudit(db, [{ subjectId: ownerId, actorId: ownerId, action: "chart-fetched", recordIds, outcome: "success" }]);
  return { records: stored.map((record) => chartRecordJson(record, statements.get(record.id) ?? [])), nextCursor, total };
}

/**
 * One record of the owner's chart, as the chart serves it, for work on that record alone
 * (saving a version) without downloading the rest. Audited as the chart read is, naming the
 * record, before anything is returned. Throws AppError "not-found" when it is not the owner's
 * (the same answer as for no such record).
 */
export async function recordOf(db: Database, ownerId: string, recordId: string): Promise<ChartRecord> {
  const [stored] = await listOwnedRecords(db, ownerId, recordId);
  if (!stored) throw new AppError("not-found", "There is no such record in your chart.");
  await appendAudit(db, [{ subjectId: ownerId, actorId: ownerId, action: "chart-fetched", recordId, outcome: "success" }]);
  const statements = await statementsOf(db, [recordId]);
  return chartRecordJson(stored, statements.get(recordId) ?? []);
}

/** Every version of one of the owner's records, with the owner's wraps of every key it had. Audited; "not-found" as `recordOf`. */
export async function versionsOf(db: Database, ownerId: string, recordId: string): Promise<RecordVersions> {
  if (!(await findOwnedRecord(db, ownerId, recordId))) throw new AppError("not-found", "There is no such record in your chart.");
  await appendAudit(db, [{ subjectId: ownerId, actorId: ownerId, action: "record-versions-fetched", recordId, outcome: "success" }]);
  const ownerWraps = await db
    .select({ keyVersion: recordKeyWraps.keyVersion, wrappedKey: recordKeyWraps.wrappedKey })
    .from(recordKeyWraps)
    .where(and(eq(recordKeyWraps.recordId, recordId), isNull(recordKeyWraps.grantId)));
  return {
    versions: (await listVersions(db, recordId)).map(versionJson),
    ownerWraps: ownerWraps.map((wrap) => ({ keyVersion: wrap.keyVersion, wrappedKey: toBase64url(wrap.wrappedKey) })),
  };
}

/**
 * A request on a record was refused: it counts against the actor's refused-request limit
 * (AppError "rate-limited" once over it), and if the record exists and is someone else's,
 * the attempt is counted into its owner's trail (lib/audit/refusals.ts). Written apart
 * from the refused action.
 */
export async function auditRefusedRecordAccess(db: Database, actorId: string, recordId: string, now: Date = new Date()) {
  const [record] = await db.select({ ownerId: records.ownerId }).from(records).where(eq(records.id, recordId));
  await noteRefusal(db, actorId, record ? { ownerId: record.ownerId, recordId } : null, now);
}
