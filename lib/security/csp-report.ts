import "server-only";

/**
 * What a CSP violation report may leave in the logs: the directive and where the blocked
 * resource came from (scheme and host only). Paths, queries, samples and the page's own
 * URL are dropped, since they could carry ids or text from the page.
 */
export interface CspViolationSummary {
  directive: string;
  blocked: string;
  disposition: string;
}

const field = (value: unknown, fallback = "unknown") => (typeof value === "string" && value.length > 0 ? value.slice(0, 100) : fallback);

function originOnly(value: unknown): string {
  if (typeof value !== "string" || value.length === 0) return "unknown";
  if (/^(inline|eval|wasm-eval|trusted-types-policy|trusted-types-sink)$/.test(value)) return value;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
  } catch {
    return "unparseable";
  }
}

/** Reads either report format (report-uri's `csp-report`, or the Reporting API's array); anything else gives no summaries. */
export function summarizeCspReports(body: unknown): CspViolationSummary[] {
  const reports: unknown[] = Array.isArray(body)
    ? body.filter((entry) => (entry as { type?: unknown })?.type === "csp-violation").map((entry) => (entry as { body?: unknown }).body)
    : [(body as { "csp-report"?: unknown } | null)?.["csp-report"]];
  return reports
    .filter((report): report is Record<string, unknown> => typeof report === "object" && report !== null)
    .slice(0, 20)
    .map((report) => ({
      directive: field(report["effective-directive"] ?? report.effectiveDirective ?? report["violated-directive"]),
      blocked: originOnly(report["blocked-uri"] ?? report.blockedURL),
      disposition: field(report.disposition, "enforce"),
    }));
}
