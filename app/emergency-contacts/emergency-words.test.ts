import { describe, expect, it } from "vitest";
import { contactPartFirst, waitWords } from "./emergency-words";

describe("contactPartFirst", () => {
  it("puts the contact's part first while a request waits or access is open", () => {
    expect(contactPartFirst([{ state: "standby" }, { state: "requested" }])).toBe(true);
    expect(contactPartFirst([{ state: "open" }])).toBe(true);
  });
  it("keeps a patient's own contacts first otherwise", () => {
    expect(contactPartFirst(null)).toBe(false);
    expect(contactPartFirst([])).toBe(false);
    expect(contactPartFirst([{ state: "standby" }, { state: "refused" }, { state: "ended" }])).toBe(false);
  });
});

describe("waitWords", () => {
  it("says each wait in words", () => {
    expect([0, 86_400, 172_800, 604_800].map(waitWords)).toEqual(["Immediately", "24 hours", "48 hours", "7 days"]);
  });
});
