import "server-only";
import { webcrypto } from "node:crypto";

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
   * store's acknowledgement), and rejects with nothing stored under the chunk's name otherwise
   * (a temporary file or an object the sweep may find is not a chunk until its row exists).
   * `digest` is its SHA-256 (the name), still being computed (`chunkDigest`): the file store
   * awaits it only once the bytes are on disk. The caller handles the digest's own rejection.
   */
  write(blobId: string, index: number, data: Uint8Array, digest: Promise<Uint8Array>): Promise<void>;
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

/**
 * A chunk's SHA-256 (32 bytes), computed on libuv's thread pool (WebCrypto's digest) rather
 * than on the event loop: 8 MiB take 5–13 ms of SHA-256 (measured with SHA-NI on the
 * development machine), time the event loop then spends on other requests, or on the
 * PGlite statements that run on it. The pool hashes a copy of the bytes, taken on the event
 * loop before this returns (1–7 ms for 8 MiB there, most of it page faults): less of the
 * event loop's time than hashing, a little more CPU in all.
 * @throws TypeError for bytes WebCrypto refuses (a view of a SharedArrayBuffer)
 */
export async function chunkDigest(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

/** A chunk's name inside its blob: `<index>-<SHA-256 hex>`. Throws on a blob id that is not one (never a path outside the store). */
export function chunkName(blobId: string, index: number, digest: Uint8Array): string {
  if (!isBlobId(blobId) || !Number.isSafeInteger(index) || index < 0) throw new Error("not a chunk's place");
  return `${blobId}/${index}-${Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("hex")}`;
}
