import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { blobs, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { createRecords, deleteRecord } from "@/lib/records/records-service";
import { databaseBlobStore } from "./database-blob-store";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const recordWithFile = (blobId: string) => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 256)), signature: b64(randomBytes(64)), blobId },
});

describe.each(testDatabaseKinds())("database blob store on %s", (kind) => {
  let database: TestDatabase;
  let owner: string;
  let other: string;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    owner = randomUUID();
    other = randomUUID();
    await database.db.insert(users).values([
      { id: owner, role: "patient" },
      { id: other, role: "patient" },
    ]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function completeBlob(ownerId = owner) {
    const store = databaseBlobStore(database.db);
    const id = randomUUID();
    await store.create({ id, ownerId, chunkSize: 4, chunkCount: 2 });
    await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([1]) });
    await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([2]) });
    await store.markComplete(id, 42);
    return id;
  }

  it("stores chunks idempotently and refuses a different chunk in the same place", async () => {
    const store = databaseBlobStore(database.db);
    const id = randomUUID();
    await store.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 3 });
    expect(await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([9, 9]) })).toBe("stored");
    expect(await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([9, 9]) })).toBe("already-stored");
    expect(await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([8, 8]) })).toBe("conflict");
    expect(await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([7]) })).toBe("stored");
    expect(await store.receivedChunks(id)).toEqual([0, 1]);
    expect(Array.from((await store.readChunk(id, 1))!)).toEqual([9, 9]);
  });

  it("sweeps abandoned and unused uploads but keeps files that records hold", async () => {
    const store = databaseBlobStore(database.db);
    const abandoned = randomUUID();
    await store.create({ id: abandoned, ownerId: owner, chunkSize: 4, chunkCount: 5 });
    const held = await completeBlob();
    await createRecords(database.db, owner, [recordWithFile(held)]);
    expect(await store.sweep(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await store.describe(abandoned)).toBeNull();
    expect(await store.describe(held)).not.toBeNull();
  });

  it("attaches only a complete file of the record's owner, once, and deletes it with the record", async () => {
    const store = databaseBlobStore(database.db);
    const incomplete = randomUUID();
    await store.create({ id: incomplete, ownerId: owner, chunkSize: 4, chunkCount: 2 });
    await expect(createRecords(database.db, owner, [recordWithFile(incomplete)])).rejects.toBeInstanceOf(AppError);
    const foreign = await completeBlob(other);
    await expect(createRecords(database.db, owner, [recordWithFile(foreign)])).rejects.toBeInstanceOf(AppError);

    const file = await completeBlob();
    const record = recordWithFile(file);
    await createRecords(database.db, owner, [record]);
    await expect(createRecords(database.db, owner, [recordWithFile(file)])).rejects.toBeInstanceOf(AppError);
    await deleteRecord(database.db, owner, record.id);
    expect(await database.db.select().from(blobs).where(eq(blobs.id, file))).toEqual([]);
  });
});
