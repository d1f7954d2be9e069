import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { auditEventHash, auditGenesisHash, type AuditEventFields } from "@/crypto";
import { auditEvents, auditHeads } from "@/drizzle/schema";
import type { AuditAction } from "@/contract/me";
import type { Executor, Transaction } from "@/lib/db";
import { logger } from "@/lib/log";

export type { AuditAction };

/** One event: who did what to whose records. Ids and codes only: never content, names or keys. */
export interface AuditInput {
  /** Whose trail it joins: the patient whose records were touched, or the person who signed in. */
  subjectId: string;
  actorId: string | null;
  action: AuditAction;
  recordId?: string | null;
  /** The records an event about many records covers (records-received); stored sorted. */
  recordIds?: readonly string[] | null;
  grantId?: string | null;
  outcome: "success" | "failure" | "denied";
  /** A counted event (lib/audit/audit-counts.ts): how many attempts, and when the first and last were made. */
  counted?: { count: number; windowStart: Date; windowEnd: Date } | null;
}

/**
 * Appends events to their subjects' hash chains. Each subject's head row is locked for the
 * transaction, so concurrent appends are serialized and the chain never forks; the events
 * are written in the order given.
 */
export async function appendAudit(db: Executor, events: AuditInput[], now: Date = new Date()): Promise<void> {
  if (events.length === 0) return;
  const occurredAt = new Date(Math.floor(now.getTime()));
  await db.transaction(async (tx) => {
    const heads = await lockAuditHeads(
      tx,
      events.map((event) => event.subjectId),
    );
    const state = new Map(heads.map((head) => [head.subjectId, { seq: head.seq, hash: head.hash }]));
    const rows = events.map((event) => {
      const head = state.get(event.subjectId)!;
      const fields = {
        subjectId: event.subjectId,
        seq: head.seq + 1,
        actorId: event.actorId,
        action: event.action,
        recordId: event.recordId ?? null,
        grantId: event.grantId ?? null,
        outcome: event.outcome,
        occurredAt: occurredAt.getTime(),
        recordIds: event.recordIds ? [...event.recordIds].map((id) => id.toLowerCase()).sort() : null,
        count: event.counted?.count ?? null,
        windowStart: event.counted ? event.counted.windowStart.getTime() : null,
        windowEnd: event.counted ? event.counted.windowEnd.getTime() : null,
      };
      const hash = auditEventHash(head.hash, fields);
      state.set(event.subjectId, { seq: fields.seq, hash });
      return {
        ...fields,
        occurredAt,
        windowStart: event.counted?.windowStart ?? null,
        windowEnd: event.counted?.windowEnd ?? null,
        prevHash: head.hash,
        hash,
      };
    });
    for (let start = 0; start < rows.length; start += 1000) {
      await tx.insert(auditEvents).values(rows.slice(start, start + 1000));
    }
    for (const [subjectId, head] of state) await tx.update(auditHeads).set(head).where(eq(auditHeads.subjectId, subjectId));
  });
}

/**
 * Locks the head rows of these subjects' chains (creating them at the genesis hash if need
 * be), in id order so two transactions never wait on each other crosswise. Whoever holds
 * a subject's head row is the only one appending to its chain or changing its pending
 * counts until the transaction ends.
 */
export async function lockAuditHeads(tx: Transaction, subjectIds: readonly string[]) {
  const subjects = [...new Set(subjectIds)].sort();
  await tx
    .insert(auditHeads)
    .values(subjects.map((subjectId) => ({ subjectId, seq: 0, hash: auditGenesisHash })))
    .onConflictDoNothing();
  return tx.select().from(auditHeads).where(inArray(auditHeads.subjectId, subjects)).orderBy(asc(auditHeads.subjectId)).for("update");
}

/** A stored row as the fields its hash covers (times in ms), for checking a chain read straight from the table. */
export function storedEventFields(row: typeof auditEvents.$inferSelect): AuditEventFields & { hash: Uint8Array } {
  return {
    subjectId: row.subjectId,
    seq: row.seq,
    actorId: row.actorId,
    action: row.action,
    recordId: row.recordId,
    grantId: row.grantId,
    outcome: row.outcome,
    occurredAt: row.occurredAt.getTime(),
    recordIds: row.recordIds,
    count: row.count,
    windowStart: row.windowStart?.getTime() ?? null,
    windowEnd: row.windowEnd?.getTime() ?? null,
    hash: row.hash,
  };
}

/**
 * Logs an audit event that could not be written, where the action it records goes on without
 * it (a refusal that must still be answered the same, a failed sign-in counted off the
 * request's path). Logs the event's kind, its actor's id and the error's class and database
 * code only: never the error's message, which may quote row values. An append inside the
 * action's own transaction is not logged here: it fails the action instead.
 */
export function logAuditFailure(error: unknown, event: { action: AuditAction; actorId: string | null }): void {
  // drizzle wraps the driver's error; the database's SQLSTATE is on the cause.
  const code = (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  logger().error(
    {
      auditAction: event.action,
      actorId: event.actorId,
      errorClass: error instanceof Error ? error.constructor.name : typeof error,
      ...(typeof code === "string" ? { errorCode: code } : {}),
    },
    "audit event not written",
  );
}
