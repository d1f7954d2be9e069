/**
 * The figures `npm run bench` records: one catalogue of every key (its unit, what it measures
 * and the target), and the line protocol by which a suite, run as a child process of
 * bench/run.ts, hands its figures back. No server or browser code here: the runner and every
 * suite import it.
 */

export type Unit = "ratio" | "ms" | "ms/record" | "ms/request" | "ms/MiB" | "MiB/s" | "MiB" | "requests/s" | "events" | "KB" | "records" | "count";

export interface FigureDefinition {
  unit: Unit;
  /** One sentence: what was measured, on what, against what. */
  what: string;
  /** The target for this machine, as written there (absent: none). */
  target?: string;
  /** Whether the figure is measured on PGlite and again on PostgreSQL (key + "_pg"). */
  perDatabase: boolean;
  /** The suite (bench/run.ts) that measures it. */
  suite: SuiteName;
}

export type SuiteName = "crypto" | "file-store" | "sharing" | "records" | "trail" | "browser";

/** Every key, in the order the table prints them. Keys of `perDatabase` figures get "_pg" on PostgreSQL. */
export const figureCatalogue = {
  file_store_ratio: {
    unit: "ratio",
    what: "server-side encrypt + store of one file through the blob store, as many chunks being stored at once as the browser keeps in flight (MiB/s) ÷ raw libsodium secretstream over the same bytes, same run",
    target: "≥ 0.5",
    perDatabase: true,
    suite: "file-store",
  },
  file_store_mib_s: {
    unit: "MiB/s",
    what: "numerator of file_store_ratio: encrypt each chunk (8 MiB for 256 MiB) and store it through the file-system blob store (the default), as many being stored at once as the browser keeps in flight",
    perDatabase: true,
    suite: "file-store",
  },
  file_store_raw_mib_s: {
    unit: "MiB/s",
    what: "denominator of file_store_ratio: raw secretstream push over the same chunks",
    perDatabase: true,
    suite: "file-store",
  },
  file_store_serial_ratio: {
    unit: "ratio",
    what: "file_store_ratio with one chunk stored at a time: each chunk encrypted only once the one before it is stored (the method of runs before 1 December 2026)",
    perDatabase: true,
    suite: "file-store",
  },
  file_store_s3_ratio: {
    unit: "ratio",
    what: "file_store_ratio with the S3 store (s3rver on loopback, started in the process) instead of the file system, the browser's chunks in flight",
    perDatabase: true,
    suite: "file-store",
  },
  browser_upload_ratio: {
    unit: "ratio",
    what: "a file chosen on the chart page until 'was encrypted and saved' (read, pad, encrypt, upload, store) ÷ raw secretstream push over the same file's bytes in the same browser",
    target: "≥ 0.4",
    perDatabase: true,
    suite: "browser",
  },
  browser_download_ratio: {
    unit: "ratio",
    what: "'Download decrypted' until the download is complete (fetch, decrypt, save) ÷ raw secretstream pull over the same number of chunks in the same browser",
    perDatabase: true,
    suite: "browser",
  },
  browser_upload_mib_s: { unit: "MiB/s", what: "numerator of browser_upload_ratio", perDatabase: true, suite: "browser" },
  browser_download_mib_s: { unit: "MiB/s", what: "numerator of browser_download_ratio", perDatabase: true, suite: "browser" },
  browser_raw_push_mib_s: {
    unit: "MiB/s",
    what: "raw secretstream push in the page (file read in 1 MiB slices, crypto/ baseline bundled for the browser)",
    perDatabase: true,
    suite: "browser",
  },
  browser_raw_pull_mib_s: {
    unit: "MiB/s",
    what: "raw secretstream pull in the page over 1 MiB chunks (only the pulls timed)",
    perDatabase: true,
    suite: "browser",
  },
  browser_file_mib: { unit: "MiB", what: "size of the file the browser figures moved", perDatabase: true, suite: "browser" },
  browser_upload_heap_growth_mib: {
    unit: "MiB",
    what: "peak page JS heap (CDP Performance.getMetrics JSHeapUsedSize, sampled every 250 ms) during the upload minus the heap just before it",
    target: "flat for a 1 GiB file (a few 1 MiB chunks, not the file)",
    perDatabase: true,
    suite: "browser",
  },
  browser_download_heap_growth_mib: {
    unit: "MiB",
    what: "peak page JS heap during the download minus the heap just before it",
    perDatabase: true,
    suite: "browser",
  },
  browser_upload_rss_growth_mib: {
    unit: "MiB",
    what: "peak resident memory of all Chromium processes (/proc) during the upload minus theirs just before it: what the JS heap does not count (ArrayBuffers, Blob data)",
    perDatabase: true,
    suite: "browser",
  },
  browser_download_rss_growth_mib: { unit: "MiB", what: "the same during the download", perDatabase: true, suite: "browser" },
  browser_upload_server_cpu_ms_per_mib: {
    unit: "ms/MiB",
    what: "the app's CPU per MiB in the upload (/proc)",
    perDatabase: true,
    suite: "browser",
  },
  browser_upload_browser_cpu_ms_per_mib: {
    unit: "ms/MiB",
    what: "Chromium's CPU per MiB in the upload",
    perDatabase: true,
    suite: "browser",
  },
  browser_download_server_cpu_ms_per_mib: { unit: "ms/MiB", what: "the app's CPU per MiB during the download", perDatabase: true, suite: "browser" },
  browser_download_browser_cpu_ms_per_mib: { unit: "ms/MiB", what: "Chromium's CPU per MiB during the download", perDatabase: true, suite: "browser" },
  signin_to_unlocked_ms: {
    unit: "ms",
    what: "from opening /sign-in (virtual authenticator with PRF) to the home page showing the vault unlocked, median of 5",
    perDatabase: true,
    suite: "browser",
  },
  api_read_ratio: {
    unit: "ratio",
    what: "requests/s of the authenticated chart read (GET /api/records, first page, chart of 2,001 imported records) ÷ a bare Next.js route handler returning small JSON (bench/bare-app), each 50 connections for 20 s after a 5 s warm-up",
    target: "≥ 0.5",
    perDatabase: true,
    suite: "browser",
  },
  api_read_p99_ms: {
    unit: "ms",
    what: "p99 latency of the authenticated chart read under 50 connections",
    target: "≤ 200",
    perDatabase: true,
    suite: "browser",
  },
  api_read_rps: { unit: "requests/s", what: "numerator of api_read_ratio (2xx only)", perDatabase: true, suite: "browser" },
  api_bare_rps: {
    unit: "requests/s",
    what: "denominator of api_read_ratio: bench/bare-app's route handler under `next start`",
    perDatabase: true,
    suite: "browser",
  },
  api_bare_p99_ms: { unit: "ms", what: "p99 latency of the bare route handler under 50 connections", perDatabase: true, suite: "browser" },
  api_read_same_size_ratio: {
    unit: "ratio",
    what: "the chart read's requests/s ÷ bench/bare-app's route handler answering a JSON body of the same size (base64url strings), both under 50 connections: what the session, database and audit cost beyond shipping the bytes",
    perDatabase: true,
    suite: "browser",
  },
  api_read_server_cpu_ms: {
    unit: "ms/request",
    what: "CPU the app's server processes spent (/proc, user + system; PGlite runs inside them, PostgreSQL's own processes are not counted) per 2xx chart read during the api_read_ratio load",
    perDatabase: true,
    suite: "browser",
  },
  api_bare_server_cpu_ms: {
    unit: "ms/request",
    what: "CPU bench/bare-app's `next start` spent per 2xx answer during its api_bare_rps load",
    perDatabase: true,
    suite: "browser",
  },
  api_bare_same_size_server_cpu_ms: {
    unit: "ms/request",
    what: "CPU bench/bare-app's `next start` spent per 2xx answer of the chart page's size (api_bare_same_size_rps's load)",
    perDatabase: true,
    suite: "browser",
  },
  api_read_cpu_ratio: {
    unit: "ratio",
    what: "api_bare_server_cpu_ms ÷ api_read_server_cpu_ms: api_read_ratio as the servers' CPU per answer has it, which another program's load on the machine moves far less than requests/s",
    perDatabase: true,
    suite: "browser",
  },
  api_read_page_kb: { unit: "KB", what: "size of the chart read's answer (its first page) measured by api_read_ratio", perDatabase: true, suite: "browser" },
  api_bare_same_size_rps: {
    unit: "requests/s",
    what: "denominator of api_read_same_size_ratio: the bare handler answering a body of the chart page's size",
    perDatabase: true,
    suite: "browser",
  },
  rotation_ms_per_record_10k: {
    unit: "ms/record",
    what: "after revoking an all-records grant of 10,000 records: rotating every affected key, browser work (client/sharing, in Node) plus server work (lib/, real database), ÷ records rotated",
    target: "≤ 0.7 on PostgreSQL",
    perDatabase: true,
    suite: "sharing",
  },
  rotation_server_ms_per_record_10k: { unit: "ms/record", what: "server part of rotation_ms_per_record_10k", perDatabase: true, suite: "sharing" },
  rotation_browser_ms_per_record_10k: { unit: "ms/record", what: "browser part of rotation_ms_per_record_10k", perDatabase: true, suite: "sharing" },
  grant_all_10k_ms: {
    unit: "ms",
    what: "sharing all 10,000 records with one clinician: browser (open every owner wrap, wrap under the share key, sign, seal) plus server (store the grant)",
    perDatabase: true,
    suite: "sharing",
  },
  revoke_10k_ms: {
    unit: "ms",
    what: "revoking that grant: browser plus server (share key and wraps deleted, rotations queued)",
    perDatabase: true,
    suite: "sharing",
  },
  clinician_list_10k_ms: {
    unit: "ms",
    what: "the clinician's shared-records list under a grant of 10,000 records, first page: the route's service and its JSON, median of 5",
    target: "≤ 50 on PostgreSQL",
    perDatabase: true,
    suite: "sharing",
  },
  crypto_file_encrypt_ratio: {
    unit: "ratio",
    what: "crypto/ file encryptor ÷ raw secretstream, 64 KiB chunks, in Node",
    target: "≥ 0.9",
    perDatabase: false,
    suite: "crypto",
  },
  crypto_seal_share_key_ms: { unit: "ms", what: "sealing one share key to an X25519 key, median of 200", perDatabase: false, suite: "crypto" },
  crypto_wrap_1000_record_keys_ms: {
    unit: "ms",
    what: "wrapping 1,000 record keys under a share key, median of 15",
    target: "well under 100",
    perDatabase: false,
    suite: "crypto",
  },
  ips_import_ms: {
    unit: "ms",
    what: "importing the International Patient Summary (fixtures/shl): plan, encrypt, sign, wrap (client code in Node), store (lib/), best of 5",
    perDatabase: true,
    suite: "records",
  },
  trail_flood_events_added: {
    unit: "events",
    what: "audit events a revoked clinician's 3,000 refused requests add to the patient's trail (limit raised, one count window)",
    perDatabase: true,
    suite: "trail",
  },
  trail_verify_whole_10k_ms: {
    unit: "ms",
    what: "a 10,000-event trail fetched page by page and verified from genesis, median",
    perDatabase: true,
    suite: "trail",
  },
  trail_verify_incremental_ms: {
    unit: "ms",
    what: "20 new events after the stored head, fetched and verified from that link, median",
    perDatabase: true,
    suite: "trail",
  },
} satisfies Record<string, FigureDefinition>;

export type FigureKey = keyof typeof figureCatalogue;

/** What a suite reports for one key. `value` null means not measured; `reason` then says why. */
export interface FigureReport {
  key: string;
  value: number | null;
  reason?: string;
  /** Free text printed beside the figure (scale, counts), e.g. "1,000 records (quick)". */
  note?: string;
}

export const figureLinePrefix = "BENCH_FIGURE ";

/** The database a suite runs on, chosen by the runner (BENCH_DATABASE); PostgreSQL needs DATABASE_URL. */
export function benchDatabase(): "pglite" | "postgres" {
  return process.env.BENCH_DATABASE === "postgres" ? "postgres" : "pglite";
}

/** Whether the runner asked for the smaller, quicker sizes (BENCH_QUICK=1). */
export function quickMode(): boolean {
  return process.env.BENCH_QUICK === "1";
}

/** The key as recorded: "_pg" appended on PostgreSQL for a per-database figure. */
export function recordedKey(key: FigureKey, database: "pglite" | "postgres" = benchDatabase()): string {
  return figureCatalogue[key].perDatabase && database === "postgres" ? `${key}_pg` : key;
}

/**
 * Hands one figure to the runner (a line on stdout) and prints it for a person running the
 * suite alone. A null value needs a reason.
 */
export function reportFigure(key: FigureKey, value: number | null, extra: { reason?: string; note?: string } = {}): void {
  const report: FigureReport = { key: recordedKey(key), value: value === null || !Number.isFinite(value) ? null : round(value), ...extra };
  if (report.value === null && !report.reason) report.reason = "not measured";
  process.stdout.write(`${figureLinePrefix}${JSON.stringify(report)}\n`);
}

/** Three significant decimals at most: figures, not noise. */
export function round(value: number): number {
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3;
  return Number(value.toFixed(decimals));
}

/** Parses the figure lines out of a suite's output. */
export function parseFigureLines(output: string): FigureReport[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith(figureLinePrefix))
    .map((line) => JSON.parse(line.slice(figureLinePrefix.length)) as FigureReport);
}

/** Milliseconds since `start` (process.hrtime.bigint()). */
export const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
