import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { base64url, idParams, timestamp, uuid } from "./common";
import { pageFields, recordPageQuerySchema, recordPageSize } from "./pages";
import { defineRoute } from "./route";

/** Largest structured-content envelope stored, in bytes before base64url (files go through the blob store). */
export const maxContentBytes = 256 * 1024;

/** Version and key version numbers run from 1; the server refuses more than this many of either. */
const maxVersion = 1_000_000;
const versionNumber = z.number().int().min(1).max(maxVersion);

/** A record key wrapped for its owner or a grant (crypto/ envelope, or a sealed box for a contribution). */
const wrappedKey = base64url(256).min(43);

/** The author's 32-byte commitment to a version's document, which the signature covers. */
const commitment = base64url(32).length(43);
/** An Ed25519 signature (64 bytes). */
const signature = base64url(64).length(86);

/**
 * A version's signed statement as served: who wrote which version, the commitment they
 * signed (base64url), and when the server stored it (its word, not signed).
 */
export const statementSchema = z.object({
  version: versionNumber,
  authorId: uuid,
  commitment,
  signature,
  createdAt: timestamp,
});
export type Statement = z.infer<typeof statementSchema>;

/** A stored version with its ciphertext: the statement plus key version, padded envelope and file. */
export const versionSchema = statementSchema.extend({
  keyVersion: versionNumber,
  content: base64url(maxContentBytes).min(43),
  /** The encrypted file body the version carries, if any. */
  blobId: uuid.nullable(),
});
export type Version = z.infer<typeof versionSchema>;

/**
 * One record of the owner's chart: its counters (the server's word), the owner's wrap of the
 * current key, the current version with ciphertext, and every version's statement, oldest first.
 */
export const chartRecordSchema = z.object({
  id: uuid,
  currentVersion: versionNumber,
  keyVersion: versionNumber,
  createdAt: timestamp,
  updatedAt: timestamp,
  ownerWrap: wrappedKey,
  current: versionSchema,
  statements: z.array(statementSchema).max(maxVersion),
});
export type ChartRecord = z.infer<typeof chartRecordSchema>;

/** One page of the chart (GET /api/records?limit=&cursor=), oldest record first, and where it goes on (contract/pages.ts). */
export const chartPageSchema = z.object({ records: z.array(chartRecordSchema).max(recordPageSize.max), ...pageFields });
export type ChartPage = z.infer<typeof chartPageSchema>;

/** Every version of one record with ciphertext, oldest first, and every owner wrap of its keys (earlier versions may be under older keys). */
export const recordVersionsSchema = z.object({
  versions: z.array(versionSchema).max(maxVersion),
  ownerWraps: z.array(z.object({ keyVersion: versionNumber, wrappedKey })).max(maxVersion),
});
export type RecordVersions = z.infer<typeof recordVersionsSchema>;

/** A new version as the browser sends it: encrypted, committed and signed by its author. */
export const versionPayloadSchema = z.object({
  version: versionNumber,
  keyVersion: versionNumber,
  // Length is checked in the service, so an oversize record gets a 413 with a clear message.
  content: base64url(64 * 1024 * 1024).min(43),
  commitment,
  signature,
  /** The encrypted file body, for records that carry a file. */
  blobId: uuid.optional(),
});
export type VersionPayload = z.infer<typeof versionPayloadSchema>;

/** The record key wrapped under each grant's share key. */
export const grantWrapsSchema = z.array(z.object({ grantId: uuid, wrappedKey })).max(1000);
export type GrantWraps = z.infer<typeof grantWrapsSchema>;

/** A new record: its first version, the owner's key wrap, and wraps for every active "all records" grant. */
export const newRecordSchema = z.object({
  id: uuid,
  ownerWrap: wrappedKey,
  version: versionPayloadSchema,
  /** The record key wrapped for every active "all records" grant, so those clinicians see it at once. */
  grantWraps: grantWrapsSchema.default([]),
});
/** Input type: grantWraps may be left out when no "all records" grant is active. */
export type NewRecord = z.input<typeof newRecordSchema>;

/** Most records in one create request (an import is split to fit, client/records/records.ts). */
export const maxRecordsPerRequest = 2000;

export const createRecordsRequestSchema = z.object({ records: z.array(newRecordSchema).min(1).max(maxRecordsPerRequest) });
/** How many of the records sent were new (a record already stored identically counts as done, not created). */
export const createRecordsResponseSchema = z.object({ created: z.number().int().min(0).max(maxRecordsPerRequest) });

/**
 * A new key for a record: its current version re-encrypted under key version + 1 (same
 * version number, same author, signature and commitment, which the server keeps), wrapped
 * for the owner and the grants that still cover it.
 */
export const rotateRecordKeySchema = z.object({
  ownerWrap: wrappedKey,
  version: versionPayloadSchema.pick({ version: true, keyVersion: true, content: true, blobId: true }),
  grantWraps: grantWrapsSchema,
});
export type RotateRecordKey = z.infer<typeof rotateRecordKeySchema>;

/** Most records one rotation batch may carry; the browser also keeps a batch under the body limit (bodyLimits.rotationBatch). */
export const maxRotationsPerRequest = 1000;

/** One record's rotation inside a batch: which record, and its new key material as for the single-record route. */
export const recordRotationSchema = rotateRecordKeySchema.extend({ recordId: uuid });
export type RecordRotation = z.infer<typeof recordRotationSchema>;

/** Many records moved to fresh keys in one request, all or nothing. */
export const rotateRecordKeysSchema = z.object({ rotations: z.array(recordRotationSchema).min(1).max(maxRotationsPerRequest) });
export type RotateRecordKeys = z.infer<typeof rotateRecordKeysSchema>;

/** How a batch went: records moved now, and records already at the key version sent (a retried batch). */
export const rotateRecordKeysResponseSchema = z.object({
  rotated: z.number().int().min(0).max(maxRotationsPerRequest),
  alreadyDone: z.number().int().min(0).max(maxRotationsPerRequest),
});
export type RotateRecordKeysResponse = z.infer<typeof rotateRecordKeysResponseSchema>;

/** The patient's chart: records, their versions, key rotation of one record or of many. */
export const recordsRoutes = {
  /** The chart a page at a time, oldest record first: `?limit=` (contract/pages.ts) and the `cursor` the last page answered. */
  list: defineRoute({ method: "GET", path: "/api/records", access: "session", query: recordPageQuerySchema, response: chartPageSchema }),
  create: defineRoute({
    method: "POST",
    path: "/api/records",
    access: "session",
    bodyLimit: bodyLimits.recordsBatch,
    status: 201,
    body: createRecordsRequestSchema,
    response: createRecordsResponseSchema,
  }),
  /** One record of the owner's chart, as in the chart; 404 for anyone else's and for none. */
  get: defineRoute({ method: "GET", path: "/api/records/[id]", access: "session", params: idParams, response: chartRecordSchema }),
  remove: defineRoute({ method: "DELETE", path: "/api/records/[id]", access: "session", params: idParams, response: "empty" }),
  versions: defineRoute({ method: "GET", path: "/api/records/[id]/versions", access: "session", params: idParams, response: recordVersionsSchema }),
  /** Answers 201 with no body (app/api/records/[id]/versions/route.ts). */
  addVersion: defineRoute({
    method: "POST",
    path: "/api/records/[id]/versions",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.oneRecord,
    body: versionPayloadSchema,
    response: "empty",
  }),
  /** Rotates many records in one transaction (client/sharing/key-maintenance.ts sends batches). */
  rotateMany: defineRoute({
    method: "POST",
    path: "/api/records/rotations",
    access: "session",
    bodyLimit: bodyLimits.rotationBatch,
    body: rotateRecordKeysSchema,
    response: rotateRecordKeysResponseSchema,
  }),
  rotate: defineRoute({
    method: "POST",
    path: "/api/records/[id]/rotate",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.oneRecord,
    body: rotateRecordKeySchema,
    response: "empty",
  }),
};

/** Bytes of padded plaintext per chunk of a file of at most `largeFileFrom` bytes (and of every file stored before larger chunks came). */
export const fileChunkSize = 1024 * 1024;
/**
 * Bytes of padded plaintext per chunk of a larger file: each chunk is one request, whose fixed
 * cost on both sides (session, routing, a database row, an fsync) a 1 MiB chunk paid 1,024
 * times for a 1 GiB file. Padding to it wastes at most a quarter of a file above `largeFileFrom`.
 */
export const largeFileChunkSize = 4 * 1024 * 1024;
/** Files larger than this many bytes are uploaded in `largeFileChunkSize` chunks. */
export const largeFileFrom = 16 * 1024 * 1024;
/**
 * Bytes of padded plaintext per chunk of a file above `hugeFileFrom`: half the requests (and
 * fsyncs and rows) of 4 MiB chunks, while the chunks a page keeps in flight stay a few tens of
 * MiB. Padding to it wastes at most a quarter of a file above `hugeFileFrom`.
 */
export const hugeFileChunkSize = 8 * 1024 * 1024;
/** Files larger than this many bytes are uploaded in `hugeFileChunkSize` chunks. */
export const hugeFileFrom = 32 * 1024 * 1024;
/** The chunk sizes the server accepts for an upload; every chunk of one upload has the size it declared. */
export const fileChunkSizes: readonly number[] = [fileChunkSize, largeFileChunkSize, hugeFileChunkSize];

/** The chunk size (bytes of plaintext) a file of `size` real bytes is uploaded in: one of `fileChunkSizes`. */
export const chunkSizeFor = (size: number): number => (size > hugeFileFrom ? hugeFileChunkSize : size > largeFileFrom ? largeFileChunkSize : fileChunkSize);
const chunkIndex = z.coerce.number().int().min(0).max(1_000_000);
const chunkCount = z.number().int().min(1).max(1_000_000);
const chunkParams = z.object({ id: uuid, index: chunkIndex });

/** An upload to start: chunk size and count (the padded file's size), and the stored file a key rotation replaces. */
export const startUploadSchema = z.object({
  chunkSize: z.number().int().positive().max(hugeFileChunkSize),
  chunkCount,
  replaces: uuid.optional(),
});
export type StartUpload = z.infer<typeof startUploadSchema>;
export const uploadIdSchema = z.object({ blobId: uuid });
export type UploadId = z.infer<typeof uploadIdSchema>;
/** Where an upload stands: its state, its chunk count and the chunk indexes received. */
export const uploadStatusSchema = z.object({
  status: z.enum(["uploading", "complete"]),
  chunkCount,
  received: z.array(z.number().int().min(0).max(1_000_000)).max(1_000_000),
});
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

/** Encrypted files: upload in chunks, finish, download. */
export const blobsRoutes = {
  start: defineRoute({ method: "POST", path: "/api/blobs", access: "session", status: 201, body: startUploadSchema, response: uploadIdSchema }),
  describe: defineRoute({ method: "GET", path: "/api/blobs/[id]", access: "session", params: idParams, response: uploadStatusSchema }),
  complete: defineRoute({ method: "POST", path: "/api/blobs/[id]/complete", access: "session", params: idParams, response: uploadIdSchema }),
  putChunk: defineRoute({
    method: "PUT",
    path: "/api/blobs/[id]/chunks/[index]",
    access: "session",
    params: chunkParams,
    bodyLimit: bodyLimits.fileChunk,
    body: "binary",
    response: "empty",
  }),
  getChunk: defineRoute({ method: "GET", path: "/api/blobs/[id]/chunks/[index]", access: "session", params: chunkParams, response: "binary" }),
};
