import "server-only";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3Settings } from "./s3-chunk-bodies";

/** A real S3-compatible server (s3rver) on loopback over a temporary directory, for tests and benchmarks. */
export interface S3TestServer {
  /** Settings for a bucket of its own (created now, empty). */
  bucket(): Promise<S3Settings>;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 on a free port; `close` stops it and deletes its directory. */
export async function startS3TestServer(): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), "hsc-s3rver-"));
  let buckets = 0;
  const names: string[] = [];
  for (let n = 0; n < 8; n++) names.push(`bucket-${n}`);
  // s3rver creates buckets only at start: enough of them for one test file.
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: names.map((name) => ({ name })) });
  const { port } = await server.run();
  return {
    async bucket() {
      const name = names[buckets++];
      if (!name) throw new Error("the s3rver test server has no bucket left");
      return {
        endpoint: `http://127.0.0.1:${port}`,
        bucket: name,
        region: "us-east-1",
        // s3rver's fixed development key pair.
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        forcePathStyle: true,
      };
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
