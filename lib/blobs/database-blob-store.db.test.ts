import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { blobChunks, blobs, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { b64, rotatedVersion } from "@/lib/grants/test-fixtures";
import { createRecords, deleteRecord } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";
import { sweepAbandonedBlobs } from "./blob-sweeper";
import { databaseBlobStore } from "./database-blob-store";

const recordWithFile = (blobId: string) => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 256)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)), blobId },
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

  it("sweeps only idle uploads never finished and idle files no record version holds", async () => {
    const store = databaseBlobStore(database.db);
    const idleFor = async (id: string, minutes: number) =>
      database.db
        .update(blobs)
        .set({ touchedAt: new Date(Date.now() - minutes * 60_000) })
        .where(eq(blobs.id, id));
    const abandoned = randomUUID();
    await store.create({ id: abandoned, ownerId: owner, chunkSize: 4, chunkCount: 5 });
    await store.putChunk({ blobId: abandoned, index: 0, data: new Uint8Array([1]) });
    await idleFor(abandoned, 120);
    // Started long ago, but a chunk just arrived: still under way.
    const stillUploading = randomUUID();
    await store.create({ id: stillUploading, ownerId: owner, chunkSize: 4, chunkCount: 5 });
    await idleFor(stillUploading, 120);
    await store.putChunk({ blobId: stillUploading, index: 0, data: new Uint8Array([1]) });
    const unused = await completeBlob();
    await idleFor(unused, 120);
    // Finished a moment ago: its record is about to be saved.
    const justFinished = await completeBlob();
    const held = await completeBlob();
    await createRecords(database.db, owner, [recordWithFile(held)]);
    await idleFor(held, 120);
    // A key rotation moves the version in place to a re-encrypted file: the file under the old key is held by no version
    // and goes in the rotation's own transaction, before any sweep.
    const earlier = await completeBlob();
    const rotated = recordWithFile(earlier);
    await createRecords(database.db, owner, [rotated]);
    const current = await completeBlob();
    await rotateRecordKey(database.db, owner, rotated.id, {
      ownerWrap: b64(randomBytes(74)),
      version: { ...rotatedVersion(1, 2), blobId: current },
      grantWraps: [],
    });
    expect(await store.describe(earlier)).toBeNull();
    await idleFor(current, 120);

    expect(await sweepAbandonedBlobs(database.db, 60 * 60_000)).toBe(2);
    const remaining = new Set((await database.db.select({ id: blobs.id }).from(blobs)).map((row) => row.id));
    expect(remaining.has(abandoned)).toBe(false);
    expect(remaining.has(unused)).toBe(false);
    expect(remaining.has(earlier)).toBe(false);
    for (const kept of [stillUploading, justFinished, held, current]) expect(remaining.has(kept)).toBe(true);
    expect(await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, abandoned))).toEqual([]);
    expect(Array.from((await store.readChunk(held, 0))!)).toEqual([1]);
    // A shorter grace reaches the recent ones too, but never a file a record holds.
    await sweepAbandonedBlobs(database.db, 0, new Date(Date.now() + 1000));
    expect(await store.describe(stillUploading)).toBeNull();
    expect(await store.describe(justFinished)).toBeNull();
    for (const kept of [held, current]) expect(await store.describe(kept)).not.toBeNull();
  });

  it.runIf(kind === "postgres")("skips a file that a record is being attached to right now", async () => {
    const store = databaseBlobStore(database.db);
    const attaching = await completeBlob();
    await database.db
      .update(blobs)
      .set({ touchedAt: new Date(Date.now() - 120 * 60_000) })
      .where(eq(blobs.id, attaching));
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // What createRecords does first: lock the blob, then write the version that holds it.
    const attach = database.db.transaction(async (tx) => {
      await tx.select().from(blobs).where(eq(blobs.id, attaching)).for("update");
      locked();
      await held;
    });
    await lockTaken;
    expect(await sweepAbandonedBlobs(database.db, 60 * 60_000)).toBe(0);
    release();
    await attach;
    expect(await store.describe(attaching)).not.toBeNull();
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
