import { randomBytes, randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, EnvelopeKind, verifyAuditChain } from "@/crypto";
import { auditEvents, auditInbox, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import type { Database } from "@/lib/db/client";
import { contributeRecord } from "@/lib/grants/contributions";
import { createGrant, fetchSharedRecords, revokeGrant, revokeRecordFromGrant, type NewGrant } from "@/lib/grants/grant-store";
import { keyMaintenanceOf } from "@/lib/grants/key-maintenance";
import { addVersion, auditRefusedRecordAccess, chartOf, createRecords, deleteRecord, versionsOf } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";
import { b64, insertPeople, newGrant, rotatedVersion, versionPayload } from "@/lib/grants/test-fixtures";
import { AppError } from "@/lib/errors";
import { appendAudit, foldAuditInbox, foldAuditInboxes, lockAuditHeads, storedEventFields } from "./audit-log";
import { countRepeatedAttempt } from "./audit-counts";
import { actionsBy, trailPage, trailPageSize } from "./trail-store";

const version = versionPayload;

describe.each(testDatabaseKinds())("audit trail on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const doctor = randomUUID();
  const other = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient, other], doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** The whole trail as its owner's browser reads it: page after page of the newest events. */
  const trail = async (subjectId = patient, now = new Date()) => {
    const events: Awaited<ReturnType<typeof trailPage>>["events"] = [];
    for (;;) {
      const page = await trailPage(database.db, subjectId, { after: events.length, limit: trailPageSize.max }, now);
      events.push(...page.events);
      if (page.events.length === 0 || events.length >= page.head.seq) return events;
    }
  };
  const stored = (subjectId = patient) => database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq));
  const chainOf = async (subjectId = patient) => (await stored(subjectId)).map(storedEventFields);
  const inboxOf = (subjectId: string) => database.db.select().from(auditInbox).where(eq(auditInbox.subjectId, subjectId)).orderBy(asc(auditInbox.id));
  /** The events an action added to the trail, as [action, actor, record, grant, outcome]. */
  async function eventsOf(action: () => Promise<unknown>, subjectId = patient) {
    const before = (await trail(subjectId)).length;
    await action().catch(() => undefined);
    return (await trail(subjectId)).slice(before).map((event) => [event.action, event.actorId, event.recordId, event.grantId, event.outcome]);
  }
  const grantOf = (recordIds: string[], overrides: Partial<NewGrant> = {}) => newGrant(doctor, recordIds, { permission: "contribute", ...overrides });
  async function newRecord() {
    const id = randomUUID();
    await createRecords(database.db, patient, [{ id, ownerWrap: b64(randomBytes(74)), version: version() }]);
    return id;
  }

  it("chains appends per person, in order, even when they race", async () => {
    const subject = randomUUID();
    await database.db.insert(users).values({ id: subject, role: "patient" });
    await Promise.all(
      Array.from({ length: 20 }, () => appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "chart-fetched", outcome: "success" }])),
    );
    // Appended outside any action's transaction: waiting in the inbox until the next fold.
    expect(await stored(subject)).toEqual([]);
    expect(await foldAuditInbox(database.db, [subject])).toBe(20);
    const chain = await chainOf(subject);
    expect(chain.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(verifyAuditChain(chain).ok).toBe(true);
    expect(await inboxOf(subject)).toEqual([]);
  });

  it("folds a long inbox in short transactions, oldest first, into one unbroken chain", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    const recordIds = Array.from({ length: 7 }, () => randomUUID());
    for (const recordId of recordIds)
      await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "record-fetched", recordId, outcome: "success" }]);
    let transactions = 0;
    const counted = new Proxy(database.db, {
      get: (target, key, receiver) =>
        key === "transaction"
          ? (...args: Parameters<Database["transaction"]>) => ((transactions += 1), target.transaction(...args))
          : Reflect.get(target, key, receiver),
    });
    // Three at a time: 3, 3, then 1, which tells the fold the inbox is empty.
    expect(await foldAuditInboxes(counted, 100, 3)).toBe(7);
    expect(transactions).toBe(3);
    const chain = await chainOf(subject);
    expect(chain.map((event) => [event.seq, event.recordId])).toEqual(recordIds.map((recordId, index) => [index + 1, recordId]));
    expect(verifyAuditChain(chain).ok).toBe(true);
    expect(await inboxOf(subject)).toEqual([]);
  });

  it("keeps one chain with no gap and every event once, whatever mix of unlocked appends, locked appends, trail reads and folders races", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    // Each event names its own record id, so the chain can be checked for each exactly once.
    const appended: string[] = [];
    const event = () => {
      const recordId = randomUUID();
      appended.push(recordId);
      return { subjectId: subject, actorId: doctor, action: "chart-fetched" as const, recordId, outcome: "success" as const };
    };
    const work = Array.from({ length: 60 }, (_, index) => {
      switch (index % 6) {
        case 0:
          return database.db.transaction((tx) => appendAudit(tx, [event(), event()]));
        case 1:
          return foldAuditInboxes(database.db);
        case 2:
          return trailPage(database.db, subject, { after: 0, limit: 10 });
        default:
          return appendAudit(database.db, [event()]);
      }
    });
    await Promise.all(work);
    await foldAuditInbox(database.db, [subject]);
    const chain = await chainOf(subject);
    expect(chain.map((row) => row.seq)).toEqual(Array.from({ length: appended.length }, (_, index) => index + 1));
    expect(chain.map((row) => row.recordId).sort()).toEqual([...appended].sort());
    expect(verifyAuditChain(chain).ok).toBe(true);
    expect(await inboxOf(subject)).toEqual([]);
  });

  it("loses nothing when a fold fails mid-way: the inbox rows come back with the rollback, and the next fold chains them once", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    for (let index = 0; index < 5; index++)
      await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "chart-fetched", outcome: "success" }]);
    const waiting = await inboxOf(subject);
    expect(waiting).toHaveLength(5);
    // A crash after the fold moved the rows, before the transaction committed.
    await expect(
      database.db.transaction(async (tx) => {
        expect(await foldAuditInbox(tx, [subject])).toBe(5);
        throw new Error("crashed mid-fold");
      }),
    ).rejects.toThrow("crashed mid-fold");
    expect(await inboxOf(subject)).toEqual(waiting);
    expect(await stored(subject)).toEqual([]);
    // The database refusing the head update, after the events were inserted and the inbox emptied: all of it rolls back too.
    await database.db.execute(sql`
      create or replace function audit_head_down() returns trigger language plpgsql as $$
      begin raise exception 'head store down'; end $$`);
    await database.db.execute(sql`create trigger audit_head_down before update on audit_heads for each row execute function audit_head_down()`);
    try {
      await expect(foldAuditInbox(database.db, [subject])).rejects.toThrow();
    } finally {
      await database.db.execute(sql`drop trigger audit_head_down on audit_heads`);
    }
    expect(await inboxOf(subject)).toEqual(waiting);
    expect(await stored(subject)).toEqual([]);
    expect(await foldAuditInbox(database.db, [subject])).toBe(5);
    expect(await foldAuditInbox(database.db, [subject])).toBe(0);
    const chain = await chainOf(subject);
    expect(chain.map((row) => [row.seq, row.occurredAt])).toEqual(waiting.map((row, index) => [index + 1, row.occurredAt.getTime()]));
    expect(verifyAuditChain(chain).ok).toBe(true);
  });

  it("folds a person's inbox before their trail is read, and before an action's own event, in arrival order", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    const at = (offset: number) => new Date(Date.now() + offset);
    await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "sign-in", outcome: "success" }], at(0));
    await appendAudit(database.db, [{ subjectId: subject, actorId: doctor, action: "chart-fetched", outcome: "success" }], at(1));
    // An action in its own transaction: the inbox is chained first, then its event.
    await database.db.transaction((tx) => appendAudit(tx, [{ subjectId: subject, actorId: subject, action: "passkey-added", outcome: "success" }], at(2)));
    await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "records-exported", outcome: "success" }], at(3));
    expect((await stored(subject)).map((row) => row.action)).toEqual(["sign-in", "chart-fetched", "passkey-added"]);
    // The owner's read sees every event, the one still waiting included.
    const page = await trailPage(database.db, subject, { after: 0, limit: 10 });
    expect(page.events.map((event) => [event.seq, event.action])).toEqual([
      [1, "sign-in"],
      [2, "chart-fetched"],
      [3, "passkey-added"],
      [4, "records-exported"],
    ]);
    expect(page.head.seq).toBe(4);
    expect(await inboxOf(subject)).toEqual([]);
    expect(verifyAuditChain(await chainOf(subject)).ok).toBe(true);
  });

  it("takes a burst larger than one fold batch into the inbox and chains all of it in order in one fold", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    const recordIds = Array.from({ length: 2500 }, () => randomUUID());
    await appendAudit(
      database.db,
      recordIds.map((recordId) => ({ subjectId: subject, actorId: doctor, action: "file-fetched" as const, recordId, outcome: "success" as const })),
    );
    expect(await inboxOf(subject)).toHaveLength(2500);
    expect(await foldAuditInbox(database.db, [subject])).toBe(2500);
    const chain = await chainOf(subject);
    expect(chain.map((row) => row.recordId)).toEqual(recordIds);
    expect(verifyAuditChain(chain).ok).toBe(true);
    expect(await inboxOf(subject)).toEqual([]);
  });

  it("lists a clinician's reads in their own actions before they are folded", async () => {
    const subject = randomUUID();
    const reader = randomUUID();
    await insertPeople(database.db, { patients: [subject], doctors: [reader] });
    await appendAudit(database.db, [{ subjectId: subject, actorId: reader, action: "file-fetched", outcome: "success" }]);
    expect((await actionsBy(database.db, reader)).events.map((event) => [event.subjectId, event.action])).toEqual([[subject, "file-fetched"]]);
    await foldAuditInbox(database.db, [subject]);
    expect((await actionsBy(database.db, reader)).events.map((event) => [event.subjectId, event.action])).toEqual([[subject, "file-fetched"]]);
  });

  if (kind === "postgres") {
    it("lets readers append while someone holds the person's head row, and the folder skip that person instead of waiting", async () => {
      const subject = randomUUID();
      await insertPeople(database.db, { patients: [subject] });
      await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "sign-in", outcome: "success" }]);
      await foldAuditInboxes(database.db);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = database.db.transaction(async (tx) => {
        await lockAuditHeads(tx, [subject]);
        locked();
        await released;
      });
      await isLocked;
      // Neither waits on the held row: both finish while it is still held.
      await Promise.all(
        Array.from({ length: 8 }, () => appendAudit(database.db, [{ subjectId: subject, actorId: doctor, action: "chart-fetched", outcome: "success" }])),
      );
      await foldAuditInboxes(database.db);
      expect(await inboxOf(subject)).toHaveLength(8);
      expect(await stored(subject)).toHaveLength(1);
      release();
      await holder;
      await foldAuditInboxes(database.db);
      expect(await inboxOf(subject)).toEqual([]);
      expect((await chainOf(subject)).map((row) => row.seq)).toEqual(Array.from({ length: 9 }, (_, index) => index + 1));
    });
  }

  it("writes record-created, record-updated, record-versions-fetched, chart-fetched, record-key-rotated and record-deleted from the actions that cause them", async () => {
    const id = randomUUID();
    expect(await eventsOf(() => createRecords(database.db, patient, [{ id, ownerWrap: b64(randomBytes(74)), version: version() }]))).toEqual([
      ["record-created", patient, id, null, "success"],
    ]);
    expect(await eventsOf(() => addVersion(database.db, patient, id, version(2, 1)))).toEqual([["record-updated", patient, id, null, "success"]]);
    expect(await eventsOf(() => versionsOf(database.db, patient, id))).toEqual([["record-versions-fetched", patient, id, null, "success"]]);
    expect(await eventsOf(() => chartOf(database.db, patient))).toEqual([["chart-fetched", patient, null, null, "success"]]);
    expect(
      await eventsOf(() => rotateRecordKey(database.db, patient, id, { ownerWrap: b64(randomBytes(74)), version: rotatedVersion(2, 2), grantWraps: [] })),
    ).toEqual([["record-key-rotated", patient, id, null, "success"]]);
    expect(await eventsOf(() => deleteRecord(database.db, patient, id))).toEqual([["record-deleted", patient, id, null, "success"]]);
    // A failed action leaves no event behind: the event is written in its transaction.
    expect(await eventsOf(() => addVersion(database.db, patient, randomUUID(), version(2, 1)))).toEqual([]);
  });

  it("writes grant-created, records-received, grant-record-revoked, grant-revoked and access-refused", async () => {
    const [first, second] = [await newRecord(), await newRecord()];
    const grant = grantOf([first, second]);
    expect(await eventsOf(() => createGrant(database.db, patient, grant))).toEqual([["grant-created", patient, null, grant.grantId, "success"]]);
    // The list load is what the server saw: one event naming the records it sent, never an "opened" per record.
    const before = (await trail()).length;
    expect(await eventsOf(() => fetchSharedRecords(database.db, doctor, grant.grantId))).toEqual([
      ["records-received", doctor, null, grant.grantId, "success"],
    ]);
    const [received] = (await trail()).slice(before);
    expect(received!.recordIds).toEqual([first, second].sort());
    expect((await trail()).some((event) => event.action === "record-fetched")).toBe(false);
    expect(verifyAuditChain(await chainOf()).ok).toBe(true);
    expect(await eventsOf(() => revokeRecordFromGrant(database.db, patient, grant.grantId, first))).toEqual([
      ["grant-record-revoked", patient, first, grant.grantId, "success"],
    ]);
    expect(await eventsOf(() => revokeGrant(database.db, patient, grant.grantId))).toEqual([["grant-revoked", patient, null, grant.grantId, "success"]]);
    expect(await eventsOf(() => fetchSharedRecords(database.db, doctor, grant.grantId))).toEqual([["access-refused", doctor, null, grant.grantId, "denied"]]);
    expect(await eventsOf(() => auditRefusedRecordAccess(database.db, other, second))).toEqual([["access-refused", other, second, null, "denied"]]);
  });

  it("lists a clinician's refused attempts in the owner's trail only, never in the clinician's own actions (they would tell whose an id is)", async () => {
    const id = await newRecord();
    const grant = grantOf([id]);
    await createGrant(database.db, patient, grant);
    await fetchSharedRecords(database.db, doctor, grant.grantId);
    await revokeGrant(database.db, patient, grant.grantId);
    expect(await eventsOf(() => fetchSharedRecords(database.db, doctor, grant.grantId))).toEqual([["access-refused", doctor, null, grant.grantId, "denied"]]);
    const { events } = await actionsBy(database.db, doctor);
    expect(events.filter((event) => event.grantId === grant.grantId).map((event) => [event.action, event.outcome, event.recordIds])).toEqual([
      ["records-received", "success", [id]],
    ]);
    expect(events.some((event) => event.outcome === "denied")).toBe(false);
  });

  it("writes grant-expired at the patient's next visit, and record-created for a clinician's contribution", async () => {
    const id = await newRecord();
    const grant = grantOf([id], { expiresAt: new Date(Date.now() + 60_000) });
    await createGrant(database.db, patient, grant);
    expect(await eventsOf(() => keyMaintenanceOf(database.db, patient, new Date(Date.now() + 120_000)))).toEqual([
      ["grant-expired", null, null, grant.grantId, "success"],
      // The work list it returns carries ciphertext and wraps: fetching it is audited too.
      ["chart-fetched", patient, null, null, "success"],
    ]);

    const contributing = grantOf([id]);
    await createGrant(database.db, patient, contributing);
    const note = {
      id: randomUUID(),
      sealedOwnerKey: b64(Uint8Array.from([1, EnvelopeKind.sealedRecordKey, ...randomBytes(168)])),
      grantWrap: b64(randomBytes(74)),
      version: version(),
    };
    expect(await eventsOf(() => contributeRecord(database.db, doctor, contributing.grantId, note))).toEqual([
      ["record-created", doctor, note.id, contributing.grantId, "success"],
    ]);
  });

  it("counts a flood of refusals from one actor into one event holding the count and the window, and answers 429 past the actor's limit", async () => {
    const flooder = randomUUID();
    await insertPeople(database.db, { doctors: [flooder] });
    const id = await newRecord();
    const grant = newGrant(flooder, [id]);
    await createGrant(database.db, patient, grant);
    await revokeGrant(database.db, patient, grant.grantId);
    const before = (await trail()).length;
    const start = Date.now();
    const codes: string[] = [];
    for (let index = 0; index < 150; index++) {
      const refused = await fetchSharedRecords(database.db, flooder, grant.grantId, new Date(start + index * 100)).then(
        () => "served",
        (error: unknown) => (error instanceof AppError ? error.code : "other"),
      );
      codes.push(refused);
    }
    // The first 100 refusals in 10 minutes are the 404 anyone gets; then the actor is limited.
    expect(codes.slice(0, 100).every((code) => code === "not-found")).toBe(true);
    expect(codes.slice(100).every((code) => code === "rate-limited")).toBe(true);
    // Nothing joined the chain while the window was open: the attempts were counted, not appended.
    expect((await stored()).length).toBe(before);
    const added = (await trail(patient, new Date(start + 20_000))).slice(before);
    expect(added.map((event) => [event.action, event.actorId, event.grantId, event.outcome, event.count])).toEqual([
      ["access-refused", flooder, grant.grantId, "denied", 150],
    ]);
    expect([added[0]!.windowStart, added[0]!.windowEnd]).toEqual([new Date(start).toISOString(), new Date(start + 149 * 100).toISOString()]);
    expect(verifyAuditChain(await chainOf()).ok).toBe(true);
    // Read again: the summarised attempts are not counted twice.
    expect((await trail()).length).toBe(before + 1);
  });

  it("appends one counted event per window: a closed window is summarised when the next attempt arrives", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    const start = Date.now();
    const attempt = (offsetMs: number, recordId: string | null = null) =>
      countRepeatedAttempt(
        database.db,
        { subjectId: subject, actorId: other, action: "access-refused", outcome: "denied", recordId },
        new Date(start + offsetMs),
      );
    const [first, second] = [randomUUID(), randomUUID()];
    await attempt(0, first);
    await attempt(60_000, first);
    expect(await stored(subject)).toHaveLength(0);
    // Ten minutes after the window opened: the first window (two attempts at one record) joins the chain, a new one opens.
    await attempt(10 * 60_000, first);
    await attempt(10 * 60_000 + 1, second);
    expect((await stored(subject)).map((row) => [row.count, row.recordId])).toEqual([[2, first]]);
    const events = await trail(subject, new Date(start + 11 * 60_000));
    // Two attempts naming different records: the event says how many, not which.
    expect(events.map((event) => [event.action, event.count, event.recordId])).toEqual([
      ["access-refused", 2, first],
      ["access-refused", 2, null],
    ]);
    expect(verifyAuditChain(await chainOf(subject)).ok).toBe(true);
  });

  it("counts failed sign-ins naming someone's passkey into one event with no actor", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    await Promise.all(
      Array.from({ length: 20 }, () => countRepeatedAttempt(database.db, { subjectId: subject, actorId: null, action: "sign-in-failed", outcome: "failure" })),
    );
    await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "sign-in", outcome: "success" }]);
    const events = await trail(subject);
    expect(events.map((event) => [event.action, event.actorId, event.count])).toEqual([
      ["sign-in", subject, null],
      ["sign-in-failed", null, 20],
    ]);
    expect(verifyAuditChain(await chainOf(subject)).ok).toBe(true);
  });

  it("serves a trail in pages: the events after a seq, or before one, with the head and the hash the page chains from", async () => {
    const subject = randomUUID();
    await insertPeople(database.db, { patients: [subject] });
    for (let index = 0; index < 7; index++)
      await appendAudit(database.db, [{ subjectId: subject, actorId: subject, action: "chart-fetched", outcome: "success" }]);
    await foldAuditInbox(database.db, [subject]);
    const rows = await stored(subject);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
    const after = await trailPage(database.db, subject, { after: 4, limit: 2 });
    expect(after.events.map((event) => event.seq)).toEqual([5, 6]);
    expect(after.previousHash).toBe(b64(rows[3]!.hash));
    expect(after.head).toEqual({ seq: 7, hash: b64(rows[6]!.hash) });
    expect((await trailPage(database.db, subject, { after: 7, limit: 2 })).events).toEqual([]);
    const before = await trailPage(database.db, subject, { before: 4, limit: 2 });
    expect(before.events.map((event) => event.seq)).toEqual([2, 3]);
    expect(before.previousHash).toBe(b64(rows[0]!.hash));
    expect((await trailPage(database.db, subject, { before: 3, limit: 5 })).events.map((event) => event.seq)).toEqual([1, 2]);
    expect((await trailPage(database.db, subject, { before: 100, limit: 2 })).events.map((event) => event.seq)).toEqual([6, 7]);
  });

  it("refuses to update, delete or truncate audit rows through the application's connection", async () => {
    await newRecord();
    const [row] = await stored();
    // drizzle wraps the database's error; its cause is the trigger's exception.
    const refusal = async (statement: PromiseLike<unknown>) => {
      const error = await Promise.resolve(statement).then(
        () => null,
        (caught: unknown) => caught as { cause?: { message?: string } },
      );
      return error?.cause?.message;
    };
    expect(await refusal(database.db.update(auditEvents).set({ action: "record-deleted" }).where(eq(auditEvents.id, row!.id)))).toMatch(/append-only/);
    expect(await refusal(database.db.delete(auditEvents).where(eq(auditEvents.id, row!.id)))).toMatch(/append-only/);
    expect(await refusal(database.db.execute(sql`truncate audit_events`))).toMatch(/append-only/);
    expect((await stored())[0]).toEqual(row);
  });

  it("a row altered by a superuser (triggers switched off) no longer verifies", async () => {
    expect(verifyAuditChain(await chainOf()).ok).toBe(true);
    const [, second] = await stored();
    await database.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_or_delete`);
    try {
      await database.db.update(auditEvents).set({ actorId: other }).where(eq(auditEvents.id, second!.id));
    } finally {
      await database.db.execute(sql`alter table audit_events enable trigger audit_events_no_update_or_delete`);
    }
    expect(verifyAuditChain(await chainOf())).toEqual({ ok: false, brokenAt: 1, reason: "hash" });
  });
});
