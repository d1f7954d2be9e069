import { z } from "zod";

/**
 * Paged record lists (the patient's chart, a clinician's records under a grant): the request's
 * `limit` and `cursor`, and what every page answers beside its records.
 */

/**
 * Records per page: the default, and the most one request may ask for. The server may serve
 * fewer (never none while more remain) to keep a page's ciphertext within its byte budget
 * (lib/records/pages.ts), so a page's size is bounded whatever the records hold.
 */
export const recordPageSize = { default: 200, max: 1000 } as const;

/**
 * What the browser asks for when it reads the owner's whole chart (client/records/record-pages.ts):
 * a small first page, so the chart paints (and the server answers) quickly under load, then
 * large pages, so a big chart arrives in few requests (each still within the server's byte budget).
 */
export const chartPageLimits = { first: 20, later: 500 } as const;

/** Where a list goes on: opaque to the browser, which hands back what `nextCursor` said (base64url, at most 256 characters). */
export const pageCursorSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+$/, "must be a cursor this server handed out");

/** `?limit=&cursor=`: both optional; no cursor is the first page. */
export const recordPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(recordPageSize.max).optional(),
  cursor: pageCursorSchema.optional(),
});
export type RecordPageQuery = z.infer<typeof recordPageQuerySchema>;

/**
 * What a page answers beside its records: the cursor of the next page (null on the last), and
 * how many records the whole list held when this page was read (for "400 of about 1,000": the
 * list may change while it is paged through).
 */
export const pageFields = {
  nextCursor: pageCursorSchema.nullable(),
  total: z.number().int().min(0).max(10_000_000),
};
