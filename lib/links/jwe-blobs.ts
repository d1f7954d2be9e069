import "server-only";
import { randomUUID } from "node:crypto";
import type { BlobStore } from "@/lib/blobs/blob-store";
import type { Database } from "@/lib/db";
import { reserveUpload, type StorageLimits } from "@/lib/records/storage-quota";

/**
 * A link's JWE in the blob store (issue 16: "stored like any other ciphertext"). One blob per
 * link, owned by the link's owner, so it counts toward the owner's storage quota at its size.
 * The store's moves out of the database handle at most 4 MiB a chunk: a JWE (≤ 8 MiB of text)
 * takes a few, all of one size but the last.
 */

/** The largest chunk a JWE is cut into, in bytes. */
export const jweChunkMax = 4 * 1024 * 1024;

/** Chunks of equal size (the last one shorter) for `size` bytes: the declared size overshoots by less than one byte per chunk. */
export function jweChunking(size: number): { chunkSize: number; chunkCount: number } {
  const chunkCount = Math.max(1, Math.ceil(size / jweChunkMax));
  return { chunkCount, chunkSize: Math.max(1, Math.ceil(size / chunkCount)) };
}

/**
 * Stores `jwe` as a new complete blob of `ownerId` and returns its id. The blob is created under
 * the account's storage lock and quota (lib/records/storage-quota.ts `reserveUpload`: throws
 * AppError `quota-exceeded` or `too-many-uploads`). Until a link names it, the blob is one no
 * record holds: a crash before the link is stored leaves it to the blob sweeper.
 */
export async function storeJwe(db: Database, blobs: BlobStore, ownerId: string, jwe: Uint8Array, limits: StorageLimits): Promise<string> {
  const id = randomUUID();
  const { chunkSize, chunkCount } = jweChunking(jwe.byteLength);
  await reserveUpload(db, { id, ownerId, chunkSize, chunkCount }, limits);
  for (let index = 0; index < chunkCount; index++) {
    await blobs.putChunk({ blobId: id, index, data: jwe.subarray(index * chunkSize, (index + 1) * chunkSize) });
  }
  await blobs.markComplete(id, jwe.byteLength);
  return id;
}

/**
 * A stored JWE's bytes, or null when its blob is gone or unfinished (a link revoked, disabled or
 * swept meanwhile). Throws when a chunk's bytes are missing from a blob that still exists (damage).
 */
export async function readJwe(blobs: BlobStore, blobId: string): Promise<Uint8Array | null> {
  const info = await blobs.describe(blobId);
  if (!info || info.status !== "complete" || info.paddedSize === null) return null;
  const jwe = new Uint8Array(info.paddedSize);
  let offset = 0;
  for (let index = 0; index < info.chunkCount; index++) {
    let chunk: Uint8Array | null;
    try {
      chunk = await blobs.readChunk(blobId, index);
    } catch (error) {
      // Deleted between its row's read and its bytes' (a revocation racing this open): gone, not damaged.
      if ((await blobs.describe(blobId)) === null) return null;
      throw error;
    }
    if (!chunk || offset + chunk.byteLength > jwe.byteLength) return null;
    jwe.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return offset === jwe.byteLength ? jwe : null;
}
