import "server-only";
import { and, count, desc, eq, inArray, isNull, max, sql } from "drizzle-orm";
import { careTeamMembers, grants, noticeEmails, noticePreferences, notices } from "@/drizzle/schema";
import { noticesPageSize, type Notice, type NoticeKind } from "@/contract/notices";
import type { Executor } from "@/lib/db";
import type { Grantees, NoticeInput } from "./notice-kinds";

/**
 * Events of one kind, by one actor, on one grant or link, within one window of this many
 * milliseconds (aligned to the epoch) fold into one notice with a count. Fixed windows make
 * the fold one upsert on a unique key, race-free on any number of app servers; a burst that
 * straddles a window's end is two notices, never fifty.
 */
export const noticeFoldWindowMs = 10 * 60_000;

/** How email notices are queued: off (no SMTP), or at most one email per kind and recipient per `intervalMs`, gathered for `gatherMs` first. */
export type EmailQueuing = { enabled: false } | { enabled: true; intervalMs: number; gatherMs: number };

const windowOf = (at: Date) => new Date(Math.floor(at.getTime() / noticeFoldWindowMs) * noticeFoldWindowMs);
const foldKeyOf = (notice: NoticeInput) => [notice.kind, notice.actorId ?? "", notice.grantId ?? "", notice.linkId ?? ""].join("|");

/**
 * Records notices at `now`, folding each into its window's notice for the same recipient,
 * kind, actor and grant or link (count + 1, last time moved, unread again), in the caller's
 * transaction if `db` is one. Where the recipient chose email for the kind and `email` is
 * enabled, counts it into the email outbox too (lib/notices/notice-email.ts sends it).
 * @throws the database's error (nothing is written then, inside a transaction).
 */
export async function recordNotices(db: Executor, inputs: readonly NoticeInput[], now: Date, email: EmailQueuing): Promise<void> {
  if (inputs.length === 0) return;
  // One row per fold key within a statement: ON CONFLICT cannot touch one row twice in a statement.
  const folded = new Map<string, { input: NoticeInput; count: number }>();
  for (const input of inputs) {
    const key = `${input.recipientId}|${foldKeyOf(input)}`;
    const seen = folded.get(key);
    if (seen) {
      seen.count += 1;
      seen.input = input;
    } else folded.set(key, { input, count: 1 });
  }
  const windowStart = windowOf(now);
  await db
    .insert(notices)
    .values(
      [...folded.values()].map(({ input, count }) => ({
        recipientId: input.recipientId,
        kind: input.kind,
        actorId: input.actorId,
        grantId: input.grantId,
        linkId: input.linkId,
        recordId: input.recordId,
        foldKey: foldKeyOf(input),
        windowStart,
        count,
        firstAt: now,
        lastAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [notices.recipientId, notices.foldKey, notices.windowStart],
      set: {
        count: sql`${notices.count} + excluded.count`,
        lastAt: sql`greatest(${notices.lastAt}, excluded.last_at)`,
        recordId: sql`coalesce(excluded.record_id, ${notices.recordId})`,
        readAt: null,
      },
    });
  if (email.enabled) await queueEmails(db, inputs, now, email);
}

/**
 * Counts notices into the outbox of recipients who want them by email. A row with nothing
 * pending becomes due after the gathering delay, and never sooner than the interval after the
 * last email of its kind; a row already pending keeps its due time: the flood folds in.
 */
async function queueEmails(db: Executor, inputs: readonly NoticeInput[], now: Date, email: { intervalMs: number; gatherMs: number }) {
  const perKey = new Map<string, { recipientId: string; kind: NoticeKind; count: number }>();
  for (const input of inputs) {
    const key = `${input.recipientId}|${input.kind}`;
    const seen = perKey.get(key);
    if (seen) seen.count += 1;
    else perKey.set(key, { recipientId: input.recipientId, kind: input.kind, count: 1 });
  }
  const wanted = await db
    .select({ userId: noticePreferences.userId, emailKinds: noticePreferences.emailKinds })
    .from(noticePreferences)
    .where(and(inArray(noticePreferences.userId, [...new Set(inputs.map((input) => input.recipientId))]), sql`${noticePreferences.email} is not null`));
  const rows = [...perKey.values()].filter((entry) => wanted.some((row) => row.userId === entry.recipientId && row.emailKinds.includes(entry.kind)));
  if (rows.length === 0) return;
  const gatheredAt = new Date(now.getTime() + email.gatherMs);
  const interval = sql`make_interval(secs => ${email.intervalMs / 1000})`;
  await db
    .insert(noticeEmails)
    .values(rows.map((row) => ({ recipientId: row.recipientId, kind: row.kind, pending: row.count, dueAt: gatheredAt })))
    .onConflictDoUpdate({
      target: [noticeEmails.recipientId, noticeEmails.kind],
      set: {
        dueAt: sql`case when ${noticeEmails.pending} > 0 then ${noticeEmails.dueAt}
          else greatest(excluded.due_at, ${noticeEmails.lastSentAt} + ${interval}) end`,
        pending: sql`${noticeEmails.pending} + excluded.pending`,
      },
    });
}

/** A stored row as its recipient reads it (contract/notices.ts noticeSchema). */
function noticeOf(row: typeof notices.$inferSelect): Notice {
  return {
    id: String(row.id),
    kind: row.kind as NoticeKind,
    actorId: row.actorId,
    grantId: row.grantId,
    linkId: row.linkId,
    recordId: row.recordId,
    count: row.count,
    firstAt: row.firstAt.toISOString(),
    lastAt: row.lastAt.toISOString(),
    read: row.readAt !== null,
  };
}

/** A person's newest notices (the latest event first, at most `noticesPageSize`) and how many are unread. */
export async function noticesOfRecipient(db: Executor, recipientId: string): Promise<{ notices: Notice[]; unread: number }> {
  const [rows, unread] = await Promise.all([
    db.select().from(notices).where(eq(notices.recipientId, recipientId)).orderBy(desc(notices.lastAt), desc(notices.id)).limit(noticesPageSize),
    unreadCount(db, recipientId),
  ]);
  return { notices: rows.map(noticeOf), unread };
}

export async function unreadCount(db: Executor, recipientId: string): Promise<number> {
  const [row] = await db
    .select({ unread: count() })
    .from(notices)
    .where(and(eq(notices.recipientId, recipientId), isNull(notices.readAt)));
  return row?.unread ?? 0;
}

/**
 * What changes whenever a person's notices do (a new one, a fold, a read): the live stream
 * compares it between polls. Returns the unread count and a token of the latest change.
 */
export async function noticeState(db: Executor, recipientId: string): Promise<{ unread: number; token: string }> {
  const [row] = await db
    .select({
      unread: sql<number>`count(*) filter (where ${notices.readAt} is null)`.mapWith(Number),
      lastAt: max(notices.lastAt),
      lastRead: max(notices.readAt),
      total: sql<number>`coalesce(sum(${notices.count}), 0)`.mapWith(Number),
    })
    .from(notices)
    .where(eq(notices.recipientId, recipientId));
  const unread = row?.unread ?? 0;
  return { unread, token: `${unread}|${row?.total ?? 0}|${row?.lastAt?.getTime() ?? 0}|${row?.lastRead?.getTime() ?? 0}` };
}

/**
 * Marks this person's notices read: the listed ones (ids of someone else's are ignored, as
 * for none), or all. Returns how many remain unread.
 */
export async function markNoticesRead(db: Executor, recipientId: string, which: { ids: string[] } | { all: true }, now: Date = new Date()): Promise<number> {
  const mine = and(eq(notices.recipientId, recipientId), isNull(notices.readAt));
  await db
    .update(notices)
    .set({ readAt: now })
    .where("all" in which ? mine : and(mine, inArray(notices.id, which.ids.map(Number))));
  return unreadCount(db, recipientId);
}

/**
 * Who holds each grant: its clinician, or every current member of its care team. A grant not
 * found (none, or deleted) has no entry.
 */
export async function granteesOf(db: Executor, grantIds: readonly string[]): Promise<Grantees> {
  if (grantIds.length === 0) return new Map();
  const rows = await db
    .select({ grantId: grants.id, clinicianId: grants.clinicianId, memberId: careTeamMembers.userId })
    .from(grants)
    .leftJoin(careTeamMembers, eq(careTeamMembers.teamId, grants.teamId))
    .where(inArray(grants.id, [...grantIds]));
  const grantees = new Map<string, string[]>();
  for (const row of rows) {
    const holder = row.clinicianId ?? row.memberId;
    if (holder === null) continue;
    const held = grantees.get(row.grantId) ?? [];
    if (!held.includes(holder)) held.push(holder);
    grantees.set(row.grantId, held);
  }
  return grantees;
}
