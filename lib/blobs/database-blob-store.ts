import "server-only";
import type { Database } from "@/lib/db";
import type { BlobStore } from "./blob-store";
import { chunkedBlobStore } from "./chunked-blob-store";

/**
 * Chunks in the database itself (`blob_chunks.data`): `BLOB_STORE=database`, for a small
 * deployment that wants one thing to back up. Slow for large files (bytea on PGlite).
 */
export function databaseBlobStore(db: Database): BlobStore {
  return chunkedBlobStore(db, null);
}
