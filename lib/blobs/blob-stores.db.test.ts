import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { blobChunks, blobs, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { b64, newRecordItem, rotatedVersion } from "@/lib/grants/test-fixtures";
import { createRecords, deleteRecord } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";
import { startImport, stageRecords } from "@/lib/records/import-store";
import type { BlobStore } from "./blob-store";
import { sweepAbandonedBlobs } from "./blob-sweeper";
import type { ChunkBodies } from "./chunk-bodies";
import { chunkedBlobStore } from "./chunked-blob-store";
import { databaseBlobStore } from "./database-blob-store";
import { fileChunkBodies } from "./file-chunk-bodies";
import { s3ChunkBodies, s3Client } from "./s3-chunk-bodies";
import { startS3TestServer, type S3TestServer } from "./s3-test-server";

const recordWithFile = (blobId: string) => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 256)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)), blobId },
});
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());

type StoreKind = BlobStore["kind"];
const storeKinds: StoreKind[] = ["database", "file", "s3"];
const combinations = testDatabaseKinds().flatMap((database) => storeKinds.map((store) => [database, store] as const));

let s3: S3TestServer | undefined;
const temporaryDirs: string[] = [];
afterAll(async () => {
  await s3?.close();
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** Fresh bytes' storage of the kind: a temporary directory, a bucket of its own on s3rver, or none (the database store). */
async function bodiesOf(kind: StoreKind): Promise<ChunkBodies | null> {
  if (kind === "database") return null;
  if (kind === "file") {
    const dir = mkdtempSync(path.join(tmpdir(), "hsc-blobs-"));
    temporaryDirs.push(dir);
    return fileChunkBodies(path.join(dir, "blobs"));
  }
  s3 ??= await startS3TestServer();
  const settings = await s3.bucket();
  return s3ChunkBodies(s3Client(settings), settings.bucket);
}

/** Every blob id the bytes' store holds something under. */
async function storedIds(bodies: ChunkBodies | null): Promise<Set<string>> {
  const ids = new Set<string>();
  if (bodies) for await (const page of bodies.storedBlobIds()) for (const id of page) ids.add(id);
  return ids;
}

// One contract, every store: the services cannot tell them apart.
describe.each(combinations)("blob store contract on %s, %s store", (databaseKind, storeKind) => {
  let database: TestDatabase;
  let bodies: ChunkBodies | null;
  let store: BlobStore;
  let owner: string;
  let other: string;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(databaseKind);
    bodies = await bodiesOf(storeKind);
    store = chunkedBlobStore(database.db, bodies);
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
    const id = randomUUID();
    await store.create({ id, ownerId, chunkSize: 4, chunkCount: 2 });
    await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([1]) });
    await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([2]) });
    await store.markComplete(id, 42);
    return id;
  }
  const idleFor = async (id: string, minutes: number) =>
    database.db
      .update(blobs)
      .set({ touchedAt: new Date(Date.now() - minutes * 60_000) })
      .where(eq(blobs.id, id));

  it("is the store it was built as, and reachable", async () => {
    expect(store.kind).toBe(storeKind);
    await store.check();
  });

  it("stores chunks idempotently, refuses different bytes in the same place, and reads them back", async () => {
    const id = randomUUID();
    await store.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 3 });
    const chunk = randomBytes(1024 * 1024 + 17);
    expect(await store.putChunk({ blobId: id, index: 1, data: chunk })).toBe("stored");
    expect(await store.putChunk({ blobId: id, index: 1, data: Uint8Array.from(chunk) })).toBe("already-stored");
    const altered = Uint8Array.from(chunk);
    altered[1000] = altered[1000]! ^ 1;
    expect(await store.putChunk({ blobId: id, index: 1, data: altered })).toBe("conflict");
    // The refused bytes are not kept anywhere.
    if (bodies) expect(await bodies.read(id, 1, sha256(altered))).toBeNull();
    expect(await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([7]) })).toBe("stored");
    expect(await store.receivedChunks(id)).toEqual([0, 1]);
    expect(Buffer.from((await store.readChunk(id, 1))!).equals(chunk)).toBe(true);
    expect(Array.from((await store.readChunk(id, 0))!)).toEqual([7]);
    expect(await store.readChunk(id, 2)).toBeNull();
    // The database holds the size and digest of each chunk; the bytes only under the database store.
    const [row] = await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, id)).orderBy(blobChunks.index).offset(1);
    expect(row).toMatchObject({ size: chunk.length, digest: sha256(chunk) });
    expect(row!.data === null).toBe(storeKind !== "database");
  });

  it("describes a blob, marks it complete, and deletes its rows and its bytes", async () => {
    const id = randomUUID();
    await store.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 2 });
    expect(await store.describe(id)).toEqual({ id, ownerId: owner, status: "uploading", chunkSize: 4, chunkCount: 2, paddedSize: null });
    await store.putChunk({ blobId: id, index: 0, data: new Uint8Array([1]) });
    await store.putChunk({ blobId: id, index: 1, data: new Uint8Array([2]) });
    await store.markComplete(id, 42);
    expect(await store.describe(id)).toMatchObject({ status: "complete", paddedSize: 42 });
    if (bodies) expect(await storedIds(bodies)).toContain(id);
    await store.delete([id]);
    expect(await store.describe(id)).toBeNull();
    expect(await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, id))).toEqual([]);
    expect(await storedIds(bodies)).not.toContain(id);
    if (bodies) expect(await bodies.read(id, 0, sha256(new Uint8Array([1])))).toBeNull();
    expect(await store.describe(randomUUID())).toBeNull();
  });

  it("sweeps only idle uploads never finished and idle files no record version or staged import holds, and bytes no row names", async () => {
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
    // A record staged in an import holds its file until the import is committed or abandoned.
    const staged = await completeBlob();
    const { importId } = await startImport(database.db, owner);
    await stageRecords(database.db, owner, importId, [{ ...newRecordItem(), version: { ...newRecordItem().version, blobId: staged } }]);
    await idleFor(staged, 120);
    // A key rotation moves the version in place to a re-encrypted file: the file under the old key is held by no version
    // and its row goes in the rotation's own transaction, before any sweep; its bytes go with the next sweep.
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
    // Bytes whose blob never had a row here (another deployment's, a crashed sweep's leftovers).
    const stray = randomUUID();
    await bodies?.write(stray, 0, new Uint8Array([5]), Promise.resolve(sha256(new Uint8Array([5]))));

    const outcome = await sweepAbandonedBlobs(store, 60 * 60_000);
    expect(outcome.removed).toBe(2);
    expect(outcome.orphans).toBe(bodies ? 2 : 0);
    const remaining = new Set((await database.db.select({ id: blobs.id }).from(blobs)).map((row) => row.id));
    for (const gone of [abandoned, unused, earlier]) expect(remaining.has(gone)).toBe(false);
    for (const kept of [stillUploading, justFinished, held, staged, current]) expect(remaining.has(kept)).toBe(true);
    expect(await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, abandoned))).toEqual([]);
    if (bodies) {
      const stored = await storedIds(bodies);
      for (const gone of [abandoned, unused, earlier, stray]) expect(stored.has(gone)).toBe(false);
      for (const kept of [stillUploading, justFinished, held, staged, current]) expect(stored.has(kept)).toBe(true);
    }
    expect(Array.from((await store.readChunk(held, 0))!)).toEqual([1]);
    expect(Array.from((await store.readChunk(staged, 1))!)).toEqual([2]);
    // A shorter grace reaches the recent ones too, but never a file a record or a staged import holds.
    await sweepAbandonedBlobs(store, 0, new Date(Date.now() + 1000));
    expect(await store.describe(stillUploading)).toBeNull();
    expect(await store.describe(justFinished)).toBeNull();
    for (const kept of [held, staged, current]) expect(await store.describe(kept)).not.toBeNull();
    expect(await storedIds(bodies)).not.toContain(justFinished);
  });

  it.runIf(storeKind !== "database")(
    "recovers from a crash between a chunk's bytes and its row: the retry stores it, and the bytes alone are swept",
    async () => {
      const id = randomUUID();
      await store.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 2 });
      // The process died after the bytes were durable, before the row: the chunk was never acknowledged.
      const lost = randomBytes(64);
      await bodies!.write(id, 0, lost, Promise.resolve(sha256(lost)));
      expect(await store.receivedChunks(id)).toEqual([]);
      expect(await store.readChunk(id, 0)).toBeNull();
      // The browser retries with the same bytes: stored now, once.
      expect(await store.putChunk({ blobId: id, index: 0, data: lost })).toBe("stored");
      expect(await store.putChunk({ blobId: id, index: 0, data: lost })).toBe("already-stored");
      expect(Buffer.from((await store.readChunk(id, 0))!).equals(lost)).toBe(true);
      // Or with other bytes (a reloaded page re-encrypting under a new key): those are the chunk, the first ones never are.
      const first = randomBytes(64);
      await bodies!.write(id, 1, first, Promise.resolve(sha256(first)));
      const second = randomBytes(64);
      expect(await store.putChunk({ blobId: id, index: 1, data: second })).toBe("stored");
      expect(Buffer.from((await store.readChunk(id, 1))!).equals(second)).toBe(true);
      // The row went too (the sweep, a record's deletion) and the process died before the bytes: the next sweep takes them.
      await database.db.delete(blobs).where(eq(blobs.id, id));
      expect(await storedIds(bodies)).toContain(id);
      expect((await sweepAbandonedBlobs(store, 60 * 60_000)).orphans).toBe(1);
      expect(await storedIds(bodies)).not.toContain(id);
    },
  );

  it.runIf(storeKind !== "database")("acknowledges no chunk whose bytes could not be stored, and stores its retry", async () => {
    const id = randomUUID();
    await store.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 1 });
    const chunk = randomBytes(64);
    // The bytes' store fails (a full disk, an unreachable bucket) while the digest is still being computed.
    const failing = chunkedBlobStore(database.db, { ...bodies!, write: () => Promise.reject(new Error("no space left")) });
    await expect(failing.putChunk({ blobId: id, index: 0, data: chunk })).rejects.toThrow("no space left");
    expect(await store.receivedChunks(id)).toEqual([]);
    expect(await store.readChunk(id, 0)).toBeNull();
    expect(await store.putChunk({ blobId: id, index: 0, data: chunk })).toBe("stored");
    expect(Buffer.from((await store.readChunk(id, 0))!).equals(chunk)).toBe(true);
  });

  it.runIf(storeKind !== "database")("reads chunks stored in the database before this store existed, and the sweep moves them out", async () => {
    const legacy = databaseBlobStore(database.db);
    const id = randomUUID();
    await legacy.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 2 });
    const chunks = [randomBytes(100), randomBytes(100)];
    for (const [index, data] of chunks.entries()) await legacy.putChunk({ blobId: id, index, data });
    await legacy.markComplete(id, 42);
    await createRecords(database.db, owner, [recordWithFile(id)]);
    expect(Buffer.from((await store.readChunk(id, 1))!).equals(chunks[1]!)).toBe(true);
    expect(await store.putChunk({ blobId: id, index: 0, data: chunks[0]! })).toBe("already-stored");
    expect(await store.putChunk({ blobId: id, index: 0, data: chunks[1]! })).toBe("conflict");

    expect((await sweepAbandonedBlobs(store, 60 * 60_000)).moved).toBe(2);
    const rows = await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, id));
    expect(rows.map((row) => row.data)).toEqual([null, null]);
    for (const [index, data] of chunks.entries()) expect(Buffer.from((await store.readChunk(id, index))!).equals(data)).toBe(true);
    expect((await sweepAbandonedBlobs(store, 60 * 60_000)).moved).toBe(0);
  });

  it.runIf(storeKind !== "database")("refuses to serve a chunk whose bytes are gone as if it had never been stored", async () => {
    const id = await completeBlob();
    await bodies!.remove([id]);
    await expect(store.readChunk(id, 0)).rejects.toThrow(/missing/);
  });

  it.runIf(databaseKind === "postgres")("skips a file that a record is being attached to right now", async () => {
    const attaching = await completeBlob();
    await idleFor(attaching, 120);
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
    expect((await sweepAbandonedBlobs(store, 60 * 60_000)).removed).toBe(0);
    release();
    await attach;
    expect(await store.describe(attaching)).not.toBeNull();
    if (bodies) expect(await storedIds(bodies)).toContain(attaching);
  });

  it("attaches only a complete file of the record's owner, once, and deletes it with the record", async () => {
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

describe("file store on disk", () => {
  it("leaves no temporary file behind, lists only names that are blob ids, and refuses a name outside its directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hsc-blobs-"));
    temporaryDirs.push(dir);
    const bodies = fileChunkBodies(dir);
    const id = randomUUID();
    const data = randomBytes(1000);
    await bodies.write(id, 3, data, Promise.resolve(sha256(data)));
    expect(readdirSync(path.join(dir, id))).toEqual([`3-${Buffer.from(sha256(data)).toString("hex")}`]);
    writeFileSync(path.join(dir, "README"), "not a blob");
    expect(await storedIds(bodies)).toEqual(new Set([id]));
    await expect(bodies.write("../escape", 0, data, Promise.resolve(sha256(data)))).rejects.toThrow();
  });
});
