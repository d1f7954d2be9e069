import { cryptoReady, verifyAuditChain } from "@/crypto";
import type { DatabaseView } from "./crash-server";

type Row = Record<string, unknown>;

/**
 * What must hold in storage whatever was interrupted, each as a query for the rows that
 * break it. "Orphaned" means: something stored that nothing can reach or that reaches
 * nothing — a file no record version holds (an upload or a rotation abandoned midway),
 * a record whose current version or current key the owner cannot open, a key wrap under
 * a grant that no longer holds keys, an active grant missing the wrap of a record it
 * covers, a wrap of a key a record no longer uses.
 */
const broken: Array<{ what: string; sql: string }> = [
  {
    what: "a file no record version holds",
    sql: `select b.id from blobs b where not exists (select 1 from record_versions v where v.blob_id = b.id)`,
  },
  {
    what: "a record version holding an unfinished upload",
    sql: `select v.record_id, v.version from record_versions v join blobs b on b.id = v.blob_id where b.status <> 'complete'`,
  },
  {
    what: "a record without its current version at its current key",
    sql: `select r.id from records r where not exists (
            select 1 from record_versions v where v.record_id = r.id and v.version = r.current_version and v.key_version = r.key_version)`,
  },
  {
    what: "a record whose current key the owner cannot open",
    sql: `select r.id from records r where not exists (
            select 1 from record_key_wraps w where w.record_id = r.id and w.key_version = r.key_version and w.grant_id is null)`,
  },
  {
    what: "a revoked grant still holding its share key",
    sql: `select g.id from grants g where g.revoked_at is not null and (g.sealed_share_key is not null or g.sealed_profile is not null)`,
  },
  {
    what: "a key wrap under a revoked grant",
    sql: `select w.id from record_key_wraps w join grants g on g.id = w.grant_id where g.revoked_at is not null or g.sealed_share_key is null`,
  },
  {
    what: "a grant's wrap of a key its record no longer uses",
    sql: `select w.id from record_key_wraps w join records r on r.id = w.record_id where w.grant_id is not null and w.key_version <> r.key_version`,
  },
  {
    what: "an active grant missing the wrap of a record it lists",
    sql: `select g.id, gr.record_id from grants g join grant_records gr on gr.grant_id = g.id join records r on r.id = gr.record_id
          where g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
            and not exists (select 1 from record_key_wraps w where w.grant_id = g.id and w.record_id = r.id and w.key_version = r.key_version)`,
  },
  {
    what: "an active 'all records' grant missing the wrap of a record",
    sql: `select g.id, r.id as record_id from grants g join records r on r.owner_id = g.patient_id
          where g.scope = 'all' and g.revoked_at is null and (g.expires_at is null or g.expires_at > now())
            and not exists (select 1 from grant_exclusions x where x.grant_id = g.id and x.record_id = r.id)
            and not exists (select 1 from record_key_wraps w where w.grant_id = g.id and w.record_id = r.id and w.key_version = r.key_version)`,
  },
];

/**
 * Everything in storage that breaks an invariant, as readable lines (empty when all holds).
 * `unheldFiles` lists files a test knows to be in flight (uploaded, not yet saved) at the moment of looking.
 */
export async function storageViolations(db: DatabaseView, { unheldFiles = [] }: { unheldFiles?: string[] } = {}): Promise<string[]> {
  const found: string[] = [];
  for (const check of broken) {
    const rows = await db.query<Row>(check.sql);
    const kept = check.what === "a file no record version holds" ? rows.filter((row) => !unheldFiles.includes(String(row.id))) : rows;
    found.push(...kept.map((row) => `${check.what}: ${JSON.stringify(row)}`));
  }
  return [...found, ...(await brokenAuditChains(db))];
}

/** Every person's audit trail must verify from its first event and end at its stored head. */
async function brokenAuditChains(db: DatabaseView): Promise<string[]> {
  await cryptoReady();
  const events = await db.query<{
    subject_id: string;
    seq: number;
    actor_id: string | null;
    action: string;
    record_id: string | null;
    grant_id: string | null;
    outcome: string;
    occurred_at: Date;
    hash: Uint8Array;
    record_ids: string[] | null;
    count: number | null;
    window_start: Date | null;
    window_end: Date | null;
    recipient: string | null;
  }>(
    `select subject_id, seq, actor_id, action, record_id, grant_id, outcome, occurred_at, hash, record_ids, count, window_start, window_end, recipient from audit_events order by subject_id, seq`,
  );
  const heads = await db.query<{ subject_id: string; seq: number; hash: Uint8Array }>(`select subject_id, seq, hash from audit_heads`);
  const problems: string[] = [];
  for (const head of heads) {
    const trail = events
      .filter((event) => event.subject_id === head.subject_id)
      .map((event) => ({
        subjectId: event.subject_id,
        seq: event.seq,
        actorId: event.actor_id,
        action: event.action,
        recordId: event.record_id,
        grantId: event.grant_id,
        outcome: event.outcome,
        occurredAt: new Date(event.occurred_at).getTime(),
        // An event about many records (a clinician's list) chains their ids too.
        recordIds: event.record_ids,
        // A counted event (repeated refusals or failed sign-ins) chains its count and window.
        count: event.count,
        windowStart: event.window_start === null ? null : new Date(event.window_start).getTime(),
        windowEnd: event.window_end === null ? null : new Date(event.window_end).getTime(),
        // A link's opener's declared name is chained too.
        recipient: event.recipient,
        hash: new Uint8Array(event.hash),
      }));
    const check = verifyAuditChain(trail, { seq: head.seq, hash: new Uint8Array(head.hash) });
    if (!check.ok || check.head.seq !== head.seq) problems.push(`the audit trail of ${head.subject_id} does not verify: ${JSON.stringify(check)}`);
  }
  return problems;
}
