import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { auditInbox, auditPendingCounts } from "@/drizzle/schema";
import { config } from "@/lib/config";
import type { Database, Transaction } from "@/lib/db";
import { appendAudit, foldAuditInbox, lockAuditHeads, type AuditInput } from "./audit-log";

/**
 * Repeated attempts that must not flood a trail: refused requests, and sign-ins whose
 * signature did not verify against someone's passkey. Each (person, actor, action) is
 * counted in a pending row, and joins the person's chain as ONE counted event holding the
 * count and the first and last attempt's times.
 *
 * Why a pending row and not an event updated in place: an appended event is covered by
 * its hash and by every later hash, and the owner's browser keeps the head it verified, so
 * an event that changed after it was written would read as tampering (and the database
 * refuses updates to audit_events anyway). The pending row is not part of any chain yet;
 * it is summarised into one appended, immutable event
 *   - when the next attempt arrives after its window (AUDIT_COUNT_WINDOW_MINUTES) closed,
 *   - when the person's trail is read (the owner sees every attempt made up to now).
 * So a flood adds at most one event per window, plus one per visit of the owner's own:
 * neither is in the attacker's hands. Counting and summarising happen under the person's
 * locked head row (lockAuditHeads), the lock every append takes, so a count is never lost
 * nor summarised twice, and a summary takes its place in the chain like any other event.
 */
export type CountedAction = Extract<AuditInput["action"], "access-refused" | "sign-in-failed">;

export interface RepeatedAttempt {
  subjectId: string;
  actorId: string | null;
  action: CountedAction;
  outcome: "failure" | "denied";
  recordId?: string | null;
  grantId?: string | null;
}

type PendingRow = typeof auditPendingCounts.$inferSelect;

const keyOf = (subjectId: string, actorKey: string, action: string) =>
  and(eq(auditPendingCounts.subjectId, subjectId), eq(auditPendingCounts.actorKey, actorKey), eq(auditPendingCounts.action, action));

function summaryOf(row: PendingRow): AuditInput {
  return {
    subjectId: row.subjectId,
    actorId: row.actorKey === "" ? null : row.actorKey,
    action: row.action as CountedAction,
    outcome: row.outcome,
    recordId: row.recordId,
    grantId: row.grantId,
    counted: { count: row.count, windowStart: row.windowStart, windowEnd: row.windowEnd },
  };
}

/**
 * Counts one attempt. Opens a window at the first attempt; an attempt after the window
 * closed first appends the closed window's summary, then opens a new one. The record and
 * grant ids are kept while every attempt in the window named the same ones.
 */
export async function countRepeatedAttempt(db: Database, attempt: RepeatedAttempt, now: Date = new Date()): Promise<void> {
  const actorKey = attempt.actorId ?? "";
  const recordId = attempt.recordId ?? null;
  const grantId = attempt.grantId ?? null;
  await db.transaction(async (tx) => {
    await lockAuditHeads(tx, [attempt.subjectId]);
    let [pending] = await tx
      .select()
      .from(auditPendingCounts)
      .where(keyOf(attempt.subjectId, actorKey, attempt.action));
    if (pending && now.getTime() - pending.windowStart.getTime() >= config().auditCountWindowMs) {
      await summarise(tx, [pending], now);
      pending = undefined;
    }
    if (!pending) {
      await tx.insert(auditPendingCounts).values({
        subjectId: attempt.subjectId,
        actorKey,
        action: attempt.action,
        outcome: attempt.outcome,
        recordId,
        grantId,
        count: 1,
        windowStart: now,
        windowEnd: now,
      });
      return;
    }
    const sameTargets = !pending.severalTargets && pending.recordId === recordId && pending.grantId === grantId;
    await tx
      .update(auditPendingCounts)
      .set({
        count: sql`${auditPendingCounts.count} + 1`,
        windowEnd: now > pending.windowEnd ? now : pending.windowEnd,
        ...(sameTargets ? {} : { severalTargets: true, recordId: null, grantId: null }),
      })
      .where(keyOf(attempt.subjectId, actorKey, attempt.action));
  });
}

/**
 * Brings a person's chain up to now before their trail is read: folds their inbox (events
 * appended without a lock, lib/audit/audit-log.ts) and appends every pending count as one
 * event each (oldest window first), clearing them. Costs one indexed look-up when nothing
 * waits, so reads do not take the head lock for nothing.
 */
export async function settleTrail(db: Database, subjectId: string, now: Date = new Date()): Promise<void> {
  const waiting = await Promise.all([
    db.select({ subjectId: auditPendingCounts.subjectId }).from(auditPendingCounts).where(eq(auditPendingCounts.subjectId, subjectId)).limit(1),
    db.select({ id: auditInbox.id }).from(auditInbox).where(eq(auditInbox.subjectId, subjectId)).limit(1),
  ]);
  if (waiting.every((rows) => rows.length === 0)) return;
  await db.transaction(async (tx) => {
    await foldAuditInbox(tx, [subjectId]);
    const rows = await tx
      .select()
      .from(auditPendingCounts)
      .where(eq(auditPendingCounts.subjectId, subjectId))
      .orderBy(asc(auditPendingCounts.windowStart), asc(auditPendingCounts.actorKey));
    await summarise(tx, rows, now);
  });
}

/** Under the subject's head lock: the rows join the chain and leave the pending table together. */
async function summarise(tx: Transaction, rows: PendingRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await appendAudit(tx, rows.map(summaryOf), now);
  for (const row of rows) await tx.delete(auditPendingCounts).where(keyOf(row.subjectId, row.actorKey, row.action));
}
