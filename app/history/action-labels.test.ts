import { describe, expect, it } from "vitest";
import { labelOf } from "./action-labels";

describe("history wording", () => {
  it("says how many records one committed import added, not how many times", () => {
    const imported = { action: "records-imported" as const, windowStart: "2026-11-30T05:00:00.000Z", windowEnd: "2026-11-30T05:02:00.000Z" };
    expect(labelOf({ ...imported, count: 1 })).toBe("Imported 1 record");
    expect(labelOf({ ...imported, count: 3000 })).toBe("Imported 3,000 records");
  });

  it("still words a counted refusal by its attempts and window", () => {
    expect(labelOf({ action: "access-refused", count: 3, windowStart: "2026-11-30T05:00:00.000Z", windowEnd: "2026-11-30T05:02:00.000Z" })).toMatch(
      /^Was refused access 3 times, from .+ to .+$/,
    );
  });
});
