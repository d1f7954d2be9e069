import "server-only";
import { asc, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import { auditEventHash, auditGenesisHash, cryptoReady, type AuditEventFields } from "@/crypto";
import { auditEvents, auditHeads, auditInbox } from "@/drizzle/schema";
import type { AuditAction } from "@/contract/me";
import type { Database, Executor, Transaction } from "@/lib/db";
import { isTransaction } from "@/lib/db/client";
import { preparedQuery } from "@/lib/db/prepared-queries";
import { logger } from "@/lib/log";
import { granteeGrantIds, noticesOf } from "@/lib/notices/notice-kinds";
import { emailQueuing } from "@/lib/notices/email-queuing";
import { granteesOf, recordNotices } from "@/lib/notices/notice-store";

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
  /** The name a link's opener declared (STU1 `recipient`), chained with the event; never with `counted`. */
  recipient?: string | null;
}

/** How many inbox rows one statement moves into the chain: bounds a fold's memory and statement size. */
const foldBatch = 2000;
/** How many inbox rows one transaction of the periodic fold chains at most (see foldAuditInboxes). */
const foldChunk = 250;
/** How many such transactions one run gives one person at most. */
const foldRoundsPerSubject = 40;

/**
 * Appends events to their subjects' trails, in the order given, at `now` (ms precision).
 * - Inside an action's own transaction (`db` is a Transaction): the subjects' head rows are
 *   locked (lockAuditHeads), their inboxes folded into the chains first, and the events
 *   chained at once; they commit or roll back with the action, and a failure fails it.
 * - Otherwise (a read, a sign-in, an export report): the events go to `audit_inbox` in ONE
 *   insert, with no lock, so concurrent readers of one person never wait on each other.
 *   They join the chain in arrival order at the next fold (foldAuditInbox: any locked
 *   append, a trail read, the periodic folder), before anyone can read the trail.
 * Either way each subject has one chain that never forks: only a head-lock holder chains.
 * Events that raise a notice (contract/notices.ts: a clinician's read, a link opened, a note
 * added, a new passkey) record it first, in the same transaction where there is one
 * (lib/notices/notice-store.ts), so a notice is never about an event the trail lacks.
 * @throws the database's error (nothing is written then).
 */
export async function appendAudit(db: Executor, events: AuditInput[], now: Date = new Date()): Promise<void> {
  if (events.length === 0) return;
  const occurredAt = new Date(Math.floor(now.getTime()));
  const rows = events.map((event) => inboxRowOf(event, occurredAt));
  // A clinician's notices (a share started or ended) go to the grant's holders, looked up here.
  const raised = noticesOf(events, await granteesOf(db, granteeGrantIds(events)));
  if (raised.length > 0) await recordNotices(db, raised, occurredAt, emailQueuing());
  if (isTransaction(db)) {
    await chainLocked(db, rows);
    return;
  }
  if (rows.length === 1) {
    await insertOneInboxRow(db).execute(driverValues(rows[0]!));
    return;
  }
  if (rows.length <= foldBatch) {
    await db.insert(auditInbox).values(rows);
    return;
  }
  // Rarely this many at once (a list of thousands of grants): in batches, all or none.
  await db.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += foldBatch) await tx.insert(auditInbox).values(rows.slice(start, start + foldBatch));
  });
}

/**
 * Moves these subjects' inbox rows into their chains, under their locked head rows, in the
 * caller's transaction if `db` is one (else in its own). Returns how many events were chained.
 */
export async function foldAuditInbox(db: Executor, subjectIds: readonly string[]): Promise<number> {
  if (subjectIds.length === 0) return 0;
  if (isTransaction(db)) return chainLocked(db, [], subjectIds);
  return db.transaction((tx) => chainLocked(tx, [], subjectIds));
}

/**
 * The periodic fold (every instance may run it at once): for up to `maxSubjects` people with
 * inbox rows, transactions that each take the person's head row with SKIP LOCKED (a person
 * whose head someone holds is left to them, or to the next run) and chain at most
 * `eventsPerTransaction` of the inbox's oldest events, until it is empty. Short transactions,
 * because the embedded database runs one statement at a time and holds every other off while
 * a transaction is open: one fold of the 1,200 events two seconds of chart reads leave held
 * every read behind it (and, on PostgreSQL, the person's locked appends) for its whole length.
 * Returns how many events were chained.
 */
export async function foldAuditInboxes(db: Database, maxSubjects = 100, eventsPerTransaction = foldChunk): Promise<number> {
  await cryptoReady();
  const waiting = await db.selectDistinct({ subjectId: auditInbox.subjectId }).from(auditInbox).limit(maxSubjects);
  let chained = 0;
  for (const { subjectId } of waiting) {
    // Bounded, so that a trail growing as fast as it is folded leaves the run (the next run goes on).
    for (let round = 0; round < foldRoundsPerSubject; round++) {
      const moved = await foldSome(db, subjectId, eventsPerTransaction);
      chained += moved;
      if (moved < eventsPerTransaction) break;
    }
  }
  return chained;
}

/** One transaction of `foldAuditInboxes`: up to `most` of the person's oldest inbox events chained, or none when someone holds the head. */
function foldSome(db: Database, subjectId: string, most: number): Promise<number> {
  return db.transaction(async (tx) => {
    const takeHead = () => tx.select().from(auditHeads).where(eq(auditHeads.subjectId, subjectId)).for("update", { skipLocked: true });
    let [head] = await takeHead();
    if (!head) {
      // Held by someone (skipped), or no chain yet: only then is a head row created, which waits
      // only if another transaction is creating the same one.
      const [exists] = await tx.select({ subjectId: auditHeads.subjectId }).from(auditHeads).where(eq(auditHeads.subjectId, subjectId));
      if (exists) return 0;
      await tx.insert(auditHeads).values({ subjectId, seq: 0, hash: auditGenesisHash }).onConflictDoNothing();
      [head] = await takeHead();
      if (!head) return 0;
    }
    return chainRows(tx, [head], [], most);
  });
}

type InboxRow = Omit<typeof auditInbox.$inferSelect, "id">;

/** Every column but the serial id: what an event brings. */
const inboxColumns = Object.keys(getTableColumns(auditInbox)).filter((column) => column !== "id") as (keyof InboxRow)[];

/**
 * Nearly every audited request appends one event, so that insert is built once (lib/db/prepared-queries.ts),
 * with a placeholder per column named after the InboxRow key. The placeholders are bare
 * (`sql`, not a column's value): drizzle would pass a column's value through the column's
 * encoder, which fails on null for timestamps and arrays. So values go as the drivers take
 * them under drizzle: null, strings, string arrays, and times as ISO strings (`driverValues`).
 */
const insertOneInboxRow = preparedQuery((db) =>
  db
    .insert(auditInbox)
    .values(Object.fromEntries(inboxColumns.map((column) => [column, sql`${sql.placeholder(column)}`])) as Record<keyof InboxRow, SQL>)
    .prepare("insert_one_audit_inbox_row"),
);
/** The row's values for the bare placeholders of `insertOneInboxRow`: times as ISO strings, the rest as they are. */
const driverValues = (row: InboxRow) =>
  Object.fromEntries(Object.entries(row).map(([column, value]) => [column, value instanceof Date ? value.toISOString() : value]));

function inboxRowOf(event: AuditInput, occurredAt: Date): InboxRow {
  return {
    subjectId: event.subjectId,
    actorId: event.actorId,
    action: event.action,
    recordId: event.recordId ?? null,
    grantId: event.grantId ?? null,
    outcome: event.outcome,
    occurredAt,
    recordIds: event.recordIds ? [...event.recordIds].map((id) => id.toLowerCase()).sort() : null,
    count: event.counted?.count ?? null,
    windowStart: event.counted?.windowStart ?? null,
    windowEnd: event.counted?.windowEnd ?? null,
    recipient: event.recipient ?? null,
  };
}

/** Locks the heads of the events' subjects (and of `alsoFold`), then folds their inboxes and chains the events after them. */
async function chainLocked(tx: Transaction, rows: InboxRow[], alsoFold: readonly string[] = []): Promise<number> {
  // Hashing needs libsodium: a fold may be the first thing this module instance does (the periodic folder).
  await cryptoReady();
  const heads = await lockAuditHeads(tx, [...rows.map((row) => row.subjectId), ...alsoFold]);
  return chainRows(tx, heads, rows);
}

/**
 * Under the locked `heads`: takes their subjects' inbox rows (oldest first, deleted in this
 * transaction, so a rollback puts them back), at most `most` of them, then chains them and
 * `rows` after them. Events to append (`rows`) must follow the whole inbox: `most` is for a
 * fold alone, which leaves the rest in the inbox, in order, for its next transaction.
 */
async function chainRows(tx: Transaction, heads: (typeof auditHeads.$inferSelect)[], rows: InboxRow[], most = Number.POSITIVE_INFINITY): Promise<number> {
  if (rows.length > 0 && most !== Number.POSITIVE_INFINITY) throw new Error("events appended after part of an inbox would be chained before the rest of it");
  const subjects = heads.map((head) => head.subjectId);
  const taken: InboxRow[] = [];
  for (;;) {
    const take = Math.min(foldBatch, most - taken.length);
    const batch = await tx
      .delete(auditInbox)
      .where(
        inArray(
          auditInbox.id,
          tx.select({ id: auditInbox.id }).from(auditInbox).where(inArray(auditInbox.subjectId, subjects)).orderBy(asc(auditInbox.id)).limit(take),
        ),
      )
      .returning();
    batch.sort((a, b) => a.id - b.id);
    taken.push(...batch.map(({ id: _id, ...row }) => row));
    if (batch.length < take || taken.length >= most) break;
  }
  const all = [...taken, ...rows];
  if (all.length === 0) return 0;
  const state = new Map(heads.map((head) => [head.subjectId, { seq: head.seq, hash: head.hash }]));
  const chained = all.map((row) => {
    const head = state.get(row.subjectId)!;
    const fields: AuditEventFields = {
      subjectId: row.subjectId,
      seq: head.seq + 1,
      actorId: row.actorId ?? null,
      action: row.action,
      recordId: row.recordId ?? null,
      grantId: row.grantId ?? null,
      outcome: row.outcome,
      occurredAt: row.occurredAt.getTime(),
      recordIds: row.recordIds ?? null,
      count: row.count ?? null,
      windowStart: row.windowStart?.getTime() ?? null,
      windowEnd: row.windowEnd?.getTime() ?? null,
      recipient: row.recipient ?? null,
    };
    const hash = auditEventHash(head.hash, fields);
    state.set(row.subjectId, { seq: fields.seq, hash });
    return { ...row, seq: fields.seq, prevHash: head.hash, hash };
  });
  for (let start = 0; start < chained.length; start += foldBatch) await insertEvents(tx, chained.slice(start, start + foldBatch));
  const moved = new Set(all.map((row) => row.subjectId));
  for (const [subjectId, head] of state) if (moved.has(subjectId)) await tx.update(auditHeads).set(head).where(eq(auditHeads.subjectId, subjectId));
  return chained.length;
}

type ChainedRow = InboxRow & { seq: number; prevHash: Uint8Array; hash: Uint8Array };

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
const isoOf = (date: Date | null) => date?.toISOString() ?? null;

/**
 * Inserts chained events in order, in ONE statement over array parameters whatever their
 * number: drizzle building a multi-row insert (a placeholder and an encoder call per value)
 * cost more CPU than the rest of a fold, hashing included, and every read's event is folded.
 * Text arrays throughout (bytes as hex, times as ISO, each row's record ids as an array
 * literal of uuids), cast in SQL: both drivers pass text arrays alike.
 */
async function insertEvents(tx: Transaction, rows: ChainedRow[]): Promise<void> {
  const column = <T>(value: (row: ChainedRow) => T) => sql.param(rows.map(value));
  await tx.execute(sql`
    insert into ${auditEvents} (subject_id, seq, actor_id, action, record_id, grant_id, record_ids, outcome, occurred_at, count, window_start, window_end, recipient, prev_hash, hash)
    select e.subject_id, e.seq, e.actor_id, e.action, e.record_id, e.grant_id, e.record_ids::uuid[], e.outcome::audit_outcome, e.occurred_at::timestamptz,
      e.count, e.window_start::timestamptz, e.window_end::timestamptz, e.recipient, decode(e.prev_hash, 'hex'), decode(e.hash, 'hex')
    from unnest(
      ${column((row) => row.subjectId)}::uuid[],
      ${column((row) => row.seq)}::int[],
      ${column((row) => row.actorId)}::uuid[],
      ${column((row) => row.action)}::text[],
      ${column((row) => row.recordId)}::uuid[],
      ${column((row) => row.grantId)}::uuid[],
      ${column((row) => (row.recordIds ? `{${row.recordIds.join(",")}}` : null))}::text[],
      ${column((row) => row.outcome)}::text[],
      ${column((row) => isoOf(row.occurredAt))}::text[],
      ${column((row) => row.count)}::int[],
      ${column((row) => isoOf(row.windowStart))}::text[],
      ${column((row) => isoOf(row.windowEnd))}::text[],
      ${column((row) => row.recipient)}::text[],
      ${column((row) => hexOf(row.prevHash))}::text[],
      ${column((row) => hexOf(row.hash))}::text[]
    ) with ordinality as e(subject_id, seq, actor_id, action, record_id, grant_id, record_ids, outcome, occurred_at, count, window_start, window_end, recipient, prev_hash, hash, position)
    order by e.position`);
}

/**
 * Locks the head rows of these subjects' chains (creating them at the genesis hash if need
 * be), in id order so two transactions never wait on each other crosswise. Whoever holds
 * a subject's head row is the only one appending to its chain, folding its inbox or
 * changing its pending counts until the transaction ends.
 */
export async function lockAuditHeads(tx: Transaction, subjectIds: readonly string[]) {
  const subjects = [...new Set(subjectIds)].sort();
  const lockHeads = () => tx.select().from(auditHeads).where(inArray(auditHeads.subjectId, subjects)).orderBy(asc(auditHeads.subjectId)).for("update");
  if (subjects.length === 1) {
    // Nearly every append is one person's, whose head exists after their first event: one statement then.
    // Holding no other head while it waits, it cannot take part in a crosswise wait; a first event creates the
    // head below, as for many subjects.
    const heads = await lockHeads();
    if (heads.length === 1) return heads;
  }
  await tx
    .insert(auditHeads)
    .values(subjects.map((subjectId) => ({ subjectId, seq: 0, hash: auditGenesisHash })))
    .onConflictDoNothing();
  return lockHeads();
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
    recipient: row.recipient,
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
