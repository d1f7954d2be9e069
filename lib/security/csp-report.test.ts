import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeCspReports } from "./csp-report";

describe("CSP violation reports", () => {
  it("keeps the directive and the blocked origin of a report-uri report, and nothing from the page", () => {
    const report = {
      "csp-report": {
        "document-uri": "https://app.example/chart?record=Migraine-diary",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/steal.js?data=Jane%20Doe",
        "script-sample": "alert('Jane Doe')",
        disposition: "enforce",
      },
    };
    const summaries = summarizeCspReports(report);
    expect(summaries).toEqual([{ directive: "script-src-elem", blocked: "https://evil.example", disposition: "enforce" }]);
    expect(JSON.stringify(summaries)).not.toMatch(/Jane|Migraine|steal|alert/);
  });

  it("reads Reporting API batches and ignores other report types", () => {
    const batch = [
      { type: "csp-violation", body: { effectiveDirective: "img-src", blockedURL: "data:image/png;base64,AAAA", disposition: "report" } },
      { type: "deprecation", body: { id: "x" } },
      { type: "csp-violation", body: { effectiveDirective: "script-src-elem", blockedURL: "inline" } },
    ];
    expect(summarizeCspReports(batch)).toEqual([
      { directive: "img-src", blocked: "data:", disposition: "report" },
      { directive: "script-src-elem", blocked: "inline", disposition: "enforce" },
    ]);
  });

  it("never throws on hostile input, and never echoes more than an origin", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const summaries = summarizeCspReports(value);
        expect(summaries.length).toBeLessThanOrEqual(20);
        for (const summary of summaries) expect(summary.blocked.length).toBeLessThan(300);
      }),
    );
  });
});
