import "server-only";
import { fileChunkSizes, type StartUpload, type UploadId, type UploadStatus } from "@/contract/records";
import { randomUUID } from "node:crypto";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase } from "@/lib/db";
import { countOf, pluralOf } from "@/client/format";
import { AppError } from "@/lib/errors";
import { eq } from "drizzle-orm";
import { recordVersions } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import { noteRefusal } from "@/lib/audit/refusals";
import { clinicianMayReadBlob } from "@/lib/grants/grant-store";
import { crashPoint } from "@/lib/crash-points";
import { chunkOverhead } from "@/crypto";
import { reserveUpload, storageLimits, storageUsage, type StorageUsage } from "@/lib/records/storage-quota";
import type { BlobStore } from "./blob-store";
import { blobStore } from "./select-blob-store";

/** What secretstream adds to every chunk (crypto/), re-exported for the wire's body limits. */
export { chunkOverhead };
export const uploadChunkSizes = fileChunkSizes;
export const maxFileBytes = 4 * 1024 * 1024 * 1024;
async function store(): Promise<{ blobs: BlobStore; userId: string }> {
  const session = await requireSession();
  if (session.role !== "patient") throw new AppError("forbidden", "Only patients upload files to their chart.");
  const { db } = await getDatabase();
  return { blobs: blobStore(db), userId: session.userId };
}

async function ownedUpload(blobs: BlobStore, userId: string, blobId: string) {
  const info = await blobs.describe(blobId);
  if (!info || info.ownerId !== userId) throw new AppError("not-found", "There is no such upload.");
  return info;
}

/**
 * Starts an upload. The browser pads every file to whole chunks of one of the sizes the
 * contract allows (1 MiB; 4 or 8 MiB for larger files), so the server learns sizes in those
 * steps only; every chunk of the upload must therefore be exactly the declared chunk size long. The
 * declared size is checked against the account's storage quota here, before the first
 * byte (lib/blobs/storage-quota.ts: `quota-exceeded` 413, `too-many-uploads` 409).
 * `replaces` is the file a key rotation re-encrypts.
 */
export async function startUpload(input: StartUpload): Promise<UploadId> {
  const { userId } = await store();
  if (!uploadChunkSizes.includes(input.chunkSize)) {
    throw new AppError("invalid-input", `Files are uploaded in chunks of ${uploadChunkSizes.join(" or ")} bytes.`);
  }
  if (input.chunkCount * input.chunkSize > maxFileBytes) {
    throw new AppError("payload-too-large", `A file can be at most ${maxFileBytes / 1024 ** 3} GB.`);
  }
  const id = randomUUID();
  const { db } = await getDatabase();
  await reserveUpload(db, { id, ownerId: userId, ...input }, storageLimits());
  return { blobId: id };
}

/** The caller's storage use and limits (zero use for accounts that store nothing, such as clinicians). */
export async function myStorage(): Promise<StorageUsage> {
  const session = await requireSession();
  const { db } = await getDatabase();
  return storageUsage(db, session.userId, storageLimits());
}

/** Idempotent: the same chunk may be sent again after a dropped connection. */
export async function uploadChunk(blobId: string, index: number, data: Uint8Array) {
  const { blobs, userId } = await store();
  const info = await ownedUpload(blobs, userId, blobId);
  if (index >= info.chunkCount) throw new AppError("invalid-input", "This chunk is beyond the end of the file.");
  if (data.length !== info.chunkSize + chunkOverhead) {
    throw new AppError("invalid-input", "Every chunk of an encrypted file has the same size.");
  }
  const outcome = await blobs.putChunk({ blobId, index, data });
  crashPoint("blobs.chunk-stored");
  if (outcome === "conflict") throw new AppError("conflict", "A different chunk was already stored at this position.");
  if (info.status === "complete" && outcome === "stored") throw new AppError("conflict", "This upload is already complete.");
}

/** Where an upload of the caller's stands; "not-found" for anyone else's. */
export async function uploadStatus(blobId: string): Promise<UploadStatus> {
  const { blobs, userId } = await store();
  const info = await ownedUpload(blobs, userId, blobId);
  return { status: info.status, chunkCount: info.chunkCount, received: await blobs.receivedChunks(blobId) };
}

/** Marks an upload complete once every chunk arrived; "conflict" naming how many are missing otherwise. */
export async function completeUpload(blobId: string): Promise<UploadId> {
  const { blobs, userId } = await store();
  const info = await ownedUpload(blobs, userId, blobId);
  const received = await blobs.receivedChunks(blobId);
  if (received.length !== info.chunkCount) {
    const missing = info.chunkCount - received.length;
    throw new AppError("conflict", `${countOf(missing, "chunk")} of this file ${pluralOf(missing, "has", "have")} not arrived yet.`);
  }
  await blobs.markComplete(blobId, info.chunkCount * (info.chunkSize + chunkOverhead));
  crashPoint("blobs.upload-completed");
  return { blobId };
}

/**
 * A chunk of a finished file, for its owner, or for a clinician who holds the current key
 * of the record carrying it under an active grant. Everyone else gets the same 404.
 */
export async function downloadChunk(blobId: string, index: number): Promise<Uint8Array> {
  const session = await requireSession();
  const { db } = await getDatabase();
  const blobs = blobStore(db);
  const info = await blobs.describe(blobId);
  const allowed =
    info !== null &&
    (session.role === "patient"
      ? info.ownerId === session.userId
      : (session.role === "doctor" || session.role === "nurse") && (await clinicianMayReadBlob(db, session.userId, blobId)));
  if (!info || !allowed) {
    // Counted against the caller's refused-request limit (429 once over it), and into the owner's trail if the file exists.
    await noteRefusal(db, session.userId, info ? { ownerId: info.ownerId } : null);
    throw new AppError("not-found", "There is no such upload.");
  }
  if (info.status !== "complete") throw new AppError("not-found", "This file has not finished uploading.");
  // One event per download (its first chunk), not one per chunk.
  if (index === 0) {
    const [holder] = await db.select({ recordId: recordVersions.recordId }).from(recordVersions).where(eq(recordVersions.blobId, blobId)).limit(1);
    await appendAudit(db, [
      { subjectId: info.ownerId, actorId: session.userId, action: "file-fetched", recordId: holder?.recordId ?? null, outcome: "success" },
    ]);
  }
  const data = await blobs.readChunk(blobId, index);
  if (!data) throw new AppError("not-found", "There is no such chunk.");
  return data;
}
