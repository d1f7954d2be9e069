import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as t from "@/drizzle/schema";
import { openDatabase } from "./client";
import { expectedMigrationCount } from "./migrations";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "./test-databases";

const bytes = (...values: number[]) => new Uint8Array(values);

describe.each(testDatabaseKinds())("schema on %s", (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function createUser(role: "patient" | "doctor" | "nurse" | "admin" = "patient") {
    const id = randomUUID();
    await database.db.insert(t.users).values({ id, role });
    return id;
  }

  it("applies every generated migration", async () => {
    expect(database.kind).toBe(kind);
    expect(await database.appliedMigrations()).toBe(expectedMigrationCount());
  });

  it("stores opaque bytes exactly, including zero bytes and the full byte range", async () => {
    const userId = await createUser();
    const all = new Uint8Array(256).map((_, index) => index);
    await database.db.insert(t.encryptedKeyBundles).values({ userId, bundle: all });
    const [row] = await database.db.select().from(t.encryptedKeyBundles).where(eq(t.encryptedKeyBundles.userId, userId));
    expect(row?.bundle).toBeInstanceOf(Uint8Array);
    expect(Array.from(row!.bundle)).toEqual(Array.from(all));
  });

  it("keeps one owner wrap and one wrap per grant for each record key version", async () => {
    const patientId = await createUser("patient");
    const doctorId = await createUser("doctor");
    const recordId = randomUUID();
    await database.db.insert(t.records).values({ id: recordId, ownerId: patientId, currentVersion: 1, keyVersion: 1 });
    const grantId = randomUUID();
    await database.db.insert(t.grants).values({
      id: grantId,
      patientId,
      clinicianId: doctorId,
      scope: "records",
      permission: "read",
      sealedShareKey: bytes(1, 2, 3),
      statement: bytes(4),
      signature: bytes(5),
    });
    const wrap = (grant: string | null) => ({ id: randomUUID(), recordId, keyVersion: 1, grantId: grant, wrappedKey: bytes(9) });
    await database.db.insert(t.recordKeyWraps).values([wrap(null), wrap(grantId)]);
    await expect(database.db.insert(t.recordKeyWraps).values(wrap(null))).rejects.toThrow();
    await expect(database.db.insert(t.recordKeyWraps).values(wrap(grantId))).rejects.toThrow();

    // Deleting a grant deletes its wraps with it, never the owner's.
    await database.db.delete(t.grants).where(eq(t.grants.id, grantId));
    const left = await database.db.select().from(t.recordKeyWraps).where(eq(t.recordKeyWraps.recordId, recordId));
    expect(left.map((row) => row.grantId)).toEqual([null]);
  });

  it("keeps record versions unique and removes them with their record", async () => {
    const ownerId = await createUser();
    const recordId = randomUUID();
    await database.db.insert(t.records).values({ id: recordId, ownerId, currentVersion: 1, keyVersion: 1 });
    const version = {
      recordId,
      version: 1,
      keyVersion: 1,
      authorId: ownerId,
      contentCiphertext: bytes(1),
      paddedSize: 256,
      commitment: bytes(32),
      signature: bytes(2),
    };
    await database.db.insert(t.recordVersions).values(version);
    await expect(database.db.insert(t.recordVersions).values(version)).rejects.toThrow();
    await database.db.delete(t.records).where(eq(t.records.id, recordId));
    expect(await database.db.select().from(t.recordVersions).where(eq(t.recordVersions.recordId, recordId))).toEqual([]);
  });

  it("refuses a second audit event with the same place in a person's chain", async () => {
    const subjectId = await createUser();
    const event = {
      subjectId,
      seq: 1,
      actorId: subjectId,
      action: "sign-in",
      outcome: "success" as const,
      prevHash: new Uint8Array(32),
      hash: new Uint8Array(32).fill(1),
    };
    await database.db.insert(t.auditEvents).values(event);
    await expect(database.db.insert(t.auditEvents).values(event)).rejects.toThrow();
  });

  it("stores blob chunks by index and refuses a negative index", async () => {
    const ownerId = await createUser();
    const blobId = randomUUID();
    await database.db.insert(t.blobs).values({ id: blobId, ownerId, chunkSize: 65536 });
    await database.db.insert(t.blobChunks).values([
      { blobId, index: 0, size: 1, digest: new Uint8Array(32), data: bytes(1) },
      { blobId, index: 1, size: 1, digest: new Uint8Array(32), data: null },
    ]);
    await expect(database.db.insert(t.blobChunks).values({ blobId, index: -1, size: 1, digest: new Uint8Array(32), data: bytes(3) })).rejects.toThrow();
    const chunks = await database.db.select().from(t.blobChunks).where(eq(t.blobChunks.blobId, blobId));
    expect(chunks.map((chunk) => chunk.index).sort()).toEqual([0, 1]);
  });

  it("keeps challenges unique and sessions findable by token hash only", async () => {
    const userId = await createUser();
    const challenge = {
      id: randomUUID(),
      challenge: "challenge-value",
      ceremony: "authentication" as const,
      expiresAt: new Date(Date.now() + 300_000),
    };
    await database.db.insert(t.webauthnChallenges).values(challenge);
    await expect(database.db.insert(t.webauthnChallenges).values({ ...challenge, id: randomUUID() })).rejects.toThrow();

    const tokenHash = new Uint8Array(32).fill(7);
    await database.db.insert(t.sessions).values({ id: randomUUID(), userId, tokenHash, expiresAt: new Date(Date.now() + 3_600_000) });
    const found = await database.db
      .select()
      .from(t.sessions)
      .where(and(eq(t.sessions.tokenHash, tokenHash), isNull(t.sessions.endedAt)));
    expect(found).toHaveLength(1);
  });
});

describe("embedded database on disk", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hsc-pglite-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps data across restarts and does not re-apply migrations", async () => {
    const first = await openDatabase({ kind: "pglite", dataDir });
    const id = randomUUID();
    await first.db.insert(t.users).values({ id, role: "doctor" });
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir });
    expect(await second.appliedMigrations()).toBe(expectedMigrationCount());
    const rows = await second.db.select().from(t.users).where(eq(t.users.id, id));
    expect(rows).toHaveLength(1);
    await second.close();
  });
});
