import { describe, expect, it } from "vitest";
import { foldedWhen } from "./notices";

describe("when a folded notice happened", () => {
  it("says one time plainly, a burst within one shown minute once, and a longer burst from first to last", () => {
    expect(foldedWhen(1, "1 Dec 2026, 04:24", "1 Dec 2026, 04:24")).toBe("1 Dec 2026, 04:24");
    expect(foldedWhen(2, "1 Dec 2026, 04:24", "1 Dec 2026, 04:24")).toBe("2 times, 1 Dec 2026, 04:24");
    expect(foldedWhen(50, "1 Dec 2026, 04:24", "1 Dec 2026, 04:31")).toBe("50 times, from 1 Dec 2026, 04:24 to 1 Dec 2026, 04:31");
  });
});
