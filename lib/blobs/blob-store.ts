import "server-only";
import type { blobs } from "@/drizzle/schema";

/**
 * Where encrypted file bodies live, chunk by chunk. The database implementation is the
 * default; an S3-compatible store can implement the same interface (one object per
 * chunk, or multipart uploads) without the services noticing.
 */
export interface BlobStore {
  create(input: { id: string; ownerId: string; chunkSize: number; chunkCount: number }): Promise<void>;
  /** Stores one chunk. Re-sending identical bytes succeeds (a retried upload); different bytes do not. */
  putChunk(input: { blobId: string; index: number; data: Uint8Array }): Promise<"stored" | "already-stored" | "conflict">;
  receivedChunks(blobId: string): Promise<number[]>;
  readChunk(blobId: string, index: number): Promise<Uint8Array | null>;
  markComplete(blobId: string, paddedSize: number): Promise<void>;
  describe(blobId: string): Promise<BlobInfo | null>;
  delete(blobIds: string[]): Promise<void>;
  /**
   * Removes uploads abandoned before completion and completed blobs no record version
   * uses, once idle (no chunk, no completion) since before `idleSince`. Returns how many.
   */
  sweep(idleSince: Date): Promise<number>;
}

/** What the services need to know of a blob, as its row holds it (a missing chunk count reads as 0). */
export type BlobInfo = Pick<typeof blobs.$inferSelect, "id" | "ownerId" | "status" | "chunkSize" | "paddedSize"> & { chunkCount: number };
