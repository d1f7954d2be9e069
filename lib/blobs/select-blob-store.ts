import "server-only";
import { config, type BlobStoreSettings } from "@/lib/config";
import type { Database } from "@/lib/db";
import type { BlobStore } from "./blob-store";
import type { ChunkBodies } from "./chunk-bodies";
import { chunkedBlobStore } from "./chunked-blob-store";
import { fileChunkBodies } from "./file-chunk-bodies";
import { s3ChunkBodies, s3Client } from "./s3-chunk-bodies";

// One S3 client (and its connection pool) per process, as for the database.
const globalKey = Symbol.for("health-safe-cloud.chunk-bodies");
type GlobalWithBodies = typeof globalThis & { [globalKey]?: ChunkBodies | null };

/**
 * The blob store of this deployment, over `db` (the process's database; a test passes its
 * own store instead, never this one, whose files belong to the real database): the S3 store
 * when S3_BUCKET is set (or BLOB_STORE=s3), the database store under BLOB_STORE=database,
 * and the file store in BLOB_DIR (default `<DATA_DIR>/blobs`) otherwise.
 */
export function blobStore(db: Database): BlobStore {
  const holder = globalThis as GlobalWithBodies;
  if (holder[globalKey] === undefined) holder[globalKey] = chunkBodiesFor(config().blobStore);
  return chunkedBlobStore(db, holder[globalKey]);
}

/** Where chunk bytes go under `settings`; null for the database store, which keeps them in the chunk rows. */
export function chunkBodiesFor(settings: BlobStoreSettings): ChunkBodies | null {
  switch (settings.kind) {
    case "database":
      return null;
    case "file":
      return fileChunkBodies(settings.dir);
    case "s3":
      return s3ChunkBodies(s3Client(settings), settings.bucket);
  }
}
