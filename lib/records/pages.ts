import "server-only";
import type { z } from "zod";
import { recordPageSize } from "@/contract/pages";
import { AppError } from "@/lib/errors";

/**
 * Keyset paging of record lists (the chart, the records under a grant): a page is the rows
 * after the last one served, in a fixed order, so records added or deleted meanwhile never
 * make another record repeat or go missing. The cursor is the last row's key, as base64url
 * JSON, opaque to the browser and checked with a zod schema when it comes back.
 */

/**
 * The most bytes of record ciphertext one page carries (its records' padded current versions):
 * a page stops early rather than pass it, serving at least one record (`pageWithin`, or the
 * chart page's query itself: lib/records/chart-pages.ts), so an answer stays bounded (about 11 MB of JSON with base64url and the rest) whatever the records hold.
 */
export const pageBytes = 8 * 1024 * 1024;

/** A page request as the route parsed it (contract/pages.ts): no cursor is the first page. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** The cursor for a page that starts after `key` (a row's sort key). */
export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * The key a cursor names, checked against `schema` (strict, so a cursor of another list does
 * not pass). Throws AppError "invalid-input" (400) for anything this server did not hand out.
 */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    decoded = undefined;
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw new AppError("invalid-input", "This list cannot go on from there: load it again from the start.");
  return parsed.data;
}

/** How many rows to read for a page of `limit`: one more, to know whether another page follows. */
export const rowsToRead = (limit: number | undefined) => Math.min(limit ?? recordPageSize.default, recordPageSize.max) + 1;

/**
 * The rows a page serves out of those read (`rowsToRead`, in order): up to `limit`, stopping
 * before the one that would take the page past `pageBytes` (the first is always served), and
 * whether more remain after them.
 */
export function pageWithin<T>(rows: readonly T[], limit: number | undefined, sizeOf: (row: T) => number): { page: T[]; more: boolean } {
  const most = rowsToRead(limit) - 1;
  const page: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (page.length === most) break;
    bytes += sizeOf(row);
    if (page.length > 0 && bytes > pageBytes) break;
    page.push(row);
  }
  return { page, more: page.length < rows.length };
}
