import "server-only";
import { sql } from "drizzle-orm";

/**
 * A LIMIT written into a statement's text instead of sent as a parameter, for a page query of a
 * table that grows (a chart, a grant's records). Given `limit $n`, PostgreSQL's generic plan
 * assumes an unknown limit reads a tenth of the rows and looks costlier than a plan for the
 * value, so it plans such a prepared statement afresh on every execution (PostgreSQL 15, and
 * PGlite's 18): on the chart read a third of the database's CPU. With the number in the text
 * it keeps one plan per page size (lib/db/plan-cache.db.test.ts).
 *
 * drizzle's `.limit()` is typed for a number (which it sends as a parameter) or a placeholder;
 * it writes any SQL chunk it is given into the text as it is (pg-core's dialect builds
 * `sql\` limit ${limit}\``), hence the cast. Only a validated integer is ever written.
 * @param rows a positive safe integer (a page size from `rowsToRead`, never a request's text)
 * @throws RangeError when `rows` is anything else
 */
export function literalLimit(rows: number): number {
  return sql.raw(limitText(rows)) as unknown as number;
}

/**
 * `rows` as the text of a LIMIT (or another page-size bound) for SQL written by hand (see
 * `literalLimit` on why it goes into the text).
 * @throws RangeError unless `rows` is a positive safe integer
 */
export function limitText(rows: number): string {
  if (!Number.isSafeInteger(rows) || rows < 1) throw new RangeError("a page size is not a positive integer");
  return String(rows);
}
