import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, verifyAuditChain } from "@/crypto";
import { auditEvents, auditInbox, blobs, grants, imports, keyRotations, records, webauthnChallenges } from "@/drizzle/schema";
import { appendAudit, foldAuditInboxes, storedEventFields } from "@/lib/audit/audit-log";
import { issueChallenge, sweepChallenges } from "@/lib/auth/challenges";
import { sweepAbandonedBlobs } from "@/lib/blobs/blob-sweeper";
import { chunkedBlobStore } from "@/lib/blobs/chunked-blob-store";
import { fileChunkBodies } from "@/lib/blobs/file-chunk-bodies";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { b64, insertPeople, newGrant, newRecordItem, rotatedVersion } from "@/lib/grants/test-fixtures";
import { createRecords } from "@/lib/records/chart-store";
import { rotateRecordKey, rotateRecordKeys } from "@/lib/records/key-rotation";
import { closeExpiredGrants } from "@/lib/records/grant-coverage";
import { stageRecords, startImport, sweepIdleImports } from "@/lib/records/import-store";
import { migrationsFolder, openDatabase, type DatabaseHandle } from "./client";
import { createTestDatabase, type TestDatabase } from "./test-databases";

/*
 * Several server instances on one PostgreSQL database, each with its own connection pool,
 * run the same background work and take the same retried requests at the same moment. Each
 * item must be handled exactly once: every instance's share of the work adds up to the whole,
 * and nothing is done twice (no second audit event, no second rotation). PGlite is one process
 * only (one server per DATA_DIR), so these run on PostgreSQL alone.
 */
const adminUrl = process.env.DATABASE_URL;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);

describe.skipIf(!adminUrl)("several server instances on one PostgreSQL database", () => {
  let database: TestDatabase;
  /** The pools of four "instances", all on the test database. */
  let instances: DatabaseHandle[];
  let blobDir: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase("postgres");
    blobDir = mkdtempSync(path.join(os.tmpdir(), "hsc-many-instances-"));
    instances = [database, ...(await Promise.all([1, 2, 3].map(() => openDatabase({ kind: "postgres", url: database.url! }))))];
  });
  afterAll(async () => {
    for (const instance of instances?.slice(1) ?? []) await instance.close();
    await database?.dispose();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });

  it("start at once on an empty database: every instance migrates it, one after the other, and all come up", async () => {
    const name = `hsc_test_${randomBytes(6).toString("hex")}`;
    const admin = postgres(adminUrl!, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    const opened: DatabaseHandle[] = [];
    try {
      const results = await Promise.allSettled([1, 2, 3].map(() => openDatabase({ kind: "postgres", url: url.toString() })));
      for (const result of results) if (result.status === "fulfilled") opened.push(result.value);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const migrations = readdirSync(migrationsFolder).filter((file) => file.endsWith(".sql")).length;
      expect(await Promise.all(opened.map((handle) => handle.appliedMigrations()))).toEqual([migrations, migrations, migrations]);
    } finally {
      for (const handle of opened) await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });

  it("sweep abandoned files together: each is removed by exactly one instance, its bytes go, and files in use stay", async () => {
    const owner = randomUUID();
    await insertPeople(database.db, { patients: [owner] });
    // Every instance's file store in one directory, as on one host (or one shared file system).
    const stores = instances.map((instance) => chunkedBlobStore(instance.db, fileChunkBodies(blobDir)));
    const abandoned = Array.from({ length: 60 }, () => randomUUID());
    for (const id of abandoned) {
      await stores[0]!.create({ id, ownerId: owner, chunkSize: 4, chunkCount: 2 });
      await stores[0]!.putChunk({ blobId: id, index: 0, data: new Uint8Array([1, 2]) });
    }
    await database.db
      .update(blobs)
      .set({ touchedAt: hoursAgo(2) })
      .where(inArray(blobs.id, abandoned));
    const recent = randomUUID();
    await stores[1]!.create({ id: recent, ownerId: owner, chunkSize: 4, chunkCount: 2 });
    await stores[1]!.putChunk({ blobId: recent, index: 0, data: new Uint8Array([3, 4]) });

    const outcomes = await Promise.all(stores.flatMap((store) => [1, 2].map(() => sweepAbandonedBlobs(store, 3_600_000))));
    // Whatever a sweep skipped because another held it locked, a later sweep takes.
    outcomes.push(await sweepAbandonedBlobs(stores[0]!, 3_600_000));
    expect(sum(outcomes.map((outcome) => outcome.removed))).toBe(abandoned.length);
    const left = await database.db.select({ id: blobs.id }).from(blobs).where(eq(blobs.ownerId, owner));
    expect(left.map((row) => row.id)).toEqual([recent]);
    expect(readdirSync(blobDir)).toEqual([recent]);
    expect(Array.from((await stores[2]!.readChunk(recent, 0))!)).toEqual([3, 4]);
  });

  it("sweep idle imports together: each import goes once, with its staged records and files", async () => {
    // Eight people with five imports each (the most one may have under way).
    const owners = Array.from({ length: 8 }, () => randomUUID());
    await insertPeople(database.db, { patients: owners });
    const importIds: string[] = [];
    for (const owner of owners) {
      for (let index = 0; index < 5; index++) {
        const { importId } = await startImport(database.db, owner);
        await stageRecords(database.db, owner, importId, [newRecordItem(), newRecordItem()]);
        importIds.push(importId);
      }
    }
    await database.db
      .update(imports)
      .set({ touchedAt: hoursAgo(48) })
      .where(inArray(imports.id, importIds));

    const removed = await Promise.all(instances.flatMap((instance) => [1, 2].map(() => sweepIdleImports(instance.db, hoursAgo(24)))));
    removed.push(await sweepIdleImports(database.db, hoursAgo(24)));
    expect(sum(removed)).toBe(importIds.length);
    expect(await database.db.select({ id: imports.id }).from(imports).where(inArray(imports.ownerId, owners))).toEqual([]);
    expect(await database.db.select({ id: records.id }).from(records).where(inArray(records.ownerId, owners))).toEqual([]);
  });

  it("close an expired grant from every instance at once: it expires once, with one audit event and its rotations queued once", async () => {
    const [patient, doctor] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const items = [newRecordItem(), newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, items);
    const grant = newGrant(
      doctor,
      items.map((item) => item.id),
      { expiresAt: new Date(Date.now() + 3_600_000) },
    );
    await createGrant(database.db, patient, grant);
    const later = new Date(Date.now() + 2 * 3_600_000);

    const closed = await Promise.all(instances.flatMap((instance) => [1, 2].map(() => closeExpiredGrants(instance.db, patient, later))));
    expect(sum(closed)).toBe(1);
    const [row] = await database.db.select({ revokedAt: grants.revokedAt }).from(grants).where(eq(grants.id, grant.grantId));
    expect(row?.revokedAt).not.toBeNull();
    const expired = await database.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, "grant-expired")));
    expect(expired).toHaveLength(1);
    const queued = await database.db.select({ recordId: keyRotations.recordId }).from(keyRotations).where(eq(keyRotations.ownerId, patient));
    expect(queued.map((rotation) => rotation.recordId).sort()).toEqual(items.map((item) => item.id).sort());
  });

  it("take one record's rotation, re-sent to every instance at once, exactly once", async () => {
    const [patient, doctor] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const items = [newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, items);
    const grant = newGrant(
      doctor,
      items.map((item) => item.id),
    );
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);

    // The same request per record (a browser retrying after a lost answer reaches another instance).
    const rotations = items.map((item) => ({ recordId: item.id, payload: { ownerWrap: b64(randomBytes(74)), version: rotatedVersion(1, 2), grantWraps: [] } }));
    await Promise.all(instances.flatMap((instance) => rotations.map(({ recordId, payload }) => rotateRecordKey(instance.db, patient, recordId, payload))));
    const rotated = await database.db
      .select({ recordId: auditEvents.recordId })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, "record-key-rotated")));
    expect(rotated.map((event) => event.recordId).sort()).toEqual(items.map((item) => item.id).sort());
    const keyVersions = await database.db.select({ keyVersion: records.keyVersion }).from(records).where(eq(records.ownerId, patient));
    expect(keyVersions.map((row) => row.keyVersion)).toEqual([2, 2]);
    expect(await database.db.select().from(keyRotations).where(eq(keyRotations.ownerId, patient))).toEqual([]);
  });

  it("take one batch of rotations, re-sent to every instance at once, exactly once", async () => {
    const [patient, doctor] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const items = Array.from({ length: 40 }, () => newRecordItem());
    await createRecords(database.db, patient, items);
    const grant = newGrant(
      doctor,
      items.map((item) => item.id),
    );
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);

    const batch = items.map((item) => ({ recordId: item.id, ownerWrap: b64(randomBytes(74)), version: rotatedVersion(1, 2), grantWraps: [] }));
    const results = await Promise.all(instances.flatMap((instance) => [1, 2].map(() => rotateRecordKeys(instance.db, patient, batch))));
    // One of them did the work; every other found it done (row locks: each waited for the one before).
    expect(results.map((result) => result.rotated).sort((a, b) => b - a)).toEqual([40, 0, 0, 0, 0, 0, 0, 0]);
    expect(results.every((result) => result.rotated + result.alreadyDone === 40)).toBe(true);
    // One event for the batch, naming every record it moved.
    const rotated = await database.db
      .select({ recordId: auditEvents.recordId, recordIds: auditEvents.recordIds })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, "record-key-rotated")));
    expect(rotated.map((event) => [event.recordId, event.recordIds])).toEqual([[null, items.map((item) => item.id).sort()]]);
    expect(await database.db.select().from(keyRotations).where(eq(keyRotations.ownerId, patient))).toEqual([]);
  });

  it("fold audit inboxes from every instance at once: each event is chained once, and every trail verifies", async () => {
    const subjects = Array.from({ length: 10 }, () => randomUUID());
    await insertPeople(database.db, { patients: subjects });
    const appended = new Map(subjects.map((subject) => [subject, [] as string[]]));
    // Reads' events wait in the inbox (no lock); three rounds of them for each person, arriving while the folds run.
    const append = async () => {
      for (const subject of subjects) {
        const recordIds = Array.from({ length: 3 }, () => randomUUID());
        appended.get(subject)!.push(...recordIds);
        await appendAudit(
          database.db,
          recordIds.map((recordId) => ({ subjectId: subject, actorId: subject, action: "chart-fetched" as const, recordId, outcome: "success" as const })),
        );
      }
    };
    await append();
    await Promise.all([append(), append(), ...instances.flatMap((instance) => [1, 2].map(() => foldAuditInboxes(instance.db)))]);
    await Promise.all(instances.map((instance) => foldAuditInboxes(instance.db)));

    expect(await database.db.select().from(auditInbox).where(inArray(auditInbox.subjectId, subjects))).toEqual([]);
    for (const subject of subjects) {
      const chain = (await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, subject)).orderBy(asc(auditEvents.seq))).map(
        storedEventFields,
      );
      expect(chain.map((event) => event.seq)).toEqual(appended.get(subject)!.map((_, index) => index + 1));
      expect(chain.map((event) => event.recordId).sort()).toEqual([...appended.get(subject)!].sort());
      expect(verifyAuditChain(chain).ok).toBe(true);
    }
  });

  it("sweep spent sign-in challenges together: each is deleted once", async () => {
    const issuedAt = hoursAgo(1);
    for (let index = 0; index < 50; index++) await issueChallenge(database.db, "authentication", null, issuedAt);
    const removed = await Promise.all(instances.map((instance) => sweepChallenges(instance.db)));
    expect(sum(removed)).toBe(50);
    expect(await database.db.select().from(webauthnChallenges)).toEqual([]);
  });
});
