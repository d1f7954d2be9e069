import { recordsRoutes, type ChartRecord } from "@/contract/records";
import { chartPageLimits, type RecordPageQuery } from "@/contract/pages";
import { countOf } from "../format";
import { IntegrityError } from "../integrity";
import type { Transport } from "../transport/api";

/**
 * Paged record lists as the browser reads them (contract/pages.ts): one page after the other,
 * each asking for the page after the last, until the server says there is no more.
 */

/** How far a paged load has come: records received so far, and about how many there are in all. */
export interface PagingProgress {
  loaded: number;
  /** The list's size as the last page said (it may change while the list is paged through), never less than `loaded`. */
  total: number;
}

/** "Loading records… 400 of about 1,000", for a live region while pages arrive. */
export function progressWords(progress: PagingProgress): string {
  return progress.loaded === 0
    ? "Loading records…"
    : `Loading records… ${new Intl.NumberFormat().format(progress.loaded)} of about ${countOf(progress.total, "record")}`;
}

interface Page<R> {
  records: R[];
  nextCursor: string | null;
  total: number;
}

/**
 * Records per request: the same for every page, or one size for the first page and another after.
 * An absent size is the server's default.
 */
export type PageSizes = number | { first: number; later: number } | undefined;

/**
 * Every page of a list, in order, fetched with `fetchPage` (`pageSize` records per request, see
 * `PageSizes`).
 * @throws IntegrityError("shape") when the server pages against its word (a record served twice,
 *   or an empty page that says more follow: a list that would never end); what `fetchPage` throws.
 */
export async function* recordPages<R extends { id: string }>(
  fetchPage: (query: RecordPageQuery) => Promise<Page<R>>,
  pageSize?: PageSizes,
): AsyncGenerator<Page<R>> {
  const served = new Set<string>();
  let cursor: string | undefined;
  do {
    const limit = typeof pageSize === "object" ? (cursor ? pageSize.later : pageSize.first) : pageSize;
    const page = await fetchPage({ ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    for (const record of page.records) {
      if (served.has(record.id)) throw new IntegrityError("shape");
      served.add(record.id);
    }
    if (page.nextCursor !== null && page.records.length === 0) throw new IntegrityError("shape");
    yield page;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * The pages of the owner's chart (GET /api/records), oldest record first: `pageSize` records
 * each when given, else `chartPageLimits` (a small first page, large ones after).
 * @throws as `recordPages`.
 */
export const chartPages = (transport: Transport, pageSize?: number) =>
  recordPages<ChartRecord>((query) => transport.call(recordsRoutes.list, { query }), pageSize ?? chartPageLimits);

/**
 * Every record of the owner's chart as served (not verified: callers verify what they use),
 * read page after page. Each page joins the owner's audit trail as one event.
 * @throws as `recordPages`.
 */
export async function wholeChartRecords(transport: Transport, pageSize?: number): Promise<ChartRecord[]> {
  const records: ChartRecord[] = [];
  for await (const page of chartPages(transport, pageSize)) records.push(...page.records);
  return records;
}
