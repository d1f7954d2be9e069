import "server-only";
import { and, asc, count, eq, isNull, lte, or, sql, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { recordKeyWraps, records, recordVersions } from "@/drizzle/schema";
import type { ChartPage } from "@/contract/records";
import type { Database, Executor } from "@/lib/db";
import { literalLimit } from "@/lib/db/literal-limit";
import { preparedQuery } from "@/lib/db/prepared-queries";
import { uuid } from "@/contract/common";
import { storedRecordOf, versionColumns, type StoredRecord } from "./record-store";
import { decodeCursor, encodeCursor, pageBytes, rowsToRead, type PageRequest } from "./pages";

/**
 * The chart's order: oldest first, then by id. `created_at` is kept to the microsecond, finer
 * than a JavaScript Date, so the cursor carries it as whole microseconds since the epoch (text)
 * and the database compares in those: a Date would round, and a page could repeat or skip a
 * record created in the same millisecond as the last one served.
 */
const microsOf = (column: SQLWrapper) => sql<string>`((extract(epoch from ${column}) * 1000000)::bigint)::text`;
const createdMicros = microsOf(records.createdAt);

/**
 * Rows after `key` in the chart's order. The exact test is on whole microseconds; the coarse
 * bound before it (the millisecond before the key's) lets the database start the page where
 * the index (owner, created_at, id) says, instead of reading the chart from its start.
 */
function afterKey() {
  return and(
    sql`${records.createdAt} >= to_timestamp(${sql.placeholder("afterMillis")}::double precision / 1000) - interval '1 millisecond'`,
    sql`(${createdMicros}::bigint, ${records.id}) > (${sql.placeholder("afterMicros")}::bigint, ${sql.placeholder("afterRecord")}::uuid)`,
  );
}

/** The placeholders' values of `afterKey` for a cursor's key (lib/records/chart-read.ts passes the same). */
export function chartKeyValues(key: ChartKey) {
  return { afterMillis: key.c.length > 3 ? key.c.slice(0, -3) : "0", afterMicros: key.c, afterRecord: key.r };
}

export const chartCursorSchema = z.strictObject({ c: z.string().regex(/^\d{1,18}$/), r: uuid });

/** Where the next page starts: after this record. */
export type ChartKey = z.infer<typeof chartCursorSchema>;

/**
 * The page statement (see `ownedRecordsPage`) for pages of `rows` rows read (the page's limit
 * plus one), written into its text (`literalLimit`), with placeholders ownerId and,
 * `withCursor`, those of `afterKey`. Built once per database and page size
 * (lib/db/prepared-queries.ts): building it cost more CPU than running it.
 */
function pageStatement(db: Executor, withCursor: boolean, rows: number) {
  // The page's rows from the index (owner, created_at, id) alone, then their current versions'
  // sizes: the joins never run over the whole chart, whatever the planner knows of the tables.
  const pageKeys = db
    .select({
      id: records.id,
      createdAt: records.createdAt,
      updatedAt: records.updatedAt,
      currentVersion: records.currentVersion,
      keyVersion: records.keyVersion,
    })
    .from(records)
    .where(and(eq(records.ownerId, sql.placeholder("ownerId")), withCursor ? afterKey() : undefined))
    .orderBy(asc(records.createdAt), asc(records.id))
    .limit(literalLimit(rows))
    .as("page_keys");
  const chartOrder = sql`order by ${pageKeys.createdAt}, ${pageKeys.id}`;
  const sized = db
    .select({
      id: pageKeys.id,
      createdAt: pageKeys.createdAt,
      updatedAt: pageKeys.updatedAt,
      currentVersion: pageKeys.currentVersion,
      keyVersion: pageKeys.keyVersion,
      position: sql<number>`row_number() over (${chartOrder})`.as("position"),
      runningBytes: sql<number>`sum(${recordVersions.paddedSize}) over (${chartOrder})`.as("running_bytes"),
      rowsRead: sql<number>`count(*) over ()`.as("rows_read"),
    })
    .from(pageKeys)
    .innerJoin(recordVersions, and(eq(recordVersions.recordId, pageKeys.id), eq(recordVersions.version, pageKeys.currentVersion)))
    .as("sized");
  return db
    .select({
      id: sized.id,
      currentVersion: sized.currentVersion,
      recordKeyVersion: sized.keyVersion,
      recordCreatedAt: sized.createdAt,
      updatedAt: sized.updatedAt,
      micros: microsOf(sized.createdAt),
      rowsRead: sql`${sized.rowsRead}`.mapWith(Number),
      total: sql`(select count(*) from ${records} where ${records.ownerId} = ${sql.placeholder("ownerId")})`.mapWith(Number),
      ownerWrap: recordKeyWraps.wrappedKey,
      ...versionColumns,
    })
    .from(sized)
    .innerJoin(recordVersions, and(eq(recordVersions.recordId, sized.id), eq(recordVersions.version, sized.currentVersion)))
    .innerJoin(recordKeyWraps, and(eq(recordKeyWraps.recordId, sized.id), eq(recordKeyWraps.keyVersion, sized.keyVersion), isNull(recordKeyWraps.grantId)))
    .where(and(sql`${sized.position} <= ${literalLimit(rows - 1)}`, or(eq(sized.position, 1), lte(sized.runningBytes, pageBytes))))
    .orderBy(asc(sized.createdAt), asc(sized.id))
    .prepare(`${withCursor ? "chart_page_after_key" : "chart_first_page"}_${rows}`);
}

/** The page statements by cursor or not and page size: a few in practice (the sizes the client asks for). */
const pageStatements = new Map<string, (db: Executor) => ReturnType<typeof pageStatement>>();

function pageStatementFor(withCursor: boolean, rows: number) {
  const key = `${withCursor}:${rows}`;
  let statement = pageStatements.get(key);
  if (statement === undefined) pageStatements.set(key, (statement = preparedQuery((db) => pageStatement(db, withCursor, rows))));
  return statement;
}

/**
 * One page of the owner's chart, in the chart's order, in one statement: the keys of the rows
 * after the cursor (one more than the page, to know whether another follows), cut to the
 * page's limit and byte budget (`pageBytes`: the first record always, then while the running
 * sum of the current versions' padded sizes stays within it), with those records' current
 * versions and owner wraps, and how many records the chart holds. The cut is made in the
 * database, so no content past it is read. One statement per page size (see `pageStatement`).
 * Throws AppError "invalid-input" for a cursor this server did not hand out.
 */
export async function ownedRecordsPage(
  db: Database,
  ownerId: string,
  request: PageRequest,
): Promise<{ stored: StoredRecord[]; nextCursor: ChartPage["nextCursor"]; total: ChartPage["total"] }> {
  const after = request.cursor === undefined ? null : decodeCursor(request.cursor, chartCursorSchema);
  const statement = pageStatementFor(after !== null, rowsToRead(request.limit))(db);
  const rows = await statement.execute(after ? { ownerId, ...chartKeyValues(after) } : { ownerId });
  const last = rows[rows.length - 1];
  // An empty page (a chart with nothing after the cursor) has no row to carry the count.
  const total = last ? last.total : ((await db.select({ total: count() }).from(records).where(eq(records.ownerId, ownerId)))[0]?.total ?? 0);
  return {
    stored: rows.map(storedRecordOf),
    nextCursor: last && rows.length < last.rowsRead ? encodeCursor({ c: last.micros, r: last.id }) : null,
    total,
  };
}
