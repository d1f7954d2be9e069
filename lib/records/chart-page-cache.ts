import "server-only";
import { LRUCache } from "lru-cache";

/**
 * A chart page's records as JSON text, as the database last built it, with the fingerprint of
 * the rows it was built from (lib/records/chart-read.ts). Ciphertext and wrapped keys only: what
 * the database already holds, never anything the server could read.
 */
export interface CachedChartPage {
  /** Hex SHA-256 the database computed over the page's owner, record ids and row versions. */
  fingerprint: string;
  /** The page's `records` array as JSON text. */
  records: string;
}

/**
 * What one process keeps at most, in characters (about bytes: keys and JSON are ASCII), counting
 * each entry's key, fingerprint, JSON and `entryOverheadChars`.
 */
export const chartPageCacheMaxChars = 32 * 1024 * 1024;

/**
 * What an entry costs beyond its strings (the cache's own bookkeeping, the entry object), in
 * characters, rounded up from a measurement (about 470 bytes of heap per empty-page entry,
 * lru-cache 11, Node 20): without it, a session asking for many distinct cursors of empty pages
 * could hold several times the bound.
 */
export const entryOverheadChars = 512;

/**
 * How long an entry may be offered, in ms. Fingerprints name row versions by transaction id,
 * which PostgreSQL reuses only after 2^32 transactions (or after a restore or failover, which
 * the fingerprint also names, by the server's start time): an entry far younger than that can
 * never meet a different row under the same id. An expired entry is dropped when it is next
 * looked up or when the size bound pushes it out, not on a timer.
 */
export const chartPageCacheTtlMs = 10 * 60_000;

/**
 * Pages this process has built, to offer the database on the next read of the same page by
 * the same session. An entry is never served on its own authority: the read statement checks
 * the session and recomputes the page's fingerprint in its own snapshot, and leaves the JSON
 * unbuilt only when that equals the offered one. So a stale, evicted or missing entry costs a
 * rebuild, never a wrong page, and several instances need no shared cache.
 * Keys: `sessionKey` (the session token's hash) with the cursor and page size.
 */
export class ChartPageCache {
  readonly #entries: LRUCache<string, CachedChartPage>;

  /**
   * @param maxChars the most kept, summed over entries (characters of key, fingerprint and
   *   JSON, plus `entryOverheadChars` each); an entry larger than this is not kept
   * @param ttlMs how long an entry may be offered (ms)
   */
  constructor(maxChars = chartPageCacheMaxChars, ttlMs = chartPageCacheTtlMs) {
    this.#entries = new LRUCache<string, CachedChartPage>({
      maxSize: maxChars,
      sizeCalculation: (entry, key) => key.length + entry.records.length + entry.fingerprint.length + entryOverheadChars,
      ttl: ttlMs,
    });
  }

  /** The key of one page of one session: the token's hash (hex), the cursor (or none) and the rows read. */
  static key(sessionKey: string, cursor: string | undefined, rows: number): string {
    return `${sessionKey}\u0000${cursor ?? ""}\u0000${rows}`;
  }

  /** The entry under `key`, if one is kept and younger than the time to live. */
  get(key: string): CachedChartPage | undefined {
    return this.#entries.get(key);
  }

  /** Keeps `page` under `key`, evicting the least recently used entries past the size bound. */
  set(key: string, page: CachedChartPage): void {
    this.#entries.set(key, page);
  }

  /** Entries kept now (tests). */
  get size(): number {
    return this.#entries.size;
  }
}

/** This process's cache, shared by every chart read it serves. */
export const chartPageCache = new ChartPageCache();
