import "server-only";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { fromBase64url } from "@/crypto";
import { blobs, importRecords, keyRotations, recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database, Transaction } from "@/lib/db";
import { lockOwnedRecords } from "@/lib/db/row-locks";
import { AppError } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/audit-log";
import { crashPoint } from "@/lib/crash-points";
import { coverageOf } from "@/lib/records/grant-coverage";
import { checkGrantWraps } from "./chart-store";
import { checkedContent } from "./content-limits";
import type { RecordRotation, RotateRecordKey, RotateRecordKeysResponse } from "@/contract/records";

/** A rotation as checked before the transaction: content and wraps as bytes. */
interface PreparedRotation {
  recordId: string;
  version: number;
  keyVersion: number;
  content: Uint8Array;
  blobId: string | null;
  ownerWrap: Uint8Array;
  grantWraps: Array<{ grantId: string; wrappedKey: Uint8Array }>;
}

function prepare(rotation: RecordRotation): PreparedRotation {
  return {
    recordId: rotation.recordId,
    version: rotation.version.version,
    keyVersion: rotation.version.keyVersion,
    content: checkedContent(rotation.version.content),
    blobId: rotation.version.blobId ?? null,
    ownerWrap: fromBase64url(rotation.ownerWrap),
    grantWraps: rotation.grantWraps.map((wrap) => ({ grantId: wrap.grantId, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A uuid[] parameter: one bind value whatever the list's length, so a batch's statements stay the same text (prepared once) and drizzle builds no per-item SQL. */
const uuidList = (ids: readonly string[]) => sql`${sql.param(ids)}::uuid[]`;
/** `column = any(ids)`: inArray with the list as one parameter. */
const inList = (column: AnyPgColumn, ids: readonly string[]) => sql`${column} = any(${uuidList(ids)})`;
/** Bytes as a hex text[] parameter (decoded in SQL): both drivers pass text arrays alike, not bytea arrays. */
const hexList = (values: readonly Uint8Array[]) =>
  sql`${sql.param(values.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")))}::text[]`;

/**
 * Moves many of the owner's records to fresh keys in one transaction, all or nothing: each
 * record's current version re-encrypted in place under key version + 1 (same version number;
 * the author's statement, commitment and signature are kept), a new owner wrap, new wraps
 * for exactly the grants that still cover it; the wraps of the old key under grants are
 * deleted (the owner keeps old wraps so earlier versions stay readable), a file body no
 * version holds any more is deleted, the rotation requests are cleared and ONE
 * `record-key-rotated` event joins the trail for the batch: `recordId` when it moved one
 * record, `recordIds` (every record it moved) when more. `updatedAt` is left alone.
 *
 * Idempotent: a record already stored at the key version sent, with exactly this content, is
 * "already done" and left alone, so a batch retried after a lost response (or after a crash
 * after its commit) succeeds and changes nothing. Set-based: a fixed number of statements per
 * batch whatever its size, each taking its lists as array parameters (`any`, `unnest`).
 *
 * A crash anywhere before the commit leaves every record of the batch untouched (one
 * transaction per batch), after it every record rotated.
 * @returns how many records were rotated now and how many were already done.
 * @throws AppError "not-found" when any record is not the caller's (the same answer as for no
 *   such record: whose it is never shows), "conflict" when a record changed since its new key
 *   was made (the message names it and both key versions) or sharing changed, or a record
 *   appears twice; "invalid-input" for a file not uploaded, "payload-too-large" for content.
 */
export async function rotateRecordKeys(db: Database, ownerId: string, rotations: RecordRotation[], now: Date = new Date()): Promise<RotateRecordKeysResponse> {
  const prepared = rotations.map(prepare);
  const ids = prepared.map((item) => item.recordId);
  if (new Set(ids).size !== ids.length) throw new AppError("conflict", "A record appears twice in this batch of key rotations.");
  if (prepared.length === 0) return { rotated: 0, alreadyDone: 0 };
  const result = await db.transaction(async (tx) => {
    // The records' rows locked in id order, so two batches sharing records never wait on each other crosswise,
    // and before the grants' rows (coverage, below), as every locker of both takes them (lib/db/row-locks.ts).
    const locked = await lockOwnedRecords(tx, ownerId, ids);
    if (locked.length !== ids.length) throw new AppError("not-found", "There is no such record in your chart.");
    // Read after the locks are held, in a statement of its own: a join locking only the records would, after
    // waiting for a batch rotating the same records, see their new key versions beside the versions' old content.
    // The content is only compared for a record already at the key version sent (a retried batch): otherwise
    // it is not read at all (a batch's worth of ciphertext the server would fetch to look at nothing).
    const lockedKeyVersion = new Map(locked.map((row) => [row.id, row.keyVersion]));
    const maybeDone = prepared.some((item) => lockedKeyVersion.get(item.recordId) === item.keyVersion);
    const current = await tx
      .select({
        recordId: recordVersions.recordId,
        content: maybeDone ? recordVersions.contentCiphertext : sql<Uint8Array | null>`null`,
        blobId: recordVersions.blobId,
      })
      .from(recordVersions)
      .innerJoin(records, and(eq(records.id, recordVersions.recordId), eq(records.currentVersion, recordVersions.version)))
      .where(inList(recordVersions.recordId, ids));
    const versionOf = new Map(current.map((row) => [row.recordId, row]));
    const recordOf = new Map(locked.map((row) => [row.id, { ...row, ...versionOf.get(row.id)! }]));
    const todo = prepared.filter((item) => {
      const record = recordOf.get(item.recordId)!;
      if (record.currentVersion === item.version && record.keyVersion === item.keyVersion && record.content && sameBytes(record.content, item.content))
        return false;
      if (item.version !== record.currentVersion || item.keyVersion !== record.keyVersion + 1) {
        throw new AppError(
          "conflict",
          `Record ${item.recordId} changed since its new key was made (it is at version ${record.currentVersion}, key version ${record.keyVersion}; the rotation names version ${item.version}, key version ${item.keyVersion}). It will be tried again.`,
        );
      }
      return true;
    });
    if (todo.length === 0) return { rotated: 0, alreadyDone: prepared.length };
    const todoIds = todo.map((item) => item.recordId);
    await checkBlobs(tx, ownerId, todo);
    // The grants locked while their wraps are written: a revoke meanwhile either waits for this batch (and then
    // finds its new wraps to delete and queues the records again) or ends first (and the grant is not covered).
    const coverage = await coverageOf(tx, ownerId, now, { lockGrants: true });
    for (const item of todo) checkGrantWraps(item.grantWraps, coverage.grantsCovering(item.recordId));

    const wraps = [
      ...todo.map((item) => ({ recordId: item.recordId, keyVersion: item.keyVersion, grantId: null, wrappedKey: item.ownerWrap })),
      ...todo.flatMap((item) =>
        item.grantWraps.map((wrap) => ({ recordId: item.recordId, keyVersion: item.keyVersion, grantId: wrap.grantId, wrappedKey: wrap.wrappedKey })),
      ),
    ];
    // One statement (data-modifying CTEs, one round trip) whatever the batch's size: the grants' wraps of the
    // old key go, each current version is rewritten in place (locked with its record) keeping its statement,
    // the new wraps (owner's and remaining grants') go in, the records' key versions move on and the rotation
    // requests are cleared. The CTEs see one snapshot: the delete cannot touch the wraps inserted beside it
    // (they are at the new key version anyway), and no two of them change the same row.
    await tx.execute(sql`
      with dropped as (
        delete from ${recordKeyWraps} where ${inList(recordKeyWraps.recordId, todoIds)} and ${isNotNull(recordKeyWraps.grantId)}
      ), rewritten as (
        update ${recordVersions} set
          key_version = moved.key_version,
          content_ciphertext = decode(moved.content, 'hex'),
          padded_size = moved.padded_size,
          blob_id = moved.blob_id
        from unnest(
          ${uuidList(todoIds)},
          ${sql.param(todo.map((item) => item.version))}::int[],
          ${sql.param(todo.map((item) => item.keyVersion))}::int[],
          ${hexList(todo.map((item) => item.content))},
          ${sql.param(todo.map((item) => item.content.length))}::bigint[],
          ${sql.param(todo.map((item) => item.blobId))}::uuid[]
        ) as moved(record_id, version, key_version, content, padded_size, blob_id)
        where ${recordVersions.recordId} = moved.record_id and ${recordVersions.version} = moved.version
      ), wrapped as (
        insert into ${recordKeyWraps} (id, record_id, key_version, grant_id, wrapped_key)
        select gen_random_uuid(), wrap.record_id, wrap.key_version, wrap.grant_id, decode(wrap.wrapped_key, 'hex')
        from unnest(
          ${uuidList(wraps.map((wrap) => wrap.recordId))},
          ${sql.param(wraps.map((wrap) => wrap.keyVersion))}::int[],
          ${sql.param(wraps.map((wrap) => wrap.grantId))}::uuid[],
          ${hexList(wraps.map((wrap) => wrap.wrappedKey))}
        ) as wrap(record_id, key_version, grant_id, wrapped_key)
      ), bumped as (
        update ${records} set key_version = ${records.keyVersion} + 1 where ${inList(records.id, todoIds)}
      )
      delete from ${keyRotations} where ${inList(keyRotations.recordId, todoIds)}`);
    crashPoint("records.rotate.mid-batch");
    await deleteUnheldBlobs(
      tx,
      todo.flatMap((item) => {
        const previous = recordOf.get(item.recordId)!.blobId;
        return previous && previous !== item.blobId ? [previous] : [];
      }),
    );
    // One event for the batch: every record it moved stays findable in the trail (the History page's
    // per-record filter and the FHIR export read recordIds as well as recordId).
    await appendAudit(
      tx,
      [
        {
          subjectId: ownerId,
          actorId: ownerId,
          action: "record-key-rotated",
          ...(todoIds.length === 1 ? { recordId: todoIds[0]! } : { recordIds: todoIds }),
          outcome: "success",
        },
      ],
      now,
    );
    crashPoint("records.rotate.before-commit");
    return { rotated: todo.length, alreadyDone: prepared.length - todo.length };
  });
  crashPoint("records.rotate.after-commit");
  return result;
}

/**
 * The files a batch attaches: each must be its owner's, fully uploaded, and held by no other
 * record (stored or staged in an import). Locks their rows, so the sweeper skips them meanwhile.
 */
async function checkBlobs(tx: Transaction, ownerId: string, items: PreparedRotation[]) {
  const attached = items.filter((item): item is PreparedRotation & { blobId: string } => item.blobId !== null);
  if (attached.length === 0) return;
  const blobIds = attached.map((item) => item.blobId);
  if (new Set(blobIds).size !== blobIds.length) throw new AppError("conflict", "This file belongs to another record.");
  const found = await tx
    .select({ id: blobs.id, ownerId: blobs.ownerId, status: blobs.status })
    .from(blobs)
    .where(inList(blobs.id, blobIds))
    .orderBy(blobs.id)
    .for("update");
  const ready = new Set(found.filter((blob) => blob.ownerId === ownerId && blob.status === "complete").map((blob) => blob.id));
  if (blobIds.some((id) => !ready.has(id))) throw new AppError("invalid-input", "The attached file has not finished uploading.");
  const owner = new Map(attached.map((item) => [item.blobId, item.recordId]));
  const users = await tx
    .select({ blobId: recordVersions.blobId, recordId: recordVersions.recordId })
    .from(recordVersions)
    .where(inList(recordVersions.blobId, blobIds));
  const staged = await tx
    .select({ blobId: importRecords.blobId, recordId: importRecords.recordId })
    .from(importRecords)
    .where(inList(importRecords.blobId, blobIds));
  if ([...users, ...staged].some((use) => owner.get(use.blobId!) !== use.recordId)) throw new AppError("conflict", "This file belongs to another record.");
}

/** Deletes those of `blobIds` that no version holds any more (a file body under an old key). */
async function deleteUnheldBlobs(tx: Transaction, blobIds: string[]) {
  if (blobIds.length === 0) return;
  const held = await tx.selectDistinct({ blobId: recordVersions.blobId }).from(recordVersions).where(inList(recordVersions.blobId, blobIds));
  const keep = new Set(held.map((row) => row.blobId));
  const unheld = blobIds.filter((id) => !keep.has(id));
  if (unheld.length > 0) await tx.delete(blobs).where(inList(blobs.id, unheld));
}

/**
 * Moves one record to a fresh key: `rotateRecordKeys` with a batch of one (see there for
 * what is kept, what is deleted, idempotency and errors).
 */
export async function rotateRecordKey(db: Database, ownerId: string, recordId: string, payload: RotateRecordKey, now: Date = new Date()): Promise<void> {
  await rotateRecordKeys(db, ownerId, [{ recordId, ...payload }], now);
}

/** The first of `recordIds` that is not a record of `ownerId` (someone else's, or none), for the refusal's audit; null when all are theirs. */
export async function firstNotOwned(db: Database, ownerId: string, recordIds: string[]): Promise<string | null> {
  const owned = await db
    .select({ id: records.id })
    .from(records)
    .where(and(inList(records.id, recordIds), eq(records.ownerId, ownerId)));
  const mine = new Set(owned.map((row) => row.id));
  return recordIds.find((id) => !mine.has(id)) ?? null;
}
