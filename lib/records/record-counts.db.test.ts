import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { recordCounts, users } from "@/drizzle/schema";
import { resultRows } from "@/lib/db/client";
import { createTestDatabase, migrationsBefore, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { hashSessionToken, startSession } from "@/lib/sessions/session-store";
import { chartPageForSession } from "./chart-read";
import { createRecords, deleteRecord } from "./chart-store";
import { commitImport, stageRecords, startImport } from "./import-store";

// record_counts (migration 0031) stands in for count(*) in the chart page's `total`: it must be
// the chart's count after every kind of write, whoever writes and however many at once.

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const newRecord = () => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: { version: 1, keyVersion: 1, content: b64(randomBytes(298)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
});
const newRecords = (count: number) => Array.from({ length: count }, newRecord);
const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };

describe.each(testDatabaseKinds())("each chart's record count (record_counts) on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function patient() {
    const id = randomUUID();
    await database.db.insert(users).values({ id, role: "patient" });
    return id;
  }
  const kept = async (ownerId: string) =>
    (await database.db.select({ records: recordCounts.records }).from(recordCounts).where(eq(recordCounts.ownerId, ownerId)))[0]?.records ?? 0;
  const counted = async (ownerId: string) =>
    Number(resultRows<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from records where owner_id = ${ownerId}`))[0]!.n);
  async function expectRight(ownerId: string, expected: number) {
    expect(await counted(ownerId)).toBe(expected);
    expect(await kept(ownerId)).toBe(expected);
  }

  it("follows inserts and deletes, one by one and many in a statement, per owner", async () => {
    const [one, two] = [await patient(), await patient()];
    await expectRight(one, 0);
    const items = newRecords(7);
    await createRecords(database.db, one, items);
    await createRecords(database.db, two, newRecords(3));
    await expectRight(one, 7);
    await expectRight(two, 3);
    await deleteRecord(database.db, one, items[0]!.id);
    await deleteRecord(database.db, one, items[1]!.id);
    await expectRight(one, 5);
    await expectRight(two, 3);
    // A statement deleting many at once (as account deletion does).
    await database.db.execute(sql`delete from records where owner_id = ${one}`);
    await expectRight(one, 0);
    await expectRight(two, 3);
  });

  it("counts an import's commit (one statement for all its records), and nothing staged before it", async () => {
    const ownerId = await patient();
    await createRecords(database.db, ownerId, newRecords(2));
    const { importId } = await startImport(database.db, ownerId);
    await stageRecords(database.db, ownerId, importId, newRecords(40));
    await expectRight(ownerId, 2);
    await commitImport(database.db, ownerId, importId);
    await expectRight(ownerId, 42);
  });

  it("stays right under concurrent inserts and deletes for one patient", async () => {
    const ownerId = await patient();
    const first = newRecords(20);
    await createRecords(database.db, ownerId, first);
    const batches = Array.from({ length: 8 }, () => newRecords(5));
    await Promise.all([
      ...batches.map((batch) => createRecords(database.db, ownerId, batch)),
      ...first.slice(0, 10).map((item) => deleteRecord(database.db, ownerId, item.id)),
    ]);
    await expectRight(ownerId, 20 + 40 - 10);
  });

  it("does not count a rolled-back insert", async () => {
    const ownerId = await patient();
    await createRecords(database.db, ownerId, newRecords(3));
    const duplicate = newRecords(2);
    duplicate[1]!.id = duplicate[0]!.id;
    await expect(createRecords(database.db, ownerId, [...duplicate, ...newRecords(2)])).rejects.toThrow();
    await expectRight(ownerId, 3);
  });

  it("is what the chart page answers as its total", async () => {
    const ownerId = await patient();
    const items = newRecords(12);
    await createRecords(database.db, ownerId, items);
    await deleteRecord(database.db, ownerId, items[3]!.id);
    const { token } = await startSession(database.db, ownerId, policy, new Date());
    const page = await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), { limit: 5 });
    expect(page!.parse().total).toBe(11);
  });

  it("refuses to move a record to another owner (both counts would go wrong)", async () => {
    const [one, two] = [await patient(), await patient()];
    const [item] = newRecords(1);
    await createRecords(database.db, one, [item!]);
    await expect(database.db.execute(sql`update records set owner_id = ${two} where id = ${item!.id}`)).rejects.toThrow();
    await database.db.execute(sql`update records set current_version = 1, updated_at = now() where id = ${item!.id}`);
    await expectRight(one, 1);
    await expectRight(two, 0);
  });
});

describe.each(testDatabaseKinds())("migration 0031 (record_counts) on %s", (kind) => {
  let database: TestDatabase;
  let olderMigrations: string;
  beforeAll(async () => {
    await cryptoReady();
    olderMigrations = migrationsBefore("0031_record-counts");
    database = await createTestDatabase(kind, olderMigrations);
  });
  afterAll(async () => {
    await database?.dispose();
    rmSync(olderMigrations, { recursive: true, force: true });
  });

  it("counts the charts already stored, then keeps counting", async () => {
    const [one, two, none] = [randomUUID(), randomUUID(), randomUUID()];
    await database.db.insert(users).values([one, two, none].map((id) => ({ id, role: "patient" as const })));
    await createRecords(database.db, one, newRecords(5));
    await createRecords(database.db, two, newRecords(2));
    await database.migrate();
    const counts = await database.db.select().from(recordCounts);
    expect(new Map(counts.map((row) => [row.ownerId, row.records]))).toEqual(
      new Map([
        [one, 5],
        [two, 2],
      ]),
    );
    await createRecords(database.db, none, newRecords(1));
    await createRecords(database.db, one, newRecords(1));
    const after = await database.db.select().from(recordCounts);
    expect(new Map(after.map((row) => [row.ownerId, row.records]))).toEqual(
      new Map([
        [one, 6],
        [two, 2],
        [none, 1],
      ]),
    );
  });
});
