import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codeOf } from "@/lib/app-error-test-helpers";

// The process's own settings, read once on first use: an embedded database and a file store of this test's own.
const scratch = mkdtempSync(path.join(tmpdir(), "hsc-health-"));
const blobDir = path.join(scratch, "blobs");
delete process.env.DATABASE_URL;
delete process.env.BLOB_STORE;
delete process.env.S3_BUCKET;
process.env.DATA_DIR = path.join(scratch, "data");
process.env.BLOB_DIR = blobDir;
const { getHealth, probeHealth } = await import("./health");
const { getDatabase } = await import("./db");

describe("health", () => {
  afterAll(async () => {
    await (await getDatabase()).close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("reports the database, its migrations and the file store", async () => {
    const report = await getHealth();
    expect(report.database).toMatchObject({ kind: "pglite", migrations: { upToDate: true } });
    expect(report.blobStore).toEqual({ kind: "file" });
    // The public probe says only that it serves.
    expect(await probeHealth()).toEqual({ status: "ok" });
  });

  it("answers 503 when the file store's directory cannot be used", async () => {
    rmSync(blobDir, { recursive: true, force: true });
    writeFileSync(blobDir, "a file where the directory should be");
    expect(await codeOf(getHealth())).toBe("service-unavailable");
    expect(await codeOf(probeHealth())).toBe("service-unavailable");
  });
});
