import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { blobs, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { refusalOf as refusal } from "@/lib/app-error-test-helpers";
import { b64 } from "@/lib/grants/test-fixtures";
import { addVersion, createRecords } from "./chart-store";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { plainSize, reserveUpload, storageUsage } from "./storage-quota";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe("plainSize", () => {
  it("says sizes as the pages do", () => {
    expect(plainSize(4 * GiB)).toBe("4.3 GB");
    expect(plainSize(1.2e9)).toBe("1.2 GB");
    expect(plainSize(300 * MiB)).toBe("315 MB");
    expect(plainSize(512)).toBe("512 bytes");
  });
});

describe.each(testDatabaseKinds())("storage quota on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    [database] = await Promise.all([createTestDatabase(kind), cryptoReady()]);
  });
  afterAll(() => database?.dispose());

  async function patient() {
    const id = randomUUID();
    await database.db.insert(users).values({ id, role: "patient" });
    return id;
  }
  const start = (ownerId: string, chunkCount: number, limits: { quotaBytes: number; unfinishedUploadsMax: number }, replaces?: string) =>
    reserveUpload(database.db, { id: randomUUID(), ownerId, chunkSize: MiB, chunkCount, replaces }, limits);

  it("refuses, before any byte, an upload whose declared size does not fit beside what is stored and pending", async () => {
    const owner = await patient();
    const limits = { quotaBytes: 5e9, unfinishedUploadsMax: 100 };
    // The probe: 4 GiB declared, again and again, never finished.
    await start(owner, 4096, limits);
    const error = await refusal(start(owner, 4096, limits));
    expect(error.code).toBe("quota-exceeded");
    expect(error.message).toContain("This file needs 4.3 GB but you have 705 MB left of your 5 GB");
    await start(owner, 672, limits);
    expect((await refusal(start(owner, 1, limits))).code).toBe("quota-exceeded");
    const usage = await storageUsage(database.db, owner, limits);
    expect(usage).toMatchObject({ usedBytes: 4768 * MiB, fileBytes: 4768 * MiB, recordBytes: 0, unfinishedUploads: 2, quotaBytes: 5e9 });
    expect(
      await database.db
        .select()
        .from(blobs)
        .then((rows) => rows.filter((row) => row.ownerId === owner).length),
    ).toBe(2);
    // Another account is not affected.
    await start(await patient(), 4096, limits);
  });

  it("caps the uploads an account has under way, and counts finished ones only against the quota", async () => {
    const owner = await patient();
    const limits = { quotaBytes: GiB, unfinishedUploadsMax: 3 };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await reserveUpload(database.db, { id, ownerId: owner, chunkSize: MiB, chunkCount: 1 }, limits);
    const error = await refusal(start(owner, 1, limits));
    expect(error.code).toBe("too-many-uploads");
    expect(error.message).toContain("3 uploads that have not finished");
    // One allowed at a time: the count reads in the singular.
    const single = await patient();
    await reserveUpload(database.db, { id: randomUUID(), ownerId: single, chunkSize: MiB, chunkCount: 1 }, { ...limits, unfinishedUploadsMax: 1 });
    const one = await refusal(start(single, 1, { ...limits, unfinishedUploadsMax: 1 }));
    expect(one.message).toContain("You already have 1 upload that has not finished.");
    // One finishes: room for another.
    const store = databaseBlobStore(database.db);
    await store.putChunk({ blobId: ids[0]!, index: 0, data: new Uint8Array([1]) });
    await store.markComplete(ids[0]!, MiB + 17);
    await start(owner, 1, limits);
    expect((await storageUsage(database.db, owner, limits)).unfinishedUploads).toBe(3);
  });

  it("counts stored record versions towards the space used", async () => {
    const owner = await patient();
    const limits = { quotaBytes: 2 * MiB, unfinishedUploadsMax: 5 };
    const content = b64(randomBytes(42 + 128 * 1024));
    await createRecords(database.db, owner, [
      {
        id: randomUUID(),
        ownerWrap: b64(randomBytes(74)),
        version: { version: 1, keyVersion: 1, content, commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
      },
    ]);
    const usage = await storageUsage(database.db, owner, limits);
    expect(usage.recordBytes).toBe(42 + 128 * 1024);
    expect(usage.usedBytes).toBe(usage.recordBytes);
    const error = await refusal(start(owner, 2, limits));
    expect(error.code).toBe("quota-exceeded");
    expect(error.message).toContain("This file needs 2.1 MB but you have 2 MB left");
  });

  it("refuses records and versions that would take the account over its quota, and takes a re-sent batch already stored", async () => {
    const owner = await patient();
    const limits = { quotaBytes: 300_000, unfinishedUploadsMax: 5 };
    const record = (kib: number) => ({
      id: randomUUID(),
      ownerWrap: b64(randomBytes(74)),
      version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + kib * 1024)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
    });
    const first = record(128);
    await createRecords(database.db, owner, [first], limits);
    const refused = await refusal(createRecords(database.db, owner, [record(128), record(64)], limits));
    expect(refused.code).toBe("quota-exceeded");
    expect(refused.message).toContain("These records need 197 kB but you have 169 kB left of your 300 kB");
    expect((await storageUsage(database.db, owner, limits)).recordBytes).toBe(42 + 128 * 1024);
    // The same batch again (a retry after a lost answer) stores nothing new and is not refused.
    expect(await createRecords(database.db, owner, [first], limits)).toEqual({ created: 0 });
    await createRecords(database.db, owner, [record(128)], limits);
    const version = { version: 2, keyVersion: 1, content: b64(randomBytes(42 + 64 * 1024)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) };
    expect((await refusal(addVersion(database.db, owner, first.id, version, limits))).code).toBe("quota-exceeded");
  });

  it("lets a full account re-encrypt a stored file for a key rotation, once and no larger", async () => {
    const owner = await patient();
    const limits = { quotaBytes: 4 * MiB, unfinishedUploadsMax: 5 };
    const store = databaseBlobStore(database.db);
    const held = randomUUID();
    await reserveUpload(database.db, { id: held, ownerId: owner, chunkSize: MiB, chunkCount: 4 }, limits);
    for (let index = 0; index < 4; index++) await store.putChunk({ blobId: held, index, data: new Uint8Array([index]) });
    await store.markComplete(held, 4 * (MiB + 17));
    await createRecords(database.db, owner, [
      {
        id: randomUUID(),
        ownerWrap: b64(randomBytes(74)),
        version: {
          version: 1,
          keyVersion: 1,
          content: b64(randomBytes(42 + 256)),
          commitment: b64(randomBytes(32)),
          signature: b64(randomBytes(64)),
          blobId: held,
        },
      },
    ]);
    expect((await refusal(start(owner, 4, limits))).code).toBe("quota-exceeded");
    expect((await refusal(start(owner, 5, limits, held))).code).toBe("invalid-input");
    expect((await refusal(start(owner, 1, limits, randomUUID()))).code).toBe("invalid-input");
    // The record's own 298 bytes are over the quota already: a rotation's copy is still taken, as long as it is one at a time.
    await start(owner, 4, { ...limits, quotaBytes: 4 * MiB + 298 }, held);
    expect((await refusal(start(owner, 4, { ...limits, quotaBytes: 4 * MiB + 298 }, held))).code).toBe("quota-exceeded");
  });
});
