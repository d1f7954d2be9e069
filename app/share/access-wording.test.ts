import { describe, expect, it } from "vitest";
import { recordCount, recordRemovedMessage, remainingAccess, shareChangedMessage, shareEndedMessage, type ShareAccess } from "./access-wording";

const share = (id: string, recordIds: string[], clinicianId = "dr"): ShareAccess => ({ id, clinicianId, recordIds });

describe("what the Sharing page says", () => {
  it("counts records in plain English", () => {
    expect([0, 1, 2, 1200].map(recordCount)).toEqual(["0 records", "1 record", "2 records", "1,200 records"]);
  });

  it("names what a revoke ended and what access remains through other shares", () => {
    const ended = share("a", ["r1", "r2"]);
    expect(shareEndedMessage("Dr X", ended, [ended])).toBe(
      "Dr X can no longer open the 2 records in this share. Dr X no longer has any access to your records.",
    );
    expect(shareEndedMessage("Dr X", ended, [ended, share("b", ["r3", "r4", "r5"])])).toBe(
      "Dr X can no longer open the 2 records in this share. Dr X can still open 3 records through another share.",
    );
    // A record also in the other share is not lost; another clinician's shares do not count.
    expect(shareEndedMessage("Dr X", ended, [ended, share("b", ["r2"]), share("c", ["r1"], "other")])).toBe(
      "Dr X can no longer open 1 of the 2 records in this share. Dr X can still open 1 record through another share.",
    );
    expect(shareEndedMessage("Dr X", ended, [share("b", ["r1"]), share("c", ["r2"])])).toBe(
      "This share has ended, but Dr X can still open all of its 2 records through 2 other shares.",
    );
  });

  it("says what taking one record out leaves", () => {
    const current = share("a", ["r1", "r2"]);
    expect(recordRemovedMessage("Dr X", "Knee", "r1", current, [current])).toBe(
      'Dr X can no longer open "Knee". Dr X can still open 1 record through this share.',
    );
    expect(recordRemovedMessage("Dr X", "Knee", "r1", share("a", ["r1"]), [share("a", ["r1"])])).toBe(
      'Dr X can no longer open "Knee". Dr X no longer has any access to your records.',
    );
    expect(recordRemovedMessage("Dr X", "Knee", "r1", current, [current, share("b", ["r1"])])).toBe(
      '"Knee" is no longer in this share, but Dr X can still open it through another share. Dr X can still open 1 record through this share, and 2 records in all through it and another share.',
    );
  });

  it("says what a change did and what the clinician can open now", () => {
    const after = share("a", ["r1", "r3"]);
    expect(shareChangedMessage("Dr X", { added: 1, removed: 1, permission: "read", endsOn: "9 Dec 2026" }, after, [share("a", ["r1", "r2"])])).toBe(
      "Changed your share with Dr X: added 1 record; took out 1 record; Dr X can now only read, not add notes; it now ends on 9 Dec 2026. Dr X can now open 2 records through this share.",
    );
    expect(shareChangedMessage("Dr X", { added: 0, removed: 0, endsOn: null }, after, [share("a", []), share("b", ["r9"])])).toBe(
      "Changed your share with Dr X: it no longer has an end date. Dr X can now open 2 records through this share, and 3 records in all through it and another share.",
    );
  });

  it("tells, for an ended share, what other shares still open", () => {
    expect(remainingAccess("Dr X", share("a", ["r1"]), [share("b", ["r2", "r3"])])).toBe("Still open to Dr X through another share: 2 records.");
    expect(remainingAccess("Dr X", share("a", ["r1"]), [share("b", ["r2"], "other")])).toBe("No other share with Dr X is active.");
  });
});
