import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { noticeEmails, noticePreferences, notices } from "@/drizzle/schema";
import { noticeSchema } from "@/contract/notices";
import { appendAudit } from "@/lib/audit/audit-log";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { sharedRecordsOf } from "@/lib/grants/shared-store";
import { insertPeople, newPatientSharing } from "@/lib/grants/test-fixtures";
import { noticesOf, type NoticeInput } from "./notice-kinds";
import { markNoticesRead, noticeFoldWindowMs, noticeState, noticesOfRecipient, recordNotices } from "./notice-store";

const off = { enabled: false } as const;
/** A time at the start of a fold window, so that a test's minute never straddles two. */
const windowStart = (offset = 0) => new Date((Math.floor(Date.now() / noticeFoldWindowMs) + 1 + offset) * noticeFoldWindowMs);

describe.each(testDatabaseKinds())("notices on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const doctor = randomUUID();
  const opened = (grantId: string): NoticeInput => ({ recipientId: patient, kind: "records-opened", actorId: doctor, grantId, linkId: null, recordId: null });

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("folds a burst of 50 opens within a minute into one notice with a count, read or not", async () => {
    const grantId = randomUUID();
    const start = windowStart();
    for (let second = 0; second < 50; second += 1) await recordNotices(database.db, [opened(grantId)], new Date(start.getTime() + second * 1000), off);
    let rows = await database.db.select().from(notices).where(eq(notices.grantId, grantId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 50, kind: "records-opened", actorId: doctor, readAt: null });
    expect(rows[0]!.lastAt.getTime() - rows[0]!.firstAt.getTime()).toBe(49_000);

    // Read, then opened again in the same window: the same notice, unread again, counting on.
    await markNoticesRead(database.db, patient, { ids: [String(rows[0]!.id)] });
    await recordNotices(database.db, [opened(grantId), opened(grantId)], new Date(start.getTime() + 55_000), off);
    rows = await database.db.select().from(notices).where(eq(notices.grantId, grantId));
    expect(rows).toMatchObject([{ count: 52, readAt: null }]);

    // The next window is a new notice; another grant is a notice of its own.
    await recordNotices(database.db, [opened(grantId)], new Date(start.getTime() + noticeFoldWindowMs), off);
    await recordNotices(database.db, [opened(randomUUID())], start, off);
    expect(await database.db.select().from(notices).where(eq(notices.grantId, grantId))).toHaveLength(2);
  });

  it("folds concurrent opens from several connections into one notice", async () => {
    const grantId = randomUUID();
    const at = windowStart(2);
    await Promise.all(Array.from({ length: 20 }, () => recordNotices(database.db, [opened(grantId)], at, off)));
    expect(await database.db.select({ count: notices.count }).from(notices).where(eq(notices.grantId, grantId))).toEqual([{ count: 20 }]);
  });

  it("lists a person's notices newest first in the contract's shape, counts the unread and marks them read (only their own)", async () => {
    const someone = randomUUID();
    await insertPeople(database.db, { patients: [someone] });
    const mine = (kind: NoticeInput["kind"], at: Date) =>
      recordNotices(database.db, [{ recipientId: someone, kind, actorId: null, grantId: null, linkId: randomUUID(), recordId: null }], at, off);
    await mine("link-opened", windowStart());
    await mine("new-passkey", windowStart(1));
    const before = await noticeState(database.db, someone);
    const listed = await noticesOfRecipient(database.db, someone);
    expect(listed.unread).toBe(2);
    expect(listed.notices.map((notice) => notice.kind)).toEqual(["new-passkey", "link-opened"]);
    for (const notice of listed.notices) noticeSchema.parse(notice);

    // Someone else's ids mark nothing of theirs.
    expect(await markNoticesRead(database.db, patient, { ids: listed.notices.map((notice) => notice.id) })).toBeGreaterThanOrEqual(0);
    expect((await noticesOfRecipient(database.db, someone)).unread).toBe(2);

    expect(await markNoticesRead(database.db, someone, { ids: [listed.notices[0]!.id] })).toBe(1);
    const middle = await noticeState(database.db, someone);
    expect(middle.unread).toBe(1);
    expect(middle.token).not.toBe(before.token);
    expect(await markNoticesRead(database.db, someone, { all: true })).toBe(0);
  });

  it("raises notices from the audit events of a clinician's read, a link opened and a note, never from the patient's own actions", () => {
    const grantId = randomUUID();
    const linkId = randomUUID();
    const raised = noticesOf([
      { subjectId: patient, actorId: doctor, action: "records-received", outcome: "success", grantId },
      { subjectId: patient, actorId: patient, action: "chart-fetched", outcome: "success" },
      { subjectId: patient, actorId: patient, action: "file-fetched", outcome: "success" },
      { subjectId: patient, actorId: doctor, action: "access-refused", outcome: "denied", grantId },
      { subjectId: patient, actorId: null, action: "link-opened", outcome: "success", grantId: linkId },
      { subjectId: patient, actorId: doctor, action: "record-created", outcome: "success", grantId, recordId: linkId },
      { subjectId: patient, actorId: patient, action: "record-created", outcome: "success" },
      { subjectId: patient, actorId: patient, action: "passkey-added", outcome: "success" },
    ]);
    expect(raised.map((notice) => [notice.kind, notice.actorId, notice.grantId, notice.linkId])).toEqual([
      ["records-opened", doctor, grantId, null],
      ["link-opened", null, null, linkId],
      ["note-added", doctor, grantId, null],
      ["new-passkey", null, null, null],
    ]);
  });

  it("records a notice when a clinician reads the records a patient shared, in the read's own transaction", async () => {
    const { patient: sharer, grantId } = await newPatientSharing(database.db, doctor);
    expect((await noticesOfRecipient(database.db, sharer)).notices).toEqual([]);
    for (let time = 0; time < 3; time += 1) await sharedRecordsOf(database.db, doctor, grantId);
    const { notices: raised, unread } = await noticesOfRecipient(database.db, sharer);
    expect(unread).toBeGreaterThanOrEqual(1);
    expect(raised.every((notice) => notice.kind === "records-opened" && notice.actorId === doctor && notice.grantId === grantId)).toBe(true);
    expect(raised.reduce((sum, notice) => sum + notice.count, 0)).toBe(3);
  });

  it("queues one email per kind for a burst, after the gathering delay, only for the kinds a person chose", async () => {
    const person = randomUUID();
    await insertPeople(database.db, { patients: [person] });
    await database.db.insert(noticePreferences).values({ userId: person, email: "person@example.org", emailKinds: ["records-opened"] });
    const queuing = { enabled: true, intervalMs: 30 * 60_000, gatherMs: 60_000 } as const;
    const start = windowStart();
    const events = Array.from({ length: 50 }, () => ({ ...opened(randomUUID()), recipientId: person }));
    for (const [index, event] of events.entries()) await recordNotices(database.db, [event], new Date(start.getTime() + index * 100), queuing);
    await recordNotices(
      database.db,
      [{ recipientId: person, kind: "new-passkey", actorId: null, grantId: null, linkId: null, recordId: null }],
      start,
      queuing,
    );
    const outbox = await database.db.select().from(noticeEmails).where(eq(noticeEmails.recipientId, person));
    expect(outbox).toMatchObject([{ kind: "records-opened", pending: 50, dueAt: new Date(start.getTime() + 60_000) }]);

    // Nothing queued with email off (no SMTP_URL), whatever the person chose.
    await recordNotices(database.db, [{ ...opened(randomUUID()), recipientId: person }], start, off);
    expect(await database.db.select({ pending: noticeEmails.pending }).from(noticeEmails).where(eq(noticeEmails.recipientId, person))).toEqual([
      { pending: 50 },
    ]);
  });

  it("keeps what it must not know out of notices: a notice from appendAudit holds ids, a count and times only", async () => {
    const person = randomUUID();
    await insertPeople(database.db, { patients: [person] });
    await appendAudit(database.db, [
      { subjectId: person, actorId: null, action: "link-opened", grantId: randomUUID(), outcome: "success", recipient: "Dr Canary Name" },
    ]);
    const [row] = await database.db.select().from(notices).where(eq(notices.recipientId, person));
    expect(row?.kind).toBe("link-opened");
    expect(JSON.stringify(row)).not.toContain("Canary");
  });
});
