import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, verifyAuditChain } from "@/crypto";
import { auditEvents, keyRotations, recordKeyWraps, records, recordVersions } from "@/drizzle/schema";
import { openDatabase, type Database } from "@/lib/db/client";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { refusalOf } from "@/lib/app-error-test-helpers";
import { storedEventFields } from "@/lib/audit/audit-log";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { keyMaintenanceOf } from "@/lib/grants/key-maintenance";
import { b64, insertPeople, newGrant, newRecordItem, rotatedVersion, rotationsFor } from "@/lib/grants/test-fixtures";
import { createRecords } from "./chart-store";
import { rotateRecordKeys } from "./key-rotation";

/**
 * `count` new records of a new patient, shared with a doctor and a nurse; the doctor's grant
 * is revoked, so every record is queued for rotation and stays covered by the nurse's grant.
 * Returns the patient and the batch the browser would send (random bytes for ciphertext).
 */
async function queuedRecords(db: Database, count: number) {
  const patient = randomUUID();
  const doctor = randomUUID();
  const nurse = randomUUID();
  await insertPeople(db, { patients: [patient], doctors: [doctor], nurses: [nurse] });
  const items = Array.from({ length: count }, () => newRecordItem());
  for (let start = 0; start < items.length; start += 500) await createRecords(db, patient, items.slice(start, start + 500));
  const ids = items.map((item) => item.id);
  const revoked = newGrant(doctor, ids);
  const kept = newGrant(nurse, ids);
  await createGrant(db, patient, revoked);
  await createGrant(db, patient, kept);
  await revokeGrant(db, patient, revoked.grantId);
  const { rotations: tasks } = await keyMaintenanceOf(db, patient);
  const rotations = rotationsFor(tasks);
  return { patient, ids, kept: kept.grantId, rotations };
}

/**
 * What a rotation changes, per record (in id order): key version, current version's key
 * version and content, owner and grant wraps, queue, and how many records the trail's
 * `record-key-rotated` events name (one event per batch: its recordId, or its recordIds).
 */
async function stateOf(db: Database, patient: string, ids: string[]) {
  const rows = await db.select().from(records).where(inArray(records.id, ids)).orderBy(asc(records.id));
  const versions = await db.select().from(recordVersions).where(inArray(recordVersions.recordId, ids)).orderBy(asc(recordVersions.recordId));
  const wraps = await db.select().from(recordKeyWraps).where(inArray(recordKeyWraps.recordId, ids));
  const queued = await db.select().from(keyRotations).where(inArray(keyRotations.recordId, ids));
  const events = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, "record-key-rotated")));
  return {
    keyVersions: rows.map((row) => row.keyVersion),
    versions: versions.map((row) => ({ keyVersion: row.keyVersion, content: Buffer.from(row.contentCiphertext).toString("base64url") })),
    ownerWraps: wraps.filter((wrap) => wrap.grantId === null).length,
    grantWraps: wraps.filter((wrap) => wrap.grantId !== null).map((wrap) => wrap.keyVersion),
    queued: queued.length,
    events: events.flatMap((event) => (event.recordId ? [event.recordId] : (event.recordIds ?? []))).filter((id) => ids.includes(id)).length,
    eventCount: events.length,
  };
}

describe.each(testDatabaseKinds())("key rotation in batches on %s", (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("rotates a batch of 500 records at once: each current version in place under key version 2, wraps for the grant still covering it, queue cleared, one event naming them all", async () => {
    const db = database.db;
    const { patient, ids, kept, rotations } = await queuedRecords(db, 500);
    expect(rotations).toHaveLength(500);
    const before = await db.select().from(recordVersions).where(inArray(recordVersions.recordId, ids));
    expect(await rotateRecordKeys(db, patient, rotations)).toEqual({ rotated: 500, alreadyDone: 0 });

    const state = await stateOf(db, patient, ids);
    expect(new Set(state.keyVersions)).toEqual(new Set([2]));
    expect(state.queued).toBe(0);
    expect([state.events, state.eventCount]).toEqual([500, 1]);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patient), eq(auditEvents.action, "record-key-rotated")));
    expect([event!.recordId, event!.recordIds]).toEqual([null, [...ids].sort()]);
    expect(state.ownerWraps).toBe(1000);
    expect(state.grantWraps).toEqual(Array.from({ length: 500 }, () => 2));
    const keptWraps = await db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, kept));
    expect(keptWraps).toHaveLength(500);
    const sent = new Map(rotations.map((rotation) => [rotation.recordId, rotation.version.content]));
    const after = await db.select().from(recordVersions).where(inArray(recordVersions.recordId, ids));
    const statementOf = (row: (typeof after)[number]) => [row.version, row.authorId, b64(row.commitment), b64(row.signature), row.createdAt.getTime()];
    const beforeById = new Map(before.map((row) => [row.recordId, statementOf(row)]));
    expect(after).toHaveLength(500);
    for (const row of after) {
      expect(statementOf(row)).toEqual(beforeById.get(row.recordId));
      expect([row.keyVersion, b64(row.contentCiphertext)]).toEqual([2, sent.get(row.recordId)]);
    }
    const ownerWrapsAt2 = await db
      .select()
      .from(recordKeyWraps)
      .where(and(inArray(recordKeyWraps.recordId, ids), isNull(recordKeyWraps.grantId), eq(recordKeyWraps.keyVersion, 2)));
    expect(ownerWrapsAt2).toHaveLength(500);
  });

  it("takes a retried batch as done and changes nothing; a batch partly done rotates only the rest", async () => {
    const db = database.db;
    const { patient, ids, rotations } = await queuedRecords(db, 40);
    expect(await rotateRecordKeys(db, patient, rotations.slice(0, 25))).toEqual({ rotated: 25, alreadyDone: 0 });
    const once = await stateOf(db, patient, ids);
    expect(await rotateRecordKeys(db, patient, rotations.slice(0, 25))).toEqual({ rotated: 0, alreadyDone: 25 });
    expect(await stateOf(db, patient, ids)).toEqual(once);
    expect(await rotateRecordKeys(db, patient, rotations)).toEqual({ rotated: 15, alreadyDone: 25 });
    const state = await stateOf(db, patient, ids);
    expect([new Set(state.keyVersions), state.events, state.eventCount, state.queued]).toEqual([new Set([2]), 40, 2, 0]);
    const trail = await db.select().from(auditEvents).where(eq(auditEvents.subjectId, patient)).orderBy(asc(auditEvents.seq));
    expect(verifyAuditChain(trail.map(storedEventFields)).ok).toBe(true);
    // The same key version with other content is not a retry but a second rotation made from a stale key: refused.
    const other = { ...rotations[0]!, version: rotatedVersion(1, 2) };
    expect((await refusalOf(rotateRecordKeys(db, patient, [other]))).code).toBe("conflict");
  });

  it("refuses a batch naming a wrong key version, saying which record and both key versions, and leaves the whole batch untouched", async () => {
    const db = database.db;
    const { patient, ids, rotations } = await queuedRecords(db, 10);
    const before = await stateOf(db, patient, ids);
    const wrong = rotations.map((rotation, index) => (index === 6 ? { ...rotation, version: rotatedVersion(1, 3) } : rotation));
    const refusal = await refusalOf(rotateRecordKeys(db, patient, wrong));
    expect(refusal.code).toBe("conflict");
    expect(refusal.message).toContain(rotations[6]!.recordId);
    expect(refusal.message).toContain("key version 1");
    expect(refusal.message).toContain("key version 3");
    expect(await stateOf(db, patient, ids)).toEqual(before);
    const twice = [...rotations.slice(0, 3), rotations[0]!];
    expect((await refusalOf(rotateRecordKeys(db, patient, twice))).code).toBe("conflict");
    expect(await stateOf(db, patient, ids)).toEqual(before);
  });

  it("refuses a batch holding another patient's record with the answer a record that does not exist gets, and rotates nothing", async () => {
    const db = database.db;
    const mine = await queuedRecords(db, 5);
    const theirs = await queuedRecords(db, 1);
    const before = await stateOf(db, mine.patient, mine.ids);
    const someoneElses = await refusalOf(rotateRecordKeys(db, mine.patient, [...mine.rotations, theirs.rotations[0]!]));
    const nobodys = await refusalOf(rotateRecordKeys(db, mine.patient, [...mine.rotations, { ...theirs.rotations[0]!, recordId: randomUUID() }]));
    expect([someoneElses.code, someoneElses.message]).toEqual([nobodys.code, nobodys.message]);
    expect(someoneElses.code).toBe("not-found");
    expect(await stateOf(db, mine.patient, mine.ids)).toEqual(before);
    expect((await stateOf(db, theirs.patient, theirs.ids)).keyVersions).toEqual([1]);
  });
});

describe.each(testDatabaseKinds())("a crash in the middle of a rotation batch on %s", (kind) => {
  const root = path.resolve(__dirname, "../..");
  const scratch = mkdtempSync(path.join(tmpdir(), "hsc-rotation-crash-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("leaves every record of the batch untouched, and the same batch sent again rotates all of them", { timeout: 180_000 }, async () => {
    await cryptoReady();
    // A database a second process can open: PGlite on disk (one process at a time), or a PostgreSQL test database.
    const test = kind === "postgres" ? await createTestDatabase(kind) : null;
    const target = test ? { kind: "postgres" as const, url: test.url! } : { kind: "pglite" as const, dataDir: path.join(scratch, "pglite") };
    let handle = test ?? (await openDatabase(target));
    let open = true;
    try {
      const { patient, ids, rotations } = await queuedRecords(handle.db, 60);
      const before = await stateOf(handle.db, patient, ids);
      if (!test) {
        await handle.close();
        open = false;
      }

      const batchFile = path.join(scratch, "batch.json");
      const crashFile = path.join(scratch, "crash-at");
      writeFileSync(batchFile, JSON.stringify({ ownerId: patient, rotations }));
      writeFileSync(crashFile, "records.rotate.mid-batch");
      const child = spawnSync(
        process.execPath,
        ["--import", "tsx", "--conditions=react-server", "lib/records/key-rotation.crash-child.ts", JSON.stringify(target), batchFile],
        { cwd: root, env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", HSC_CRASH_FILE: crashFile }, encoding: "utf8", timeout: 150_000 },
      );
      expect(child.stderr.slice(-2000)).toContain('"crashPoint":"records.rotate.mid-batch"');
      expect(child.signal).toBe("SIGKILL");
      expect(child.stdout).not.toContain("survived");

      if (!test) {
        handle = await openDatabase(target);
        open = true;
      }
      expect(await stateOf(handle.db, patient, ids)).toEqual(before);
      expect(await rotateRecordKeys(handle.db, patient, rotations)).toEqual({ rotated: 60, alreadyDone: 0 });
      const after = await stateOf(handle.db, patient, ids);
      expect([new Set(after.keyVersions), after.events, after.queued]).toEqual([new Set([2]), 60, 0]);
    } finally {
      if (test) await test.dispose();
      else if (open) await handle.close();
    }
  });
});
