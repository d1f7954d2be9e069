import "server-only";

/**
 * Where the bytes of a chunk live when the database holds only its metadata (size and
 * digest in `blob_chunks`): a directory, or a bucket. Every name carries the chunk's digest,
 * so two writers racing with different bytes for one place never overwrite each other's
 * chunk: the database row says which one is the chunk, and the other is garbage that goes
 * with its blob.
 *
 * Layout, the same in both stores: `<blob id>/<index>-<SHA-256 hex>` (relative to the
 * directory, or the bucket's key), so a directory copied into a bucket is a valid bucket.
 */
export interface ChunkBodies {
  readonly kind: "file" | "s3";
  /**
   * Stores a chunk; resolves only once the bytes would survive a crash (fsync, or the object
   * store's acknowledgement). `digestOf` gives its SHA-256 (the name), called once, when the
   * store needs it: the file store computes it while the bytes are on their way to disk.
   */
  write(blobId: string, index: number, data: Uint8Array, digestOf: () => Uint8Array): Promise<void>;
  /** The chunk's bytes, or null when nothing is stored under that name. */
  read(blobId: string, index: number, digest: Uint8Array): Promise<Uint8Array | null>;
  /** Removes one chunk's bytes (a conflicting write's, which no row names); a missing one is fine. */
  removeChunk(blobId: string, index: number, digest: Uint8Array): Promise<void>;
  /** Removes every chunk of these blobs, including ones no row names (a write whose row never came); missing ones are fine. */
  remove(blobIds: readonly string[]): Promise<void>;
  /** Every blob id something is stored under, in pages, for the orphan sweep (names that are not blob ids are never listed). */
  storedBlobIds(): AsyncIterable<string[]>;
  /** Throws when the store cannot be reached or written (health check). */
  check(): Promise<void>;
}

const blobIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a name in the store is a blob's (a UUID as `randomUUID` writes it); anything else there is never touched. */
export function isBlobId(name: string): boolean {
  return blobIdPattern.test(name);
}

/** A chunk's name inside its blob: `<index>-<SHA-256 hex>`. Throws on a blob id that is not one (never a path outside the store). */
export function chunkName(blobId: string, index: number, digest: Uint8Array): string {
  if (!isBlobId(blobId) || !Number.isSafeInteger(index) || index < 0) throw new Error("not a chunk's place");
  return `${blobId}/${index}-${Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("hex")}`;
}
