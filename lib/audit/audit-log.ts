import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { auditEventHash, auditGenesisHash } from "@/crypto";
import { auditEvents, auditHeads } from "@/drizzle/schema";
import type { Database } from "@/lib/db";

export const auditActions = [
  "sign-in",
  "sign-in-failed",
  "passkey-added",
  "passkey-renamed",
  "passkey-removed",
  "account-recovered",
  "recovery-key-changed",
  "record-created",
  "record-updated",
  "record-deleted",
  "record-key-rotated",
  "chart-fetched",
  "record-versions-fetched",
  // Written until clinicians' list loads were recorded as what they are (records-received):
  // one per record in the list, whether opened or not. Kept so older trails still read.
  "record-fetched",
  /** A clinician's list of the records one grant shares: one event naming every record sent. */
  "records-received",
  "file-fetched",
  "share-key-fetched",
  "records-exported",
  "grant-created",
  "grant-revoked",
  "grant-record-revoked",
  "grant-changed",
  "grant-permission-changed",
  "grant-end-date-changed",
  "grant-record-added",
  "grant-expired",
  "access-refused",
] as const;

export type AuditAction = (typeof auditActions)[number];

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
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Called inside an action's own transaction, the events commit or roll back with it. */
export type Executor = Database | Transaction;

/**
 * Appends events to their subjects' hash chains. Each subject's head row is locked for the
 * transaction, so concurrent appends are serialized and the chain never forks; the events
 * are written in the order given.
 */
export async function appendAudit(db: Executor, events: AuditInput[], now: Date = new Date()): Promise<void> {
  if (events.length === 0) return;
  const occurredAt = new Date(Math.floor(now.getTime()));
  await db.transaction(async (tx) => {
    const subjects = [...new Set(events.map((event) => event.subjectId))].sort();
    await tx
      .insert(auditHeads)
      .values(subjects.map((subjectId) => ({ subjectId, seq: 0, hash: auditGenesisHash })))
      .onConflictDoNothing();
    const heads = await tx.select().from(auditHeads).where(inArray(auditHeads.subjectId, subjects)).orderBy(asc(auditHeads.subjectId)).for("update");
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
      };
      const hash = auditEventHash(head.hash, fields);
      state.set(event.subjectId, { seq: fields.seq, hash });
      return { ...fields, patientId: event.subjectId, occurredAt, prevHash: head.hash, hash };
    });
    for (let start = 0; start < rows.length; start += 1000) {
      await tx.insert(auditEvents).values(
        rows.slice(start, start + 1000).map(({ subjectId: _subject, ...row }) => row),
      );
    }
    for (const [subjectId, head] of state) await tx.update(auditHeads).set(head).where(eq(auditHeads.subjectId, subjectId));
  });
}

/** For events about a failure, written after the failing action rolled back: never lets an audit problem hide the original error. */
export async function appendAuditQuietly(db: Database, events: AuditInput[], onError: (error: unknown) => void): Promise<void> {
  try {
    await appendAudit(db, events);
  } catch (error) {
    onError(error);
  }
}
