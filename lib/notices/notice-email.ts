import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { noticeEmails, noticePreferences } from "@/drizzle/schema";
import { noticeKinds, type NoticeKind } from "@/contract/notices";
import type { Database } from "@/lib/db";
import { resultRows } from "@/lib/db/client";

/** What sends one email: nodemailer's transport in production (`createTransport(SMTP_URL)`), the same interface in tests. */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}

export interface MailerOptions {
  from: string;
  /** The app's origin, for the sign-in link. */
  appOrigin: string;
  /** At most one email per kind and recipient per this many ms (NOTICE_EMAIL_INTERVAL_MINUTES). */
  intervalMs: number;
}

/** Rows one run claims at most: a run stays short, and the next one (or another instance) takes the rest. */
const claimBatch = 20;
/** How long a claim holds: a sender that died mid-send leaves its rows to others after this. */
const claimMs = 2 * 60_000;
/** Retry delay after a failed send: doubling per attempt from one minute, at most an hour. */
const retryDelayMs = (attempts: number) => Math.min(60 * 60_000, 60_000 * 2 ** Math.min(attempts, 6));

/** The subject and body of an email for `pending` notices of one kind: the kind's fixed words, a count and a link; no names, no health data. */
export function noticeEmail(kind: NoticeKind, pending: number, appOrigin: string): { subject: string; text: string } {
  const times = pending > 1 ? `\n\nThis happened ${pending} times since the last email.` : "";
  return {
    subject: "New activity on your Health Safe Cloud account",
    text:
      `${noticeKinds[kind].email}${times}\n\n${appOrigin}/notices\n\n` +
      "You get this email because you asked for it in your notice settings, where you can change or stop it.",
  };
}

/**
 * Sends the emails that are due: claims up to `claimBatch` outbox rows with pending notices
 * whose time has come (FOR UPDATE SKIP LOCKED, then a claim time, so another app server
 * running the same task at once takes other rows and a claim survives the short transaction),
 * sends one email per row through `transport`, outside any transaction, then settles it:
 * on success the notices told are taken off (those that arrived meanwhile stay, due after
 * the interval), on failure the row is retried later with a growing delay. A recipient who
 * removed their address or the kind is not emailed; their row is cleared. Returns how many
 * emails were sent and how many failed. Never logs an address.
 */
export async function sendDueNoticeEmails(
  db: Database,
  transport: MailTransport,
  options: MailerOptions,
  now: Date = new Date(),
): Promise<{ sent: number; failed: number }> {
  const claimed = resultRows<{ recipient_id: string; kind: string; pending: number; attempts: number }>(
    await db.execute(sql`
      update ${noticeEmails} set claimed_until = ${new Date(now.getTime() + claimMs).toISOString()}::timestamptz
      where (recipient_id, kind) in (
        select recipient_id, kind from ${noticeEmails}
        where pending > 0 and due_at <= ${now.toISOString()}::timestamptz
          and (claimed_until is null or claimed_until < ${now.toISOString()}::timestamptz)
        order by due_at
        limit ${claimBatch}
        for update skip locked)
      returning recipient_id, kind, pending, attempts`),
  );
  if (claimed.length === 0) return { sent: 0, failed: 0 };
  const addresses = await db
    .select()
    .from(noticePreferences)
    .where(
      inArray(
        noticePreferences.userId,
        claimed.map((row) => row.recipient_id),
      ),
    );
  let sent = 0;
  let failed = 0;
  for (const row of claimed) {
    const key = and(eq(noticeEmails.recipientId, row.recipient_id), eq(noticeEmails.kind, row.kind));
    const wanted = addresses.find((entry) => entry.userId === row.recipient_id);
    const kind = row.kind as NoticeKind;
    if (!wanted?.email || !wanted.emailKinds.includes(kind) || !(kind in noticeKinds)) {
      await db.update(noticeEmails).set({ pending: 0, dueAt: null, claimedUntil: null, attempts: 0 }).where(key);
      continue;
    }
    try {
      await transport.sendMail({ from: options.from, to: wanted.email, ...noticeEmail(kind, row.pending, options.appOrigin) });
    } catch {
      failed += 1;
      await db
        .update(noticeEmails)
        .set({ attempts: row.attempts + 1, claimedUntil: null, dueAt: new Date(now.getTime() + retryDelayMs(row.attempts)) })
        .where(key);
      continue;
    }
    sent += 1;
    const nextDue = new Date(now.getTime() + options.intervalMs);
    await db
      .update(noticeEmails)
      .set({
        pending: sql`${noticeEmails.pending} - ${row.pending}`,
        lastSentAt: now,
        attempts: 0,
        claimedUntil: null,
        dueAt: sql`case when ${noticeEmails.pending} > ${row.pending} then ${nextDue.toISOString()}::timestamptz else null end`,
      })
      .where(key);
  }
  return { sent, failed };
}
