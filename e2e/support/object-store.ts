import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";

export interface ObjectStore {
  /** The app's S3_* settings for the bucket, as environment variables for a server process. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

/**
 * An S3-compatible object store for app servers the test starts: s3rver on loopback, in this
 * process, over a temporary directory, with one bucket. (lib/blobs/s3-test-server.ts is the
 * database tests' twin; it is server-only, which a Playwright spec cannot import.)
 */
export async function startObjectStore(): Promise<ObjectStore> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "hsc-e2e-s3-"));
  const bucket = "health-safe-cloud";
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    settings: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_BUCKET: bucket,
      S3_REGION: "us-east-1",
      // s3rver's fixed development key pair.
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true",
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
