import "server-only";
import type { StorageUsage } from "@/contract/me";
import { and, eq, sql } from "drizzle-orm";
import { blobs, importRecords, imports, records, recordVersions } from "@/drizzle/schema";
import type { Database, Executor, Transaction } from "@/lib/db";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { countOf, formatBytes, pluralOf } from "@/client/format";
import { lockAccount } from "@/lib/db/row-locks";

/** A transaction on the database, as drizzle hands it to `db.transaction`'s callback. */

/** An account's storage limits: `quotaBytes` for everything it stores, `unfinishedUploadsMax` uploads under way at once. */
export type StorageLimits = Pick<StorageUsage, "quotaBytes" | "unfinishedUploadsMax">;

/** This deployment's limits (STORAGE_QUOTA_MB, UNFINISHED_UPLOADS_MAX). */
export const storageLimits = (): StorageLimits => ({ quotaBytes: config().storageQuotaBytes, unfinishedUploadsMax: config().unfinishedUploadsMax });

/**
 * What an account stores, in bytes. Files count at their declared size (whole chunks, from
 * the request that starts the upload, finished or not, held by a record or not: the sweeper
 * frees what no record holds); records count at the padded size of every stored version, and
 * of every record staged in an import not yet committed.
 */
export type { StorageUsage } from "@/contract/me";

/** A file's declared size: the chunks it will store, counted without secretstream's 17 bytes per chunk. */
export const declaredBytes = (chunkSize: number, chunkCount: number) => chunkSize * chunkCount;

/** Reads `ownerId`'s usage; inside `reserveUpload`'s transaction it is read under the account's lock. */
export async function storageUsage(db: Executor, ownerId: string, limits: StorageLimits): Promise<StorageUsage> {
  const [files] = await db
    .select({
      bytes: sql<string>`coalesce(sum(${blobs.chunkSize}::bigint * coalesce(${blobs.chunkCount}, 0)), 0)`,
      unfinished: sql<string>`count(*) filter (where ${blobs.status} = 'uploading')`,
    })
    .from(blobs)
    .where(eq(blobs.ownerId, ownerId));
  const [stored] = await db
    .select({ bytes: sql<string>`coalesce(sum(${recordVersions.paddedSize}), 0)` })
    .from(recordVersions)
    .innerJoin(records, eq(records.id, recordVersions.recordId))
    .where(eq(records.ownerId, ownerId));
  // Records staged in an import not yet committed take their space already (lib/records/import-store.ts).
  const [staged] = await db
    .select({ bytes: sql<string>`coalesce(sum(${importRecords.paddedSize}), 0)` })
    .from(importRecords)
    .innerJoin(imports, eq(imports.id, importRecords.importId))
    .where(eq(imports.ownerId, ownerId));
  const fileBytes = Number(files?.bytes ?? 0);
  const recordBytes = Number(stored?.bytes ?? 0) + Number(staged?.bytes ?? 0);
  return { ...limits, fileBytes, recordBytes, usedBytes: fileBytes + recordBytes, unfinishedUploads: Number(files?.unfinished ?? 0) };
}

/** Sizes in the refusal messages read as the pages show them (client/format.ts): "4.3 GB", "705 MB". */
export const plainSize = (bytes: number): string => formatBytes(Math.max(0, bytes), "en");

/**
 * Creates an upload's blob row only if the account may start it, under a lock on the account
 * so that two uploads started at once cannot both take the last space. Refuses with
 * `too-many-uploads` (409) when `unfinishedUploadsMax` uploads are already under way, and with
 * `quota-exceeded` (413) when used plus declared bytes would pass the quota. `replaces` names
 * a finished file of the same account held by a record, which a key rotation is re-encrypting:
 * its size is not counted twice, so a full account can still move its files to new keys
 * (the new file may not be larger, and the old one goes with the rotation).
 */
export async function reserveUpload(
  db: Database,
  upload: { id: string; ownerId: string; chunkSize: number; chunkCount: number; replaces?: string },
  limits: StorageLimits,
): Promise<void> {
  await db.transaction(async (tx) => {
    await lockAccount(tx, upload.ownerId);
    const usage = await storageUsage(tx, upload.ownerId, limits);
    if (usage.unfinishedUploads >= limits.unfinishedUploadsMax) {
      throw new AppError(
        "too-many-uploads",
        `You already have ${countOf(usage.unfinishedUploads, "upload")} that ${pluralOf(usage.unfinishedUploads, "has", "have")} not finished. Let them finish, or wait a day for unfinished ones to be cleared, before starting another.`,
      );
    }
    const needed = declaredBytes(upload.chunkSize, upload.chunkCount);
    const freed = upload.replaces ? await replacedBytes(tx, upload) : 0;
    const left = limits.quotaBytes - usage.usedBytes + freed;
    if (needed > left) {
      throw new AppError(
        "quota-exceeded",
        `This file needs ${plainSize(needed)} but you have ${plainSize(Math.max(0, left))} left of your ${plainSize(limits.quotaBytes)} of storage. Delete records or files you no longer need, or ask your provider for more space.`,
      );
    }
    await tx.insert(blobs).values({ id: upload.id, ownerId: upload.ownerId, chunkSize: upload.chunkSize, chunkCount: upload.chunkCount });
  });
}

/**
 * Called inside the transaction that has just stored `addedBytes` of new record versions for
 * `ownerId` (so a re-sent request that stored nothing is never refused): refuses with
 * `quota-exceeded` (413), rolling the transaction back, when the account is now over its
 * quota. Takes the account's lock, as `reserveUpload` does, so concurrent saves and uploads
 * see each other's bytes.
 */
export async function checkStoredWithinQuota(tx: Transaction, ownerId: string, addedBytes: number, limits: StorageLimits): Promise<void> {
  if (addedBytes <= 0) return;
  await lockAccount(tx, ownerId);
  const usage = await storageUsage(tx, ownerId, limits);
  if (usage.usedBytes <= limits.quotaBytes) return;
  const left = Math.max(0, limits.quotaBytes - (usage.usedBytes - addedBytes));
  throw new AppError(
    "quota-exceeded",
    `These records need ${plainSize(addedBytes)} but you have ${plainSize(left)} left of your ${plainSize(limits.quotaBytes)} of storage. Delete records or files you no longer need, or ask your provider for more space.`,
  );
}

/** The declared size of the file a rotation replaces; refuses a `replaces` that is not a held file of this account at least as large. */
async function replacedBytes(tx: Transaction, upload: { ownerId: string; chunkSize: number; chunkCount: number; replaces?: string }): Promise<number> {
  const [old] = await tx
    .select({ chunkSize: blobs.chunkSize, chunkCount: blobs.chunkCount })
    .from(blobs)
    .innerJoin(recordVersions, eq(recordVersions.blobId, blobs.id))
    .where(and(eq(blobs.id, upload.replaces!), eq(blobs.ownerId, upload.ownerId), eq(blobs.status, "complete")))
    .limit(1);
  const oldBytes = old ? declaredBytes(old.chunkSize, old.chunkCount ?? 0) : 0;
  if (!old || declaredBytes(upload.chunkSize, upload.chunkCount) > oldBytes) {
    throw new AppError("invalid-input", "A re-encrypted file replaces one of your stored files of at least its size.");
  }
  return oldBytes;
}
