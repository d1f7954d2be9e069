import type { AuditAction } from "@/contract/me";
import { describe, expect, it } from "vitest";
import { actorNameOf, byOthers, linkOpenerName, newActivity, newActivityWords, someoneUnknown, someoneWithALink } from "./trail-words";

const me = "user-me";
const doctor = "user-doctor";
const actors = { [doctor]: "Dr Ada Example" };

describe("who an event is credited to", () => {
  it("credits failed sign-ins with the person's passkeys to someone unknown, not to the app", () => {
    expect(actorNameOf({ actorId: null, action: "sign-in-failed" }, me, actors)).toBe(someoneUnknown);
    expect(actorNameOf({ actorId: null, action: "grant-expired" }, me, actors)).toBe("Health Safe Cloud");
    expect(actorNameOf({ actorId: me, action: "sign-in" }, me, actors)).toBe("You");
    expect(actorNameOf({ actorId: doctor, action: "file-fetched" }, me, actors)).toBe("Dr Ada Example");
    expect(actorNameOf({ actorId: "user-gone", action: "access-refused" }, me, actors)).toBe("Another account");
  });

  it("shows failed sign-ins under what others did, and not the person's own events nor the app's", () => {
    expect(byOthers({ actorId: null, action: "sign-in-failed" }, me)).toBe(true);
    expect(byOthers({ actorId: doctor, action: "access-refused" }, me)).toBe(true);
    expect(byOthers({ actorId: me, action: "record-created" }, me)).toBe(false);
    expect(byOthers({ actorId: null, action: "grant-expired" }, me)).toBe(false);
  });
});

describe("the new-activity badge", () => {
  const events = [
    { seq: 1, actorId: doctor, action: "file-fetched", outcome: "success" },
    { seq: 2, actorId: doctor, action: "records-received", outcome: "success" },
    { seq: 3, actorId: doctor, action: "record-fetched", outcome: "success" },
    { seq: 4, actorId: doctor, action: "access-refused", outcome: "denied", count: 2 },
    { seq: 5, actorId: null, action: "sign-in-failed", outcome: "failure", count: 56 },
    { seq: 6, actorId: me, action: "record-created", outcome: "success" },
    { seq: 7, actorId: null, action: "grant-expired", outcome: "success" },
    { seq: 8, actorId: doctor, action: "record-created", outcome: "success" },
  ] satisfies Array<{ action: AuditAction } & Record<string, unknown>>;

  it("counts refused attempts and failed sign-ins apart from accesses, each attempt of a counted event", () => {
    expect(newActivity(events, 1, me)).toEqual({ accesses: 3, refused: 2, failedSignIns: 56 });
    expect(newActivityWords(newActivity(events, 1, me))).toBe("3 new accesses · 2 refused attempts · 56 failed sign-ins");
  });

  it("says only the kinds there are, in the form each count needs", () => {
    expect(newActivityWords({ accesses: 1, refused: 0, failedSignIns: 0 })).toBe("1 new access");
    expect(newActivityWords({ accesses: 0, refused: 1, failedSignIns: 1 })).toBe("1 refused attempt · 1 failed sign-in");
    expect(newActivityWords(newActivity(events, 8, me))).toBe("");
  });
});

describe("events of the person's links", () => {
  it("credits opens and wrong passcodes to someone with the link, shows them under what others did, and counts them", () => {
    expect(actorNameOf({ actorId: null, action: "link-opened" }, me, actors)).toBe(someoneWithALink);
    expect(actorNameOf({ actorId: null, action: "link-passcode-refused" }, me, actors)).toBe(someoneWithALink);
    expect(actorNameOf({ actorId: me, action: "link-created" }, me, actors)).toBe("You");
    expect(byOthers({ actorId: null, action: "link-opened" }, me)).toBe(true);
    expect(byOthers({ actorId: me, action: "link-revoked" }, me)).toBe(false);
    const events = [
      { seq: 1, actorId: me, action: "link-created", outcome: "success" },
      { seq: 2, actorId: null, action: "link-opened", outcome: "success" },
      { seq: 3, actorId: null, action: "link-passcode-refused", outcome: "denied" },
      { seq: 4, actorId: me, action: "link-revoked", outcome: "success" },
    ] satisfies Array<{ action: AuditAction } & Record<string, unknown>>;
    expect(newActivity(events, 0, me)).toEqual({ accesses: 1, refused: 1, failedSignIns: 0 });
    expect(linkOpenerName("Dr Who")).toBe("Dr Who (name given when opening a link)");
  });
});
