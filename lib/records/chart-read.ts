import "server-only";
import type { ChartPage } from "@/contract/records";
import { queryRows, type Database } from "@/lib/db/client";
import { limitText } from "@/lib/db/literal-limit";
import { JsonText } from "@/lib/http/json-text";
import { liveSessionSql, sessionTouchIntervalMs, type SessionPolicy } from "@/lib/sessions/session-store";
import { chartPageCache, ChartPageCache } from "./chart-page-cache";
import { chartCursorSchema, chartKeyValues, type ChartKey } from "./chart-pages";
import { decodeCursor, encodeCursor, pageBytes, rowsToRead, type PageRequest } from "./pages";

/**
 * bytea as unpadded base64url (what crypto/'s toBase64url writes), in SQL: PostgreSQL's base64
 * wraps lines at 76 characters and pads. replace() rather than translate(), which goes character
 * by character and cost PGlite about 2 ms a page.
 */
const base64url = (column: string) => `rtrim(replace(replace(replace(encode(${column}, 'base64'), chr(10), ''), '+', '-'), '/', '_'), '=')`;
/** A time as `Date.toISOString()` writes it: UTC, milliseconds (truncated, as a JavaScript Date keeps them). */
const isoTime = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The statement text: $1 token hash, $2 now, $3 idle since, $4 touch before, $5 the
 * fingerprint of the page this process last built for this session, cursor and size ('' when
 * none); with a cursor $6 (millis), $7 (micros), $8 (record id). The rows to read (`rows`), the
 * most to serve (`most`) and the byte budget are written into the text, not sent as
 * parameters: with LIMIT a parameter, PostgreSQL's generic plan assumes an unknown limit reads
 * a tenth of the chart and looks costlier than a custom plan, so the statement was planned
 * afresh on every execution, about a third of the database's CPU per read (perf on PostgreSQL
 * 15; PGlite alike). With the numbers in the text it is planned once per connection
 * (chart-read.db.test.ts).
 *
 * The page's fingerprint is a SHA-256 over the owner, and per record in page order its id and
 * the transaction ids (`xmin`) of its row, its owner wrap and every version row: any insert,
 * update or delete of a row the page's JSON is built from, by whatever code path, changes it.
 * (`xmin` survives VACUUM FREEZE: PostgreSQL keeps the raw id since 9.4.) It also names the
 * server's start time: a restore, a point-in-time recovery or a promoted standby can hand out
 * again transaction ids whose commits were lost, and each of those starts the server afresh.
 * When it equals $5 the JSON, most of the statement's work, is not built (`records` is null)
 * and the caller serves the text it holds; the session check, the touch and the audit event
 * are the same either way.
 * @throws RangeError when `rows` or `most` is not a positive integer (`limitText`; they come
 *   from `rowsToRead`, never from the request as it is).
 */
function statementText(withCursor: boolean, rows: number, most: number): string {
  const after = withCursor
    ? `and r.created_at >= to_timestamp($6::double precision / 1000) - interval '1 millisecond'
       and (((extract(epoch from r.created_at) * 1000000)::bigint), r.id) > ($7::bigint, $8::uuid)`
    : "";
  return `
with live as (${liveSessionSql("$1", "$2", "$3", "patient")}),
touched as (
  update sessions set last_seen_at = $2::timestamptz
  where id = (select id from live) and last_seen_at < $4::timestamptz
  returning id
),
page_keys as (
  select r.id, r.created_at, r.updated_at, r.current_version, r.key_version, r.xmin::text as row_xmin
  from records r
  where r.owner_id = (select user_id from live) ${after}
  order by r.created_at, r.id
  limit ${limitText(rows)}
),
sized as (
  select k.*, v.padded_size,
    row_number() over (order by k.created_at, k.id) as position,
    sum(v.padded_size) over (order by k.created_at, k.id) as running_bytes,
    count(*) over () as rows_read
  from page_keys k
  join record_versions v on v.record_id = k.id and v.version = k.current_version
),
page as (
  select * from sized where position <= ${limitText(most)} and (position = 1 or running_bytes <= ${limitText(pageBytes)})
),
audited as (
  insert into audit_inbox (subject_id, actor_id, action, record_ids, outcome, occurred_at)
  select user_id, user_id, 'chart-fetched', (select coalesce(array_agg(id order by id), '{}') from page), 'success', $2::timestamptz
  from live
  returning id
),
fingerprint as (
  select encode(sha256(convert_to(
    coalesce(pg_postmaster_start_time()::text, '') || '|' || (select user_id::text from live) || '|' || coalesce(string_agg(
      p.id::text || ':' || p.row_xmin || ':' || w.xmin::text || ':' || (
        select string_agg(s.version::text || '.' || s.xmin::text, ',' order by s.version)
        from record_versions s where s.record_id = p.id),
      ';' order by p.position), ''),
    'UTF8')), 'hex') as digest
  from page p
  join record_key_wraps w on w.record_id = p.id and w.key_version = p.key_version and w.grant_id is null
)
select
  (select digest from fingerprint) as fingerprint,
  coalesce((select c.records from record_counts c where c.owner_id = live.user_id), 0)::int as total,
  (select count(*) from audited)::int as audited,
  (select coalesce(max(rows_read), 0) from sized)::int as rows_read,
  (select count(*) from page)::int as served,
  (select ((extract(epoch from created_at) * 1000000)::bigint)::text from page order by position desc limit 1) as last_micros,
  (select id::text from page order by position desc limit 1) as last_id,
  case when (select digest from fingerprint) = $5::text then null else (select coalesce(json_agg(json_build_object(
      'id', p.id,
      'currentVersion', p.current_version,
      'keyVersion', p.key_version,
      'createdAt', ${isoTime("p.created_at")},
      'updatedAt', ${isoTime("p.updated_at")},
      'ownerWrap', ${base64url("w.wrapped_key")},
      'current', json_build_object(
        'version', v.version,
        'authorId', v.author_id,
        'commitment', ${base64url("v.commitment")},
        'signature', ${base64url("v.signature")},
        'createdAt', ${isoTime("v.created_at")},
        'keyVersion', v.key_version,
        'content', ${base64url("v.content_ciphertext")},
        'blobId', v.blob_id),
      'statements', (
        select json_agg(json_build_object(
          'version', s.version,
          'authorId', s.author_id,
          'commitment', ${base64url("s.commitment")},
          'signature', ${base64url("s.signature")},
          'createdAt', ${isoTime("s.created_at")}) order by s.version)
        from record_versions s where s.record_id = p.id)
    ) order by p.position), '[]')::text
    from page p
    join record_versions v on v.record_id = p.id and v.version = p.current_version
    join record_key_wraps w on w.record_id = p.id and w.key_version = p.key_version and w.grant_id is null
  ) end as records
from live`;
}

/** Each text made once, by cursor or not and page size: a few in practice (the page sizes the client asks for). */
const statementTexts = new Map<string, string>();

function statementFor(withCursor: boolean, rows: number): string {
  const key = `${withCursor}:${rows}`;
  let text = statementTexts.get(key);
  if (text === undefined) statementTexts.set(key, (text = statementText(withCursor, rows, rows - 1)));
  return text;
}

interface ChartReadRow {
  fingerprint: string;
  total: number;
  audited: number;
  rows_read: number;
  served: number;
  last_micros: string | null;
  last_id: string | null;
  /** Null when the fingerprint equalled the one offered. */
  records: string | null;
}

/**
 * The caller's chart page in ONE statement, for the session whose token hashes to `tokenHash`:
 * checks the session (live, not idle, not expired, account enabled, a patient: the same test
 * as resolveSession and chartOwner), touches it when its last-seen time is older than the
 * touch interval, reads the page as `ownedRecordsPage` does, appends the read's audit event
 * to the inbox (as `appendAudit` outside a transaction), and builds the page's JSON, all in
 * the database. `total` is the chart's count as the database keeps it (`record_counts`,
 * maintained by triggers on `records`), not a count of the chart on every read. The page comes back as that JSON text (`JsonText`), sent as it is: the
 * statement writes exactly the keys of contract/records.ts's chartPageSchema, which
 * chart-read.db.test.ts holds it to. The JSON is the costliest part of the read, so the last
 * one built for this session, cursor and size is kept in `cache` and offered by its
 * fingerprint: when the page's rows are unchanged the database skips building it and the kept
 * text is served (see statementText). Returns null when the statement served nothing: no such
 * live patient session, or a cursor this server did not hand out; the caller then takes the
 * ordinary path, which says why (401, 403, 400) and ends an idle or expired session.
 * @throws Error when the database left the JSON unbuilt for a fingerprint other than the one
 *   offered (a bug: nothing is served rather than a page that may be another one)
 */
export async function chartPageForSession(
  db: Database,
  tokenHash: Uint8Array,
  policy: SessionPolicy,
  now: Date,
  request: PageRequest,
  cache: ChartPageCache = chartPageCache,
): Promise<JsonText<ChartPage> | null> {
  let after: ChartKey | null = null;
  if (request.cursor !== undefined) {
    try {
      after = decodeCursor(request.cursor, chartCursorSchema);
    } catch {
      return null;
    }
  }
  const rows = rowsToRead(request.limit);
  const params: unknown[] = [
    tokenHash,
    now.toISOString(),
    new Date(now.getTime() - policy.idleMs).toISOString(),
    new Date(now.getTime() - sessionTouchIntervalMs(policy)).toISOString(),
  ];
  const cacheKey = ChartPageCache.key(Buffer.from(tokenHash).toString("hex"), request.cursor, rows);
  const offered = cache.get(cacheKey);
  params.push(offered?.fingerprint ?? "");
  if (after) {
    const key = chartKeyValues(after);
    params.push(key.afterMillis, key.afterMicros, key.afterRecord);
  }
  const [row] = await queryRows<ChartReadRow>(db, statementFor(after !== null, rows), params);
  if (!row) return null;
  let records = row.records;
  if (records === null) {
    if (offered === undefined || offered.fingerprint !== row.fingerprint) throw new Error("the chart read left a page unbuilt that this process does not hold");
    records = offered.records;
  } else cache.set(cacheKey, { fingerprint: row.fingerprint, records });
  const nextCursor = row.last_id !== null && row.served < row.rows_read ? encodeCursor({ c: row.last_micros!, r: row.last_id }) : null;
  // The keys in chartPageSchema's order, as the schema's own serialisation writes them.
  return new JsonText<ChartPage>(`{"records":${records},"nextCursor":${JSON.stringify(nextCursor)},"total":${JSON.stringify(row.total)}}`);
}
