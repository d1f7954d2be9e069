import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { chartPageSchema } from "@/contract/records";
import { auditEvents, records, recordVersions, users } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import { foldAuditInbox } from "@/lib/audit/audit-log";
import { countingDatabase } from "@/lib/db/counting-database";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { chartOf, createRecords, deleteRecord } from "./chart-store";
import { encodeCursor, pageBytes } from "./pages";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const newRecord = () => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 256)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
});

describe.each(testDatabaseKinds())("the chart in pages, on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A new patient with `count` records, made in batches of `batch` (a batch shares its creation time). */
  async function patientWith(count: number, batch = count): Promise<{ ownerId: string; ids: string[] }> {
    const ownerId = randomUUID();
    await database.db.insert(users).values({ id: ownerId, role: "patient" });
    const ids: string[] = [];
    for (let made = 0; made < count; made += batch) {
      const items = Array.from({ length: Math.min(batch, count - made) }, newRecord);
      await createRecords(database.db, ownerId, items);
      ids.push(...items.map((item) => item.id));
    }
    return { ownerId, ids };
  }

  /** Every page from the start, `limit` records at a time, running `between` after each page; the pages' ids in order. */
  async function pageThrough(ownerId: string, limit: number, between: (pageNumber: number) => Promise<void> = async () => undefined) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = chartPageSchema.parse(await chartOf(database.db, ownerId, { limit, cursor }));
      pages.push(page.records.map((record) => record.id));
      cursor = page.nextCursor ?? undefined;
      await between(pages.length);
    } while (cursor);
    return pages;
  }

  it("serves every record once, oldest first then by id, a limit at a time, with how many there are", async () => {
    const { ownerId, ids } = await patientWith(25, 10);
    const pages = await pageThrough(ownerId, 7);
    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 4]);
    // Each batch shares its creation time: within one, the order is the id's.
    const expected = [ids.slice(0, 10).sort(), ids.slice(10, 20).sort(), ids.slice(20).sort()].flat();
    expect(pages.flat()).toEqual(expected);
    const first = await chartOf(database.db, ownerId, { limit: 7 });
    expect(first.total).toBe(25);
    expect((await chartOf(database.db, ownerId, { limit: 25 })).nextCursor).toBeNull();
    expect((await chartOf(database.db, ownerId)).records).toHaveLength(25);
  });

  it("never repeats or skips a record when records are added and deleted while it is paged through", async () => {
    const { ownerId, ids } = await patientWith(20, 5);
    const order = (await chartOf(database.db, ownerId, { limit: 100 })).records.map((record) => record.id);
    const deleted: string[] = [];
    const added = [newRecord(), newRecord(), newRecord()];
    const pages = await pageThrough(ownerId, 4, async (pageNumber) => {
      if (pageNumber !== 1) return;
      // One served already, one still to come, and three new records (which come last, being newest).
      deleted.push(order[0]!, order[10]!);
      for (const id of deleted) await deleteRecord(database.db, ownerId, id);
      await createRecords(database.db, ownerId, added);
    });
    const served = pages.flat();
    expect(new Set(served).size).toBe(served.length);
    // The one deleted after it was served was served once; the one deleted before, never; the new ones last.
    expect(served.slice(0, 19)).toEqual(order.filter((id) => id !== order[10]));
    expect(served.slice(19).sort()).toEqual(added.map((item) => item.id).sort());
    expect(ids.filter((id) => !served.includes(id))).toEqual([order[10]]);
  });

  it("keeps records made in the same millisecond apart by their microseconds", async () => {
    const { ownerId, ids } = await patientWith(4);
    const at = ["2026-01-01 00:00:00.000900+00", "2026-01-01 00:00:00.000100+00", "2026-01-01 00:00:00.000500+00", "2026-01-01 00:00:00.000500+00"];
    for (const [index, id] of ids.entries()) {
      await database.db
        .update(records)
        .set({ createdAt: sql`${at[index]}::timestamptz` })
        .where(eq(records.id, id));
    }
    const expected = [ids[1]!, ...[ids[2]!, ids[3]!].sort(), ids[0]!];
    expect((await pageThrough(ownerId, 1)).flat()).toEqual(expected);
  });

  it("stops a page before the record that would take it past the byte budget, serving at least one", async () => {
    const { ownerId } = await patientWith(6, 1);
    const order = (await chartOf(database.db, ownerId)).records.map((record) => record.id);
    // Sizes as the current versions declare them (the budget counts padded sizes, not what is sent).
    const sizes = [0.3, 0.3, 0.3, 1.2, 0.1, 0.1].map((share) => Math.round(share * pageBytes));
    for (const [index, id] of order.entries()) {
      await database.db.update(recordVersions).set({ paddedSize: sizes[index]! }).where(eq(recordVersions.recordId, id));
    }
    const pages = await pageThrough(ownerId, 10);
    expect(pages).toEqual([order.slice(0, 3), order.slice(3, 4), order.slice(4)]);
    const first = await chartOf(database.db, ownerId, { limit: 10 });
    expect(first.total).toBe(6);
    expect(first.nextCursor).not.toBeNull();
  });

  it("says how many records the chart holds on a page after its last record", async () => {
    const { ownerId } = await patientWith(3);
    const whole = await chartOf(database.db, ownerId, { limit: 2 });
    const rest = await chartOf(database.db, ownerId, { limit: 2, cursor: whole.nextCursor! });
    expect(rest.records).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    await deleteRecord(database.db, ownerId, rest.records[0]!.id);
    const emptied = await chartOf(database.db, ownerId, { limit: 2, cursor: whole.nextCursor! });
    expect(emptied).toMatchObject({ records: [], nextCursor: null, total: 2 });
  });

  it("refuses a cursor it did not hand out with invalid-input", async () => {
    const { ownerId } = await patientWith(2);
    const refused = (cursor: string) => codeOf(chartOf(database.db, ownerId, { cursor }));
    expect(await refused("bm90LWpzb24")).toBe("invalid-input");
    expect(await refused(encodeCursor({ r: randomUUID() }))).toBe("invalid-input");
    expect(await refused(encodeCursor({ c: "12.5", r: randomUUID() }))).toBe("invalid-input");
    expect(await refused(encodeCursor({ c: "1", r: "not-a-uuid" }))).toBe("invalid-input");
    expect(await refused(encodeCursor({ c: "1", r: randomUUID(), extra: "x" }))).toBe("invalid-input");
  });

  it("writes one event per page, naming the records it served", async () => {
    const { ownerId } = await patientWith(9);
    const pages = await pageThrough(ownerId, 4);
    // Reads append to the inbox; the chain holds them, in order, once folded.
    await foldAuditInbox(database.db, [ownerId]);
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, ownerId), eq(auditEvents.action, "chart-fetched")))
      .orderBy(auditEvents.seq);
    expect(events.map((event) => event.recordIds)).toEqual(pages.map((page) => [...page].sort()));
    expect(events.every((event) => event.actorId === ownerId && event.recordId === null)).toBe(true);
  });

  it("reads a page of 1,000 records in as many statements as a page of 10", async () => {
    const counting = countingDatabase(database);
    const small = await patientWith(10);
    const large = await patientWith(1000);
    const few = await counting.count((db) => chartOf(db, small.ownerId, { limit: 1000 }));
    const many = await counting.count((db) => chartOf(db, large.ownerId, { limit: 1000 }));
    const next = await counting.count(async (db) => {
      const first = await chartOf(db, large.ownerId, { limit: 500 });
      await chartOf(db, large.ownerId, { limit: 500, cursor: first.nextCursor! });
    });
    process.stdout.write(`GET /api/records: ${few} statements for a page of 10 records, ${many} for 1,000, ${next} for two pages of 500 (${kind})\n`);
    expect(many).toBe(few);
    expect(next).toBe(2 * few);
    const served = await database.db
      .select({ id: records.id })
      .from(records)
      .where(inArray(records.ownerId, [large.ownerId]));
    expect(served).toHaveLength(1000);
  }, 120_000);
});
