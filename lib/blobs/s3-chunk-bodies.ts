import "server-only";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { chunkName, isBlobId, type ChunkBodies } from "./chunk-bodies";

/** Where the S3-compatible store is and how to sign for it (the S3_* settings, lib/config.ts). */
export interface S3Settings {
  /** The service's URL (MinIO, Ceph, R2, s3rver…); undefined for AWS itself. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Undefined: the SDK's default chain (environment, instance role…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `bucket` in the path rather than the host name, as most self-hosted services want. */
  forcePathStyle: boolean;
}

/** An S3 client for `settings`, checksums only where the API requires them (what S3-compatible services other than AWS understand). */
export function s3Client(settings: S3Settings): S3Client {
  const options: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  if (settings.endpoint) options.endpoint = settings.endpoint;
  if (settings.credentials) options.credentials = settings.credentials;
  return new S3Client(options);
}

/**
 * One object per chunk, keyed `<blob id>/<index>-<digest hex>` in a bucket of its own (the
 * orphan sweep deletes any `<uuid>/` prefix the database does not know). A put is
 * acknowledged by the service once durable; the bucket must exist (it is never created here).
 */
export function s3ChunkBodies(client: S3Client, bucket: string): ChunkBodies {
  async function keysUnder(blobId: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${blobId}/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  return {
    kind: "s3",

    async write(blobId, index, data, digest) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: chunkName(blobId, index, await digest), Body: data, ContentLength: data.byteLength }));
    },

    async read(blobId, index, digest) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: chunkName(blobId, index, digest) }));
        return object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },

    async removeChunk(blobId, index, digest) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: chunkName(blobId, index, digest) }));
    },

    async remove(blobIds) {
      for (const blobId of blobIds.filter(isBlobId)) {
        const keys = await keysUnder(blobId);
        // DeleteObjects takes at most 1,000 keys a request.
        for (let start = 0; start < keys.length; start += 1000) {
          const objects = keys.slice(start, start + 1000).map((Key) => ({ Key }));
          const result = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
          if (result.Errors && result.Errors.length > 0) throw new Error(`the object store refused to delete ${result.Errors.length} chunk objects`);
        }
      }
    },

    async *storedBlobIds() {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", ContinuationToken: token }));
        const ids = (page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix?.slice(0, -1) ?? "").filter(isBlobId);
        if (ids.length > 0) yield ids;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async check() {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    },
  };
}
