import "server-only";
import { and, asc, eq, inArray, lt, notExists, sql } from "drizzle-orm";
import { blobChunks, blobs, importRecords, recordVersions } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import type { BlobInfo, BlobStore } from "./blob-store";

export function databaseBlobStore(db: Database): BlobStore {
  return {
    async create({ id, ownerId, chunkSize, chunkCount }) {
      await db.insert(blobs).values({ id, ownerId, chunkSize, chunkCount });
    },

    async putChunk({ blobId, index, data }) {
      const inserted = await db.insert(blobChunks).values({ blobId, index, data }).onConflictDoNothing().returning({ index: blobChunks.index });
      if (inserted.length === 1) {
        await db.update(blobs).set({ touchedAt: new Date() }).where(eq(blobs.id, blobId));
        return "stored";
      }
      const [existing] = await db
        .select({ data: blobChunks.data })
        .from(blobChunks)
        .where(and(eq(blobChunks.blobId, blobId), eq(blobChunks.index, index)));
      return existing && Buffer.from(existing.data).equals(Buffer.from(data)) ? "already-stored" : "conflict";
    },

    async receivedChunks(blobId) {
      const rows = await db.select({ index: blobChunks.index }).from(blobChunks).where(eq(blobChunks.blobId, blobId)).orderBy(asc(blobChunks.index));
      return rows.map((row) => row.index);
    },

    async readChunk(blobId, index) {
      const [row] = await db
        .select({ data: blobChunks.data })
        .from(blobChunks)
        .where(and(eq(blobChunks.blobId, blobId), eq(blobChunks.index, index)));
      return row?.data ?? null;
    },

    async markComplete(blobId, paddedSize) {
      const now = new Date();
      await db.update(blobs).set({ status: "complete", paddedSize, completedAt: now, touchedAt: now }).where(eq(blobs.id, blobId));
    },

    async describe(blobId): Promise<BlobInfo | null> {
      const [row] = await db.select().from(blobs).where(eq(blobs.id, blobId));
      if (!row) return null;
      return {
        id: row.id,
        ownerId: row.ownerId,
        status: row.status,
        chunkSize: row.chunkSize,
        chunkCount: row.chunkCount ?? 0,
        paddedSize: row.paddedSize,
      };
    },

    async delete(blobIds) {
      if (blobIds.length > 0) await db.delete(blobs).where(inArray(blobs.id, blobIds));
    },

    async sweep(idleSince) {
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
      // A blob a transaction has locked is being attached to a record right now: skipped, not waited for.
      const idle = db
        .select({ id: blobs.id })
        .from(blobs)
        .where(and(lt(blobs.touchedAt, idleSince), unused, unstaged))
        .for("update", { skipLocked: true });
      const removed = await db.delete(blobs).where(inArray(blobs.id, idle)).returning({ id: blobs.id });
      return removed.length;
    },
  };
}
