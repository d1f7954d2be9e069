import "server-only";
import type { blobs } from "@/drizzle/schema";

/**
 * Where encrypted file bodies live, chunk by chunk. Every implementation keeps the metadata
 * (files, chunk sizes and digests) in the database, which decides what is stored; the bytes
 * live in files (the default), objects of an S3-compatible store, or the database itself
 * (lib/blobs/chunked-blob-store.ts; `blobStore(db)` picks one from the settings).
 */
export interface BlobStore {
  readonly kind: "database" | "file" | "s3";
  create(input: { id: string; ownerId: string; chunkSize: number; chunkCount: number }): Promise<void>;
  /**
   * Stores one chunk, durably before it resolves. Re-sending identical bytes succeeds (a
   * retried upload); different bytes do not ("conflict"), decided by the chunk's SHA-256.
   */
  putChunk(input: { blobId: string; index: number; data: Uint8Array }): Promise<"stored" | "already-stored" | "conflict">;
  receivedChunks(blobId: string): Promise<number[]>;
  /** The chunk's bytes; null when no chunk was stored there. Throws when a stored chunk's bytes are missing (damage). */
  readChunk(blobId: string, index: number): Promise<Uint8Array | null>;
  markComplete(blobId: string, paddedSize: number): Promise<void>;
  describe(blobId: string): Promise<BlobInfo | null>;
  /** Deletes the blobs' rows, then their bytes. */
  delete(blobIds: string[]): Promise<void>;
  /**
   * Removes uploads abandoned before completion and completed blobs no record version, staged
   * import record or SMART Health Link uses, once idle (no chunk, no completion) since before `idleSince`; then the bytes no
   * row names any more (orphans), and moves chunks still held in the database into the
   * file or object store.
   */
  sweep(idleSince: Date): Promise<SweepOutcome>;
  /** Throws when the bytes' store cannot be reached or written (the health check). */
  check(): Promise<void>;
}

/** What a sweep did: blobs removed, blobs whose orphaned bytes were removed, chunks moved out of the database. */
export interface SweepOutcome {
  removed: number;
  orphans: number;
  moved: number;
}

/** What the services need to know of a blob, as its row holds it (a missing chunk count reads as 0). */
export type BlobInfo = Pick<typeof blobs.$inferSelect, "id" | "ownerId" | "status" | "chunkSize" | "paddedSize"> & { chunkCount: number };
