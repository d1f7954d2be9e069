import "server-only";
import { and, asc, eq, inArray, isNotNull, lt, notExists, sql } from "drizzle-orm";
import { blobChunks, blobs, importRecords, recordVersions, shlLinks } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { resultRows } from "@/lib/db/client";
import type { BlobInfo, BlobStore, SweepOutcome } from "./blob-store";
import { chunkDigest, type ChunkBodies } from "./chunk-bodies";

/** Chunks moved out of the database per step of the sweep: bounded memory (at most 32 MiB, at 8 MiB chunks). */
const moveBatch = 4;

/**
 * The blob store every implementation shares: the database decides (one `blobs` row per
 * file, one `blob_chunks` row per chunk with its size and SHA-256), and the bytes live in
 * `bodies` (files, objects) or, when `bodies` is null, in the chunk's row (the database
 * store). Rows are written only after their bytes are durable, and deleted before their
 * bytes: a crash in between leaves bytes no row names, which the sweep removes (orphans),
 * never a row whose bytes are gone. Chunks a row holds in `data` (the database store, or
 * any chunk stored before the file and S3 stores) are read from there whatever `bodies` is,
 * and the sweep moves them into `bodies`.
 */
export function chunkedBlobStore(db: Database, bodies: ChunkBodies | null): BlobStore {
  async function storedDigest(blobId: string, index: number): Promise<Uint8Array | undefined> {
    const [row] = await db
      .select({ digest: blobChunks.digest })
      .from(blobChunks)
      .where(and(eq(blobChunks.blobId, blobId), eq(blobChunks.index, index)));
    return row?.digest;
  }

  async function removeOrphans(): Promise<number> {
    if (!bodies) return 0;
    let removed = 0;
    for await (const ids of bodies.storedBlobIds()) {
      // A blob's row is written before any of its bytes and deleted before them: bytes whose row is gone are garbage.
      const known = new Set((await db.select({ id: blobs.id }).from(blobs).where(inArray(blobs.id, ids))).map((row) => row.id));
      const orphans = ids.filter((id) => !known.has(id));
      await bodies.remove(orphans);
      removed += orphans.length;
    }
    return removed;
  }

  async function moveOutOfDatabase(): Promise<number> {
    if (!bodies) return 0;
    let moved = 0;
    for (;;) {
      const rows = await db
        .select({ blobId: blobChunks.blobId, index: blobChunks.index, digest: blobChunks.digest, data: blobChunks.data })
        .from(blobChunks)
        .where(isNotNull(blobChunks.data))
        .limit(moveBatch);
      if (rows.length === 0) return moved;
      for (const row of rows) {
        // The bytes first, then the row forgets them: a crash in between writes the same name again next time.
        await bodies.write(row.blobId, row.index, row.data!, Promise.resolve(row.digest));
        await db
          .update(blobChunks)
          .set({ data: null })
          .where(and(eq(blobChunks.blobId, row.blobId), eq(blobChunks.index, row.index), eq(blobChunks.digest, row.digest)));
        moved++;
      }
    }
  }

  return {
    kind: bodies?.kind ?? "database",

    async create({ id, ownerId, chunkSize, chunkCount }) {
      await db.insert(blobs).values({ id, ownerId, chunkSize, chunkCount });
    },

    async putChunk({ blobId, index, data }) {
      // Durable bytes first, then the row that makes them the chunk (see the store's comment).
      // A retry of a stored chunk writes the same name again with the same bytes: harmless, and
      // one query fewer for every chunk that is new. The digest is computed off the event loop
      // while the bytes go to disk; awaited together, so neither's failure goes unhandled.
      const digesting = chunkDigest(data);
      const [digest] = await Promise.all([digesting, bodies?.write(blobId, index, data, digesting)]);
      // One statement: the row, and the blob's sign of life when the row is new. Written as SQL: drizzle's
      // builder took longer to build this statement than PGlite took to run it (bench/file-store-bench.ts).
      const touched = resultRows<{ id: string }>(
        await db.execute(sql`
          with inserted as (
            insert into ${blobChunks} (blob_id, chunk_index, size, digest, data)
            values (${blobId}, ${index}, ${data.byteLength}, ${digest}, ${bodies ? null : data})
            on conflict do nothing
            returning blob_id
          )
          update ${blobs} set touched_at = now() where id in (select blob_id from inserted) returning id`),
      );
      if (touched.length === 1) return "stored";
      const stored = await storedDigest(blobId, index);
      if (stored && Buffer.from(stored).equals(digest)) return "already-stored";
      // Other bytes hold this place, and rows are never rewritten: no row can ever name these, so they go now
      // (a client sending conflicting chunks must not fill the disk until its blob is deleted).
      if (bodies && stored) await bodies.removeChunk(blobId, index, digest);
      return "conflict";
    },

    async receivedChunks(blobId) {
      const rows = await db.select({ index: blobChunks.index }).from(blobChunks).where(eq(blobChunks.blobId, blobId)).orderBy(asc(blobChunks.index));
      return rows.map((row) => row.index);
    },

    async readChunk(blobId, index) {
      const [row] = await db
        .select({ digest: blobChunks.digest, data: blobChunks.data })
        .from(blobChunks)
        .where(and(eq(blobChunks.blobId, blobId), eq(blobChunks.index, index)));
      if (!row) return null;
      if (row.data) return row.data;
      if (!bodies) throw new Error("this chunk is in a file or object store, but the database store is configured (BLOB_STORE)");
      const data = await bodies.read(blobId, index, row.digest);
      // A row whose bytes are gone is damage (a deleted file, another store's bucket): never served as "no such chunk".
      if (!data) throw new Error(`chunk ${index} of blob ${blobId} is missing from the ${bodies.kind} store`);
      return data;
    },

    async markComplete(blobId, paddedSize) {
      const now = new Date();
      await db.update(blobs).set({ status: "complete", paddedSize, completedAt: now, touchedAt: now }).where(eq(blobs.id, blobId));
    },

    async describe(blobId): Promise<BlobInfo | null> {
      // Every chunk's request asks this: only the columns it answers with.
      const [row] = await db
        .select({
          id: blobs.id,
          ownerId: blobs.ownerId,
          status: blobs.status,
          chunkSize: blobs.chunkSize,
          chunkCount: blobs.chunkCount,
          paddedSize: blobs.paddedSize,
        })
        .from(blobs)
        .where(eq(blobs.id, blobId));
      return row ? { ...row, chunkCount: row.chunkCount ?? 0 } : null;
    },

    async delete(blobIds) {
      if (blobIds.length === 0) return;
      await db.delete(blobs).where(inArray(blobs.id, blobIds));
      await bodies?.remove(blobIds);
    },

    async sweep(idleSince): Promise<SweepOutcome> {
      const unused = notExists(
        db
          .select({ one: sql`1` })
          .from(recordVersions)
          .where(eq(recordVersions.blobId, blobs.id)),
      );
      // A record staged in an import holds its file too; the import sweep removes both together.
      const unstaged = notExists(
        db
          .select({ one: sql`1` })
          .from(importRecords)
          .where(eq(importRecords.blobId, blobs.id)),
      );
      // A SMART Health Link's JWE is held by its link; lib/links deletes it when the link dies.
      const unlinked = notExists(
        db
          .select({ one: sql`1` })
          .from(shlLinks)
          .where(eq(shlLinks.blobId, blobs.id)),
      );
      // A blob a transaction has locked is being attached to a record right now: skipped, not waited for.
      const idle = db
        .select({ id: blobs.id })
        .from(blobs)
        .where(and(lt(blobs.touchedAt, idleSince), unused, unstaged, unlinked))
        .for("update", { skipLocked: true });
      const removed = await db.delete(blobs).where(inArray(blobs.id, idle)).returning({ id: blobs.id });
      await bodies?.remove(removed.map((row) => row.id));
      // Bytes of blobs deleted elsewhere (a record deleted, a key rotated, an account closed) or by a crashed sweep.
      const orphans = await removeOrphans();
      const moved = await moveOutOfDatabase();
      return { removed: removed.length, orphans, moved };
    },

    async check() {
      await bodies?.check();
    },
  };
}
