import { recordPageQuerySchema, recordPageSize } from "@/contract/pages";
import { ApiError } from "./api";

/**
 * Test support: a fake server's page of a record list, paged as the real server pages (a key
 * per item, fixed for its life; a page is the items after the cursor's key, in key order), so
 * browser tests can add and delete items between pages. The cursor is the last key served.
 * `defaultLimit` is the page size when the request names none: fake servers use a small one, so
 * every browser test that reads a list reads several pages.
 * An unknown cursor is a 400, as the real server answers.
 */
export function fakePage<T>(items: Iterable<T>, keyOf: (item: T) => string, sent: unknown, defaultLimit: number = recordPageSize.default) {
  // Parsed by the contract as the server parses it (a limit out of range is a 400 there too).
  const checked = recordPageQuerySchema.safeParse(sent ?? {});
  if (!checked.success) throw new ApiError(400, "invalid-input", "This page request is not in the contract's shape.");
  const query = checked.data;
  const limit = Math.min(query.limit ?? defaultLimit, recordPageSize.max);
  let after: string | null = null;
  if (query.cursor !== undefined) {
    after = Buffer.from(query.cursor, "base64url").toString("utf8");
    if (!after.startsWith("key:")) throw new ApiError(400, "invalid-input", "This list cannot go on from there: load it again from the start.");
  }
  const sorted = [...items].map((item) => ({ item, key: `key:${keyOf(item)}` })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === null ? sorted : sorted.filter((entry) => entry.key > after);
  const page = rest.slice(0, limit);
  const last = page[page.length - 1];
  return {
    records: page.map((entry) => entry.item),
    nextCursor: rest.length > limit && last ? Buffer.from(last.key, "utf8").toString("base64url") : null,
    total: sorted.length,
  };
}
