import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobChunks, blobs, users } from "@/drizzle/schema";
import { createTestDatabase, migrationsBefore, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { chunkedBlobStore } from "./chunked-blob-store";
import { fileChunkBodies } from "./file-chunk-bodies";

// 0012 gives every chunk a size and a SHA-256 and lets its bytes live outside the row: the
// chunks stored before it (bytes in blob_chunks.data) must read, compare and move as any other.
const digestsTag = "0012_blob-chunk-digests";

describe.each(testDatabaseKinds())("migration 0012 (blob chunk digests) on %s", (kind) => {
  let database: TestDatabase;
  let olderMigrations: string;
  let dir: string;
  const owner = randomUUID();
  const blobId = randomUUID();
  const chunks = [randomBytes(1024 * 1024 + 17), randomBytes(1024 * 1024 + 17)];

  beforeAll(async () => {
    olderMigrations = migrationsBefore(digestsTag);
    database = await createTestDatabase(kind, olderMigrations);
    dir = mkdtempSync(path.join(tmpdir(), "hsc-blobs-"));
  });
  afterAll(async () => {
    await database?.dispose();
    rmSync(olderMigrations, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the chunks stored before it readable, gives them their digests, and lets the sweep move them to files", async () => {
    await database.db.insert(users).values({ id: owner, role: "patient" });
    await database.db.insert(blobs).values({ id: blobId, ownerId: owner, chunkSize: 1024 * 1024, chunkCount: 2 });
    // The columns the code before 0012 wrote.
    for (const [index, data] of chunks.entries()) {
      await database.db.execute(sql`insert into blob_chunks (blob_id, chunk_index, data) values (${blobId}, ${index}, ${data})`);
    }
    await database.migrate();

    const rows = await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, blobId)).orderBy(blobChunks.index);
    for (const [index, data] of chunks.entries()) {
      expect(rows[index]!.size).toBe(data.length);
      expect(Buffer.from(rows[index]!.digest).equals(createHash("sha256").update(data).digest())).toBe(true);
    }
    const store = chunkedBlobStore(database.db, fileChunkBodies(dir));
    expect(Buffer.from((await store.readChunk(blobId, 1))!).equals(chunks[1]!)).toBe(true);
    expect(await store.putChunk({ blobId, index: 0, data: chunks[0]! })).toBe("already-stored");
    expect(await store.putChunk({ blobId, index: 0, data: chunks[1]! })).toBe("conflict");
    // The blob is an unfinished upload, but not idle: only the move happens.
    expect(await store.sweep(new Date(Date.now() - 60_000))).toEqual({ removed: 0, orphans: 0, moved: 2 });
    for (const [index, data] of chunks.entries()) expect(Buffer.from((await store.readChunk(blobId, index))!).equals(data)).toBe(true);
  });
});
