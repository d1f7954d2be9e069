import "server-only";
import { and, asc, count, eq, sql, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { records, recordVersions } from "@/drizzle/schema";
import type { ChartPage } from "@/contract/records";
import type { Database } from "@/lib/db";
import { uuid } from "@/contract/common";
import { listOwnedRecords, type StoredRecord } from "./record-store";
import { decodeCursor, encodeCursor, pageWithin, rowsToRead, type PageRequest } from "./pages";

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
function afterKey(key: ChartKey) {
  const millis = key.c.length > 3 ? key.c.slice(0, -3) : "0";
  return and(
    sql`${records.createdAt} >= to_timestamp(${millis}::double precision / 1000) - interval '1 millisecond'`,
    sql`(${createdMicros}::bigint, ${records.id}) > (${key.c}::bigint, ${key.r}::uuid)`,
  );
}

const chartCursorSchema = z.strictObject({ c: z.string().regex(/^\d{1,18}$/), r: uuid });

/** Where the next page starts: after this record. */
export type ChartKey = z.infer<typeof chartCursorSchema>;

/**
 * One page of the owner's chart, in the chart's order: the keys of the rows after the cursor
 * (one more than the page, to know whether another follows), cut to the page's limit and byte
 * budget; then those records with current version and owner wrap. Also how many records the
 * chart holds. A fixed number of queries whatever the page's size.
 * Throws AppError "invalid-input" for a cursor this server did not hand out.
 */
export async function ownedRecordsPage(
  db: Database,
  ownerId: string,
  request: PageRequest,
): Promise<{ stored: StoredRecord[]; nextCursor: ChartPage["nextCursor"]; total: ChartPage["total"] }> {
  const after = request.cursor === undefined ? null : decodeCursor(request.cursor, chartCursorSchema);
  // The page's rows from the index (owner, created_at, id) alone, then their current versions'
  // sizes: the join never runs over the whole chart, whatever the planner knows of the tables.
  const pageKeys = db
    .select({ id: records.id, createdAt: records.createdAt, currentVersion: records.currentVersion })
    .from(records)
    .where(and(eq(records.ownerId, ownerId), after ? afterKey(after) : undefined))
    .orderBy(asc(records.createdAt), asc(records.id))
    .limit(rowsToRead(request.limit))
    .as("page_keys");
  const [keys, [counted]] = await Promise.all([
    db
      // Microseconds for the page's rows only (the cursor is made from the last one's).
      .select({ id: pageKeys.id, micros: microsOf(pageKeys.createdAt), size: recordVersions.paddedSize })
      .from(pageKeys)
      .innerJoin(recordVersions, and(eq(recordVersions.recordId, pageKeys.id), eq(recordVersions.version, pageKeys.currentVersion)))
      .orderBy(asc(pageKeys.createdAt), asc(pageKeys.id)),
    db.select({ total: count() }).from(records).where(eq(records.ownerId, ownerId)),
  ]);
  const { page, more } = pageWithin(keys, request.limit, (key) => key.size);
  const last = page[page.length - 1];
  return {
    stored: await listOwnedRecords(
      db,
      ownerId,
      page.map((key) => key.id),
    ),
    nextCursor: more && last ? encodeCursor({ c: last.micros, r: last.id }) : null,
    total: counted?.total ?? 0,
  };
}
