import { describe, expect, it } from "vitest";
import { reloadTimes, waitEndMarginMs } from "./wait-ends";

describe("when a page reads its emergency contacts again because a wait ends", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");
  it("asks just after each running wait's end, and for nothing else", () => {
    const rows = [
      { grantId: "a", state: "requested" as const, opensAt: "2030-01-01T00:01:00Z" },
      { grantId: "b", state: "open" as const, opensAt: "2030-01-01T00:02:00Z" },
      { grantId: "c", state: "standby" as const, opensAt: null },
      { grantId: "d", state: "requested" as const, opensAt: "2029-12-31T23:59:59Z" },
    ];
    expect(reloadTimes(rows, now)).toEqual([
      { grantId: "a", at: Date.parse("2030-01-01T00:01:00Z") + waitEndMarginMs },
      { grantId: "d", at: Date.parse("2029-12-31T23:59:59Z") + waitEndMarginMs },
    ]);
  });
  it("leaves a wait too far ahead for a browser timer to the next visit", () => {
    expect(reloadTimes([{ grantId: "a", state: "requested", opensAt: "2030-03-01T00:00:00Z" }], now)).toEqual([]);
    expect(reloadTimes([{ grantId: "a", state: "requested", opensAt: "2030-01-08T00:00:00Z" }], now)).toHaveLength(1);
  });
});
