import "server-only";
import { randomUUID } from "node:crypto";
import { and, count, eq, inArray, isNotNull, isNull, lt, notExists, sql } from "drizzle-orm";
import { fromBase64url } from "@/crypto";
import { blobs, importGrantWraps, importRecords, imports, records, recordVersions } from "@/drizzle/schema";
import type { Database, Transaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendAudit, lockAuditHeads } from "@/lib/audit/audit-log";
import { coverageOf, type Coverage } from "@/lib/records/grant-coverage";
import { checkStoredWithinQuota, type StorageLimits } from "@/lib/records/storage-quota";
import { maxOpenImports } from "@/contract/imports";
import type { NewRecord } from "@/contract/records";
import { checkBlob, checkGrantWraps, versionRow } from "./chart-store";

/**
 * Staged imports. Records added to an import are kept in `import_records` (with their grant
 * wraps in `import_grant_wraps`), apart from `records`: every read of the chart, of a share,
 * of grant coverage and key upkeep reads `records` alone, so staged records are invisible to
 * all of them by construction. The commit copies them into `records`, `record_versions` and
 * `record_key_wraps` in one transaction; abandoning or the sweep deletes them with their files.
 */

const noSuchImport = () => new AppError("not-found", "There is no such import.");

/** The `ownerId`'s import, locked for this transaction; "not-found" for anyone else's and for none. */
async function lockImport(tx: Transaction, ownerId: string, importId: string) {
  const [row] = await tx
    .select()
    .from(imports)
    .where(and(eq(imports.id, importId), eq(imports.ownerId, ownerId)))
    .for("update");
  if (!row) throw noSuchImport();
  return row;
}

/** Who owns an import, if it exists (for counting a refused request into the owner's trail). */
export async function importOwner(db: Database, importId: string): Promise<string | null> {
  const [row] = await db.select({ ownerId: imports.ownerId }).from(imports).where(eq(imports.id, importId));
  return row?.ownerId ?? null;
}

/**
 * Starts an import for `ownerId` and returns its id. Refuses (409 `conflict`) when the account
 * already has `maxOpenImports` (contract/imports.ts) open: each holds storage until it ends.
 */
export async function startImport(db: Database, ownerId: string, now: Date = new Date()): Promise<{ importId: string }> {
  const importId = randomUUID();
  await db.transaction(async (tx) => {
    const [open] = await tx
      .select({ open: count() })
      .from(imports)
      .where(and(eq(imports.ownerId, ownerId), isNull(imports.committedAt)));
    if ((open?.open ?? 0) >= maxOpenImports) {
      throw new AppError("conflict", `You already have ${maxOpenImports} imports under way. Let them finish, or wait a day for unfinished ones to be cleared.`);
    }
    await tx.insert(imports).values({ id: importId, ownerId, createdAt: now, touchedAt: now });
  });
  return { importId };
}

/**
 * Stages records in an open import of `ownerId`: the same payloads as `createRecords`
 * (version 1, key version 1, the owner's wrap, a wrap for every active "all records" grant).
 * All or nothing per request. A record already staged in this import with the same content
 * counts as done; its grant wraps are replaced by the ones sent (the browser re-wraps after
 * sharing changed). Staged bytes count toward the quota (`quota-exceeded`, 413).
 * Throws AppError "not-found" (not the caller's import), "conflict" (committed already, an id
 * in use, sharing changed), "invalid-input" (a file not uploaded), "payload-too-large".
 */
export async function stageRecords(
  db: Database,
  ownerId: string,
  importId: string,
  items: NewRecord[],
  quota?: StorageLimits,
  now: Date = new Date(),
): Promise<{ staged: number }> {
  const prepared = items.map((item) => {
    if (item.version.version !== 1 || item.version.keyVersion !== 1) {
      throw new AppError("invalid-input", "A new record starts at version 1 with key version 1.");
    }
    return { item, version: versionRow(item.id, ownerId, item.version), ownerWrap: fromBase64url(item.ownerWrap) };
  });
  let staged = 0;
  let addedBytes = 0;
  await db.transaction(async (tx) => {
    const open = await lockImport(tx, ownerId, importId);
    if (open.committedAt) throw new AppError("conflict", "This import is finished already.");
    const coverage = await coverageOf(tx, ownerId, now);
    const allRecordsGrants = [...coverage.grants].filter(([, grant]) => grant.scope === "all").map(([id]) => id);
    for (const { item, version, ownerWrap } of prepared) {
      const grantWraps = item.grantWraps ?? [];
      checkGrantWraps(grantWraps, allRecordsGrants);
      const wrapRows = grantWraps.map((wrap) => ({ recordId: item.id, grantId: wrap.grantId, wrappedKey: fromBase64url(wrap.wrappedKey) }));
      const [already] = await tx
        .select({ importId: importRecords.importId, content: importRecords.contentCiphertext })
        .from(importRecords)
        .where(eq(importRecords.recordId, item.id));
      if (already) {
        if (already.importId !== importId || !Buffer.from(already.content).equals(Buffer.from(version.contentCiphertext))) {
          throw new AppError("conflict", "A record with this id already exists.");
        }
        await tx.delete(importGrantWraps).where(eq(importGrantWraps.recordId, item.id));
        if (wrapRows.length > 0) await tx.insert(importGrantWraps).values(wrapRows);
        continue;
      }
      const [existing] = await tx.select({ id: records.id }).from(records).where(eq(records.id, item.id));
      if (existing) throw new AppError("conflict", "A record with this id already exists.");
      await checkBlob(tx, ownerId, item.id, version.blobId);
      await tx.insert(importRecords).values({
        recordId: item.id,
        importId,
        ownerWrap,
        contentCiphertext: version.contentCiphertext,
        paddedSize: version.paddedSize,
        commitment: version.commitment,
        signature: version.signature,
        blobId: version.blobId,
      });
      if (wrapRows.length > 0) await tx.insert(importGrantWraps).values(wrapRows);
      staged += 1;
      addedBytes += version.paddedSize;
    }
    await tx.update(imports).set({ touchedAt: now }).where(eq(imports.id, importId));
    if (quota) await checkStoredWithinQuota(tx, ownerId, addedBytes, quota);
  });
  return { staged };
}

/**
 * Puts every record staged in the import into the chart, in one transaction, with its
 * first version, owner wrap and wraps for the "all records" grants active now; wraps staged
 * for a grant that has ended since are dropped (its clinician must not get new keys). If an
 * active "all records" grant lacks a wrap for any staged record (it was made after they
 * were staged), nothing is committed: 409 `conflict`, and the browser re-sends the records
 * with wraps for the grants it reads again. Writes one `records-imported` audit event
 * counting the records (window: the import's start to now). A re-sent commit answers the
 * same count. Throws AppError "not-found" (not the caller's import), "conflict".
 */
export async function commitImport(db: Database, ownerId: string, importId: string, now: Date = new Date()): Promise<{ created: number }> {
  return db.transaction(async (tx) => {
    const open = await lockImport(tx, ownerId, importId);
    if (open.committedAt) return { created: open.committedCount ?? 0 };
    // The active grants first, FOR SHARE, then the owner's trail head: the order of a revoke or a
    // grant change (its grant's row, then the head for its event). Head first, a revoke holding
    // the grant waited on the head while the wraps below waited on the grant: deadlock (40P01).
    // A revoke under way is waited for here, and its grant no longer counts once it commits.
    const locked = await coverageOf(tx, ownerId, now, { lockGrants: true });
    // Every grant creation appends to the owner's trail under the head: one being made right now
    // is committed by the time the head is ours, and seen by the second read.
    await lockAuditHeads(tx, [ownerId]);
    const [{ staged } = { staged: 0 }] = await tx.select({ staged: count() }).from(importRecords).where(eq(importRecords.importId, importId));
    const allRecordsGrants = allRecordsGrantsOf(await coverageOf(tx, ownerId, now));
    // A grant made between the two reads is not locked: wrapping for it could meet its revoke in the
    // crosswise wait above. The browser stages again with sharing as it now is.
    if (staged > 0 && allRecordsGrants.some((grantId) => !locked.grants.has(grantId))) {
      throw new AppError("conflict", "Your sharing changed while the import was under way. Please try again.");
    }
    if (staged > 0 && allRecordsGrants.length > 0) {
      const wrapped = await tx
        .select({ grantId: importGrantWraps.grantId, records: count() })
        .from(importGrantWraps)
        .innerJoin(importRecords, eq(importRecords.recordId, importGrantWraps.recordId))
        .where(and(eq(importRecords.importId, importId), inArray(importGrantWraps.grantId, allRecordsGrants)))
        .groupBy(importGrantWraps.grantId);
      const wrappedCount = new Map(wrapped.map((row) => [row.grantId, Number(row.records)]));
      if (allRecordsGrants.some((grantId) => wrappedCount.get(grantId) !== staged)) {
        throw new AppError("conflict", "Your sharing changed while the import was under way. Please try again.");
      }
    }
    if (staged > 0) {
      // A subquery, not a list of ids: an import may hold more records than one statement takes parameters.
      const stagedIds = tx.select({ id: importRecords.recordId }).from(importRecords).where(eq(importRecords.importId, importId));
      const [taken] = await tx.select({ taken: count() }).from(records).where(inArray(records.id, stagedIds));
      if ((taken?.taken ?? 0) > 0) throw new AppError("conflict", "A record with this id already exists.");
      await copyStagedRecords(tx, ownerId, importId, allRecordsGrants);
      await tx.delete(importRecords).where(eq(importRecords.importId, importId));
      await appendAudit(
        tx,
        [
          {
            subjectId: ownerId,
            actorId: ownerId,
            action: "records-imported",
            outcome: "success",
            counted: { count: staged, windowStart: open.createdAt, windowEnd: now },
          },
        ],
        now,
      );
    }
    await tx.update(imports).set({ committedAt: now, committedCount: staged, touchedAt: now }).where(eq(imports.id, importId));
    return { created: staged };
  });
}

/** The ids of the active "all records" grants: the only ones an import's new records are wrapped for. */
const allRecordsGrantsOf = (coverage: Coverage) => [...coverage.grants].filter(([, grant]) => grant.scope === "all").map(([id]) => id);

/** The set-based copy of an import's staged records into the chart tables (four statements, whatever the count). */
async function copyStagedRecords(tx: Transaction, ownerId: string, importId: string, grantIds: string[]) {
  await tx.execute(sql`
    insert into records (id, owner_id, current_version, key_version)
    select record_id, ${ownerId}::uuid, 1, 1 from import_records where import_id = ${importId}::uuid`);
  await tx.execute(sql`
    insert into record_versions (record_id, version, key_version, author_id, content_ciphertext, blob_id, padded_size, commitment, signature)
    select record_id, 1, 1, ${ownerId}::uuid, content_ciphertext, blob_id, padded_size, commitment, signature
    from import_records where import_id = ${importId}::uuid`);
  await tx.execute(sql`
    insert into record_key_wraps (id, record_id, key_version, grant_id, wrapped_key)
    select gen_random_uuid(), record_id, 1, null, owner_wrap from import_records where import_id = ${importId}::uuid`);
  if (grantIds.length === 0) return;
  await tx.execute(sql`
    insert into record_key_wraps (id, record_id, key_version, grant_id, wrapped_key)
    select gen_random_uuid(), w.record_id, 1, w.grant_id, w.wrapped_key
    from import_grant_wraps w join import_records r on r.record_id = w.record_id
    where r.import_id = ${importId}::uuid and w.grant_id in (${sql.join(
      grantIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`);
}

/** Deletes imports (locked by the caller) with their staged records, and the files only those records held. */
async function removeImports(tx: Transaction, importIds: string[]): Promise<void> {
  if (importIds.length === 0) return;
  const files = await tx
    .select({ blobId: importRecords.blobId })
    .from(importRecords)
    .where(and(inArray(importRecords.importId, importIds), isNotNull(importRecords.blobId)));
  await tx.delete(imports).where(inArray(imports.id, importIds));
  const blobIds = [...new Set(files.map((file) => file.blobId).filter((id): id is string => id !== null))];
  if (blobIds.length === 0) return;
  // A stored record never holds a staged record's file (checkBlob), but a file is deleted only if none does.
  const heldByNoVersion = notExists(
    tx
      .select({ one: sql`1` })
      .from(recordVersions)
      .where(eq(recordVersions.blobId, blobs.id)),
  );
  // In slices: one statement takes at most 65,535 parameters.
  for (let start = 0; start < blobIds.length; start += 10_000) {
    await tx.delete(blobs).where(and(inArray(blobs.id, blobIds.slice(start, start + 10_000)), heldByNoVersion));
  }
}

/**
 * Abandons an open import: its staged records and their files are deleted, and nothing of
 * it ever reaches the chart. Throws AppError "not-found" (not the caller's import, or none),
 * "conflict" (committed already: its records are in the chart, deleted one by one).
 */
export async function abandonImport(db: Database, ownerId: string, importId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const open = await lockImport(tx, ownerId, importId);
    if (open.committedAt) throw new AppError("conflict", "This import is finished already: its records are in your chart.");
    await removeImports(tx, [importId]);
  });
}

/**
 * Removes every import idle since before `idleSince`: open ones (a page closed, or a server
 * stopped, between two requests) with their staged records and files, and committed ones'
 * bookkeeping rows. An import a request holds locked right now is skipped, not waited for.
 * Returns how many were removed.
 */
export async function sweepIdleImports(db: Database, idleSince: Date): Promise<number> {
  return db.transaction(async (tx) => {
    // At most 1,000 a sweep; the next sweep takes the rest.
    const idle = await tx.select({ id: imports.id }).from(imports).where(lt(imports.touchedAt, idleSince)).limit(1000).for("update", { skipLocked: true });
    await removeImports(
      tx,
      idle.map((row) => row.id),
    );
    return idle.length;
  });
}
