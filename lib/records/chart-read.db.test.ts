import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { chartPageSchema, type ChartPage } from "@/contract/records";
import { auditInbox, recordKeyWraps, records, recordVersions, sessions, users } from "@/drizzle/schema";
import { oneSession } from "@/lib/db/plan-counts";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { noticesOf } from "@/lib/notices/notice-kinds";
import { hashSessionToken, resolveSession, sessionTouchIntervalMs, startSession } from "@/lib/sessions/session-store";
import { ChartPageCache, type CachedChartPage } from "./chart-page-cache";
import { addVersion, chartOf, createRecords, deleteRecord, recordOf } from "./chart-store";
import { chartPageForSession } from "./chart-read";
import { rotateRecordKey } from "./key-rotation";
import { encodeCursor } from "./pages";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const version = (number: number, contentBytes = 256) => ({
  version: number,
  keyVersion: 1,
  content: b64(randomBytes(42 + contentBytes)),
  commitment: b64(randomBytes(32)),
  signature: b64(randomBytes(64)),
});
const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };
const minutes = (date: Date, count: number) => new Date(date.getTime() + count * 60_000);

describe.each(testDatabaseKinds())("the chart page in one statement, on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function person(role: "patient" | "doctor" = "patient") {
    const id = randomUUID();
    await database.db.insert(users).values({ id, role });
    return id;
  }

  /** A patient with `count` records (a few with later versions), signed in at `at`. */
  async function signedInPatient(count: number, at = new Date()) {
    const ownerId = await person();
    const items = Array.from({ length: count }, (_, index) => ({
      id: randomUUID(),
      ownerWrap: b64(randomBytes(74)),
      version: version(1, index % 2 ? 1024 : 256),
    }));
    await createRecords(database.db, ownerId, items);
    for (const item of items.slice(0, 3)) await addVersion(database.db, ownerId, item.id, version(2), { quotaBytes: 1e9, unfinishedUploadsMax: 10 });
    const { token, sessionId } = await startSession(database.db, ownerId, policy, at);
    return { ownerId, token, sessionId, ids: items.map((item) => item.id) };
  }

  const inbox = (subjectId: string) => database.db.select().from(auditInbox).where(eq(auditInbox.subjectId, subjectId));

  it("is planned once per session and page size, not on every read", async () => {
    // Planning the statement on every execution cost about a third of the database's CPU per
    // read. PostgreSQL chose that on a chart large enough that an unknown LIMIT looked costly.
    const { token } = await signedInPatient(2000);
    await database.db.execute(sql`analyze`);
    const session = oneSession(database);
    try {
      let cursor: string | undefined;
      for (let read = 0; read < 12; read++) {
        const page = (await chartPageForSession(session.db, hashSessionToken(token), policy, new Date(), { limit: 5 }))!.parse();
        const next = (await chartPageForSession(session.db, hashSessionToken(token), policy, new Date(), { limit: 5, cursor: page.nextCursor! }))!.parse();
        cursor = next.nextCursor ?? undefined;
      }
      expect(cursor).toBeDefined();
      // Both texts (first page, after a cursor): PostgreSQL tries custom plans for the first five executions of each, then keeps the generic one.
      const counts = await session.planCounts("'chart-fetched'");
      expect(counts).not.toBeNull();
      expect(counts!.custom).toBeLessThanOrEqual(2 * 5);
      expect(counts!.generic).toBeGreaterThanOrEqual(2 * 12 - 2 * 5);
    } finally {
      await session.close();
    }
  });

  it("answers exactly what the ordinary path answers, page after page, with the same cursors", async () => {
    const { ownerId, token } = await signedInPatient(27);
    let cursor: string | undefined;
    let pages = 0;
    do {
      const fast = await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), { limit: 10, cursor });
      const ordinary = await chartOf(database.db, ownerId, { limit: 10, cursor });
      expect(fast).not.toBeNull();
      // What the route sends as it is equals what the schema would have sent for the ordinary path.
      expect(JSON.parse(fast!.text)).toEqual(JSON.parse(JSON.stringify(chartPageSchema.parse(ordinary))));
      cursor = fast!.parse().nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect((await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), {}))!.parse().records).toHaveLength(27);
  });

  it("writes JSON the route's schema passes unchanged: no key it does not declare, none missing, in its order", async () => {
    const { ownerId, token } = await signedInPatient(4);
    const other = await signedInPatient(2);
    const record = (await chartOf(database.db, ownerId, {})).records[0]!;
    // A version with a file, so a blob id is written as the schema's uuid, not only as null.
    const blobId = randomUUID();
    await database.db.execute(
      sql`insert into blobs (id, owner_id, status, chunk_size, chunk_count, padded_size) values (${blobId}, ${ownerId}, 'complete', 65536, 1, 65536)`,
    );
    await database.db.update(recordVersions).set({ blobId }).where(eq(recordVersions.recordId, record.id));
    for (const page of [
      await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), { limit: 2 }),
      await chartPageForSession(database.db, hashSessionToken(other.token), policy, new Date(), {}),
    ]) {
      const sent: unknown = JSON.parse(page!.text);
      const checked = chartPageSchema.parse(sent);
      expect(checked).toStrictEqual(sent);
      // Key order too: the bytes differ from JSON.stringify's only in the database's spacing.
      expect(JSON.stringify(sent)).toBe(JSON.stringify(checked));
    }
  });

  it("serves an empty chart with its count", async () => {
    const { ownerId } = { ownerId: await person() };
    const { token } = await startSession(database.db, ownerId, policy);
    expect((await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), {}))!.parse()).toEqual({
      records: [],
      nextCursor: null,
      total: 0,
    });
    expect(await chartOf(database.db, ownerId, {})).toEqual({ records: [], nextCursor: null, total: 0 });
  });

  it("audits the read as one chart-fetched event naming the records served, sorted, as appendAudit writes it", async () => {
    const { ownerId, token } = await signedInPatient(5);
    const now = new Date("2026-03-01T10:00:00.123Z");
    await database.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.userId, ownerId));
    const page = await chartPageForSession(database.db, hashSessionToken(token), policy, now, { limit: 4 });
    const events = await inbox(ownerId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorId: ownerId,
      action: "chart-fetched",
      outcome: "success",
      recordId: null,
      grantId: null,
      count: null,
      recipient: null,
    });
    expect(events[0]!.occurredAt.toISOString()).toBe(now.toISOString());
    expect(events[0]!.recordIds).toEqual(
      page!
        .parse()
        .records.map((record) => record.id)
        .sort(),
    );
    // The ordinary path writes the same event; the one-statement read writes no notice, and none is due.
    expect(noticesOf([{ subjectId: ownerId, actorId: ownerId, action: "chart-fetched", outcome: "success" }])).toEqual([]);
  });

  it("refuses what resolveSession refuses, and writes nothing then", async () => {
    const start = new Date("2026-03-01T10:00:00Z");
    const served = (token: string, at: Date) => chartPageForSession(database.db, hashSessionToken(token), policy, at, {});

    const unknown = await signedInPatient(2, start);
    expect(await served(b64(randomBytes(32)), start)).toBeNull();

    const idle = await signedInPatient(2, start);
    expect(await served(idle.token, minutes(start, 31))).toBeNull();
    expect(await served(idle.token, minutes(start, 30))).not.toBeNull();

    const expired = await signedInPatient(2, start);
    for (let at = 25; at < 12 * 60; at += 25)
      await database.db
        .update(sessions)
        .set({ lastSeenAt: minutes(start, at) })
        .where(eq(sessions.id, expired.sessionId));
    expect(await served(expired.token, minutes(start, 12 * 60))).toBeNull();

    const ended = await signedInPatient(2, start);
    await database.db.update(sessions).set({ endedAt: start }).where(eq(sessions.id, ended.sessionId));
    expect(await served(ended.token, start)).toBeNull();

    const disabled = await signedInPatient(2, start);
    await database.db.update(users).set({ disabledAt: start }).where(eq(users.id, disabled.ownerId));
    expect(await served(disabled.token, start)).toBeNull();
    expect(await resolveSession(database.db, disabled.token, policy, start)).toBeNull();

    const clinician = await person("doctor");
    const { token: clinicianToken } = await startSession(database.db, clinician, policy, start);
    expect(await served(clinicianToken, start)).toBeNull();
    expect(await resolveSession(database.db, clinicianToken, policy, start)).not.toBeNull();

    for (const refused of [unknown, expired, ended, disabled]) expect(await inbox(refused.ownerId)).toEqual([]);
    expect(await inbox(clinician)).toEqual([]);
    expect(await inbox(idle.ownerId)).toHaveLength(1);
  });

  it("refuses a cursor this server did not hand out without reading anything (the ordinary path answers 400)", async () => {
    const { ownerId, token } = await signedInPatient(3);
    for (const cursor of ["not-a-cursor", encodeCursor({ c: "12", r: "x" }), encodeCursor({ c: "12", r: randomUUID(), more: "1" })])
      expect(await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), { cursor })).toBeNull();
    expect(await inbox(ownerId)).toEqual([]);
  });

  it("writes the last-seen time once per touch interval, as resolveSession does", async () => {
    const start = new Date("2026-03-01T10:00:00Z");
    const { token, sessionId } = await signedInPatient(1, start);
    const lastSeen = async () =>
      (
        await database.db
          .select()
          .from(sessions)
          .where(and(eq(sessions.id, sessionId)))
      )[0]!.lastSeenAt.getTime();
    const interval = sessionTouchIntervalMs(policy);
    await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(start.getTime() + interval - 1), {});
    expect(await lastSeen()).toBe(start.getTime());
    const later = new Date(start.getTime() + interval + 1);
    await chartPageForSession(database.db, hashSessionToken(token), policy, later, {});
    expect(await lastSeen()).toBe(later.getTime());
  });

  describe("the page this process built, offered by its fingerprint", () => {
    /** A cache that counts the pages the database built (each is kept once built). */
    class CountingCache extends ChartPageCache {
      built = 0;
      override set(key: string, page: CachedChartPage): void {
        this.built += 1;
        super.set(key, page);
      }
    }
    const quota = { quotaBytes: 1e9, unfinishedUploadsMax: 10 };
    /** Adds the record's next version, whatever its current one. */
    async function addNextVersion(ownerId: string, recordId: string) {
      // At the record's own key version: a rotated record's next version is under its new key.
      const { currentVersion, keyVersion } = await recordOf(database.db, ownerId, recordId);
      await addVersion(database.db, ownerId, recordId, { ...version(currentVersion + 1), keyVersion }, quota);
      return currentVersion + 1;
    }
    const byId = (page: ChartPage, id: string) => page.records.find((record) => record.id === id)!;

    /** Reads the page twice with one cache: the second read must come from what the first built, unchanged. */
    async function cachedPage(token: string, request: { limit?: number; cursor?: string } = {}) {
      const cache = new CountingCache();
      const read = async () => (await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), request, cache))!;
      const first = await read();
      const second = await read();
      expect(cache.built).toBe(1);
      expect(second.text).toBe(first.text);
      return { cache, read, first };
    }

    /** After a change: the read built the page again, and serves what the ordinary path serves. */
    async function expectRebuilt(cached: Awaited<ReturnType<typeof cachedPage>>, ownerId: string, request: { limit?: number; cursor?: string } = {}) {
      const before = cached.cache.built;
      const page = await cached.read();
      expect(cached.cache.built).toBe(before + 1);
      expect(JSON.parse(page.text)).toEqual(JSON.parse(JSON.stringify(chartPageSchema.parse(await chartOf(database.db, ownerId, request)))));
      // And once rebuilt, it is offered again.
      expect((await cached.read()).text).toBe(page.text);
      expect(cached.cache.built).toBe(before + 1);
      return page.parse();
    }

    it("builds the JSON once while the page's rows are unchanged, and still checks the session, touches it and audits every read", async () => {
      const { ownerId, token, sessionId } = await signedInPatient(6);
      const { read } = await cachedPage(token);
      expect(await inbox(ownerId)).toHaveLength(2);
      await read();
      expect(await inbox(ownerId)).toHaveLength(3);
      await database.db.update(sessions).set({ endedAt: new Date() }).where(eq(sessions.id, sessionId));
      expect(await chartPageForSession(database.db, hashSessionToken(token), policy, new Date(), {}, new ChartPageCache())).toBeNull();
      // The kept page is no use to a session that has ended.
      const kept = new CountingCache();
      const again = await signedInPatient(1);
      await chartPageForSession(database.db, hashSessionToken(again.token), policy, new Date(), {}, kept);
      await database.db.update(sessions).set({ endedAt: new Date() }).where(eq(sessions.userId, again.ownerId));
      expect(await chartPageForSession(database.db, hashSessionToken(again.token), policy, new Date(), {}, kept)).toBeNull();
    });

    it("builds it again after a new version, a key rotation, a new or deleted record", async () => {
      const { ownerId, token, ids } = await signedInPatient(5);
      let cached = await cachedPage(token);
      const added = await addNextVersion(ownerId, ids[4]!);
      expect(byId(await expectRebuilt(cached, ownerId), ids[4]!).currentVersion).toBe(added);

      const current = await recordOf(database.db, ownerId, ids[1]!);
      // A rotation re-encrypts the current version in place, under the next key version.
      const { content } = version(current.currentVersion);
      await rotateRecordKey(database.db, ownerId, current.id, {
        ownerWrap: b64(randomBytes(74)),
        version: { version: current.currentVersion, keyVersion: current.keyVersion + 1, content },
        grantWraps: [],
      });
      expect(byId(await expectRebuilt(cached, ownerId), ids[1]!).keyVersion).toBe(current.keyVersion + 1);

      await createRecords(database.db, ownerId, [{ id: randomUUID(), ownerWrap: b64(randomBytes(74)), version: version(1) }]);
      expect((await expectRebuilt(cached, ownerId)).records).toHaveLength(6);

      await deleteRecord(database.db, ownerId, ids[0]!);
      expect((await expectRebuilt(cached, ownerId)).records.map((record) => record.id)).not.toContain(ids[0]);

      // A page after a cursor alike.
      const cursor = (await chartOf(database.db, ownerId, { limit: 2 })).nextCursor!;
      cached = await cachedPage(token, { limit: 2, cursor });
      await addNextVersion(ownerId, cached.first.parse().records[0]!.id);
      await expectRebuilt(cached, ownerId, { limit: 2, cursor });
    });

    it("builds it again after any write to a row it is built from, even one that changes no value", async () => {
      // Whatever code path writes: the fingerprint names row versions, not the fields a path is known to change.
      const { ownerId, token, ids } = await signedInPatient(4);
      const cached = await cachedPage(token);
      const writes = [
        () =>
          database.db
            .update(records)
            .set({ updatedAt: sql`updated_at` })
            .where(eq(records.id, ids[2]!)),
        () =>
          database.db
            .update(recordVersions)
            .set({ signature: sql`signature` })
            .where(and(eq(recordVersions.recordId, ids[0]!), eq(recordVersions.version, 1))),
        () =>
          database.db
            .update(recordKeyWraps)
            .set({ wrappedKey: sql`wrapped_key` })
            .where(eq(recordKeyWraps.recordId, ids[3]!)),
        () =>
          database.db
            .update(recordVersions)
            .set({ signature: randomBytes(64) })
            .where(and(eq(recordVersions.recordId, ids[1]!), eq(recordVersions.version, 1))),
        () =>
          database.db
            .update(recordKeyWraps)
            .set({ wrappedKey: randomBytes(74) })
            .where(eq(recordKeyWraps.recordId, ids[1]!)),
        () => database.db.delete(recordVersions).where(and(eq(recordVersions.recordId, ids[0]!), eq(recordVersions.version, 1))),
      ];
      for (const write of writes) {
        await write();
        await expectRebuilt(cached, ownerId);
      }
      expect(byId((await cached.read()).parse(), ids[0]!).statements.map((statement) => statement.version)).toEqual([2]);
    });

    it("keeps offering it after a write that rolled back, and after VACUUM FREEZE, which keeps each row's transaction id", async () => {
      const { ownerId, token, ids } = await signedInPatient(4);
      const cached = await cachedPage(token);
      await expect(
        database.db.transaction(async (tx) => {
          await tx
            .update(recordVersions)
            .set({ signature: randomBytes(64) })
            .where(eq(recordVersions.recordId, ids[1]!));
          await tx
            .update(recordKeyWraps)
            .set({ wrappedKey: randomBytes(74) })
            .where(eq(recordKeyWraps.recordId, ids[2]!));
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      await database.db.execute(sql`vacuum (freeze) records, record_versions, record_key_wraps`);
      const page = await cached.read();
      expect(cached.cache.built).toBe(1);
      expect(page.text).toBe(cached.first.text);
      expect(JSON.parse(page.text)).toEqual(JSON.parse(JSON.stringify(chartPageSchema.parse(await chartOf(database.db, ownerId, {})))));
    });

    it("builds it again when a record comes to sit inside the page, as the ordinary path pages", async () => {
      const { ownerId, token } = await signedInPatient(6);
      const cached = await cachedPage(token, { limit: 3 });
      const [first] = cached.first.parse().records;
      // The same creation time as the page's first record and a lower id: it sorts first, the page's last record moves to the next page.
      const id = `00000000-0000-4000-8000-${randomBytes(6).toString("hex")}`;
      await createRecords(database.db, ownerId, [{ id, ownerWrap: b64(randomBytes(74)), version: version(1) }]);
      await database.db.execute(sql`update records set created_at = (select created_at from records where id = ${first!.id}) where id = ${id}`);
      const page = await expectRebuilt(cached, ownerId, { limit: 3 });
      expect(page.records.map((record) => record.id)).toEqual([
        id,
        ...cached.first
          .parse()
          .records.slice(0, 2)
          .map((record) => record.id),
      ]);
    });

    it("keeps offering it while only other pages and other people's charts change, and never across sessions", async () => {
      const { ownerId, token, ids } = await signedInPatient(6);
      const other = await signedInPatient(2);
      const cached = await cachedPage(token, { limit: 3 });
      const onPage = new Set(cached.first.parse().records.map((record) => record.id));
      await addNextVersion(
        ownerId,
        ids.find((id) => !onPage.has(id))!,
      );
      await addNextVersion(other.ownerId, other.ids[1]!);
      await cached.read();
      expect(cached.cache.built).toBe(1);
      // Another session of the same patient has its own entry; another patient's session never meets this one's.
      const second = await startSession(database.db, ownerId, policy);
      await chartPageForSession(database.db, hashSessionToken(second.token), policy, new Date(), { limit: 3 }, cached.cache);
      await chartPageForSession(database.db, hashSessionToken(other.token), policy, new Date(), { limit: 3 }, cached.cache);
      expect(cached.cache.built).toBe(3);
    });
  });
});
