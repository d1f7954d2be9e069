import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { sharedRoutes } from "@/contract/sharing";
import { auditEvents, grants } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import { countingDatabase } from "@/lib/db/counting-database";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { createRecords, deleteRecord } from "@/lib/records/chart-store";
import { encodeCursor } from "@/lib/records/pages";
import { createGrant, revokeRecordFromGrant } from "./grant-store";
import { sharedRecordsOf } from "./shared-store";
import { b64, insertPeople, newGrant, newRecordItem } from "./test-fixtures";

describe.each(testDatabaseKinds())("a clinician's shared records in pages, on %s", (kind) => {
  let database: TestDatabase;
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A new patient sharing all of their `count` records with the doctor (an "all records" grant). */
  async function patientSharingAll(count: number) {
    const patientId = randomUUID();
    await insertPeople(database.db, { patients: [patientId] });
    const items = Array.from({ length: count }, () => newRecordItem());
    await createRecords(database.db, patientId, items);
    const grant = newGrant(
      doctor,
      items.map((item) => item.id),
      { scope: "all" },
    );
    await createGrant(database.db, patientId, { ...grant, recordIds: [] });
    return { patientId, grantId: grant.grantId, ids: items.map((item) => item.id) };
  }

  /** Every page from the start, `limit` records at a time, running `between` after each page; the pages' ids in order. */
  async function pageThrough(grantId: string, limit: number, between: (pageNumber: number) => Promise<void> = async () => undefined) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = sharedRoutes.records.response.parse(await sharedRecordsOf(database.db, doctor, grantId, new Date(), { limit, cursor }));
      pages.push(page.records.map((record) => record.id));
      cursor = page.nextCursor ?? undefined;
      await between(pages.length);
    } while (cursor);
    return pages;
  }

  it("serves every record under a grant once, by id, a limit at a time, with how many there are", async () => {
    const { grantId, ids } = await patientSharingAll(23);
    const pages = await pageThrough(grantId, 5);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual([...ids].sort());
    expect((await sharedRecordsOf(database.db, doctor, grantId, new Date(), { limit: 5 })).total).toBe(23);
  });

  it("never repeats or skips a record when records are shared, taken out and deleted while it is paged through", async () => {
    const { patientId, grantId, ids } = await patientSharingAll(15);
    const order = [...ids].sort();
    const added = [newRecordItem([{ grantId, wrappedKey: b64(randomBytes(74)) }])];
    const pages = await pageThrough(grantId, 4, async (pageNumber) => {
      if (pageNumber !== 1) return;
      await revokeRecordFromGrant(database.db, patientId, grantId, order[1]!);
      await revokeRecordFromGrant(database.db, patientId, grantId, order[6]!);
      await deleteRecord(database.db, patientId, order[9]!);
      await createRecords(database.db, patientId, added);
    });
    const served = pages.flat();
    expect(new Set(served).size).toBe(served.length);
    // Taken out or deleted before being served: never served. Anything else of the first list: once, in order.
    expect(served.filter((id) => (ids as string[]).includes(id))).toEqual(order.filter((id) => id !== order[6] && id !== order[9]));
    // A record shared meanwhile is served if its id comes after the page it arrived during.
    const newId = added[0]!.id;
    expect(served.includes(newId)).toBe(newId > order[3]!);
  });

  it("writes one records-received event per page, naming the records it served, and notes the opening once", async () => {
    const { patientId, grantId } = await patientSharingAll(7);
    await database.db.update(grants).set({ lastOpenedAt: null }).where(eq(grants.id, grantId));
    const pages = await pageThrough(grantId, 3);
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, patientId), eq(auditEvents.action, "records-received")))
      .orderBy(auditEvents.seq);
    expect(events.map((event) => event.recordIds)).toEqual(pages.map((page) => [...page].sort()));
    expect(events.every((event) => event.actorId === doctor && event.grantId === grantId)).toBe(true);
    const [grant] = await database.db.select({ lastOpenedAt: grants.lastOpenedAt }).from(grants).where(eq(grants.id, grantId));
    expect(grant?.lastOpenedAt).not.toBeNull();
  });

  it("refuses a cursor it did not hand out with invalid-input", async () => {
    const { grantId } = await patientSharingAll(2);
    const refused = (cursor: string) => codeOf(sharedRecordsOf(database.db, doctor, grantId, new Date(), { cursor }));
    expect(await refused("bm90LWpzb24")).toBe("invalid-input");
    expect(await refused(encodeCursor({ c: "1", r: randomUUID() }))).toBe("invalid-input");
    expect(await refused(encodeCursor({ r: "1' or 1=1" }))).toBe("invalid-input");
  });

  it("reads a page of 1,000 shared records in as many statements as a page of 10", async () => {
    const counting = countingDatabase(database);
    const small = await patientSharingAll(10);
    const large = await patientSharingAll(1000);
    const statementsFor = (grantId: string) => counting.count((db) => sharedRecordsOf(db, doctor, grantId, new Date(), { limit: 1000 }));
    const [few, many] = [await statementsFor(small.grantId), await statementsFor(large.grantId)];
    process.stdout.write(`GET /api/shared/[grantId]/records: ${few} statements for a page of 10 records, ${many} for 1,000 (${kind})\n`);
    expect(many).toBe(few);
    const page = await sharedRecordsOf(database.db, doctor, large.grantId, new Date(), { limit: 1000 });
    expect(page.records).toHaveLength(1000);
    expect(page.nextCursor).toBeNull();
  }, 120_000);
});
