import { describe, expect, it } from "vitest";
import { labelOf, throughTeam } from "./action-labels";

describe("history wording", () => {
  it("says how many records one committed import added, not how many times", () => {
    const imported = { action: "records-imported" as const, windowStart: "2026-11-30T05:00:00.000Z", windowEnd: "2026-11-30T05:02:00.000Z" };
    expect(labelOf({ ...imported, count: 1 })).toBe("Imported 1 record");
    expect(labelOf({ ...imported, count: 3000 })).toBe("Imported 3,000 records");
  });

  it("says how many records a page of the chart held, and keeps older whole-chart events as they were", () => {
    const ids = ["6f1c1b7e-0000-4000-8000-000000000100", "6f1c1b7e-0000-4000-8000-000000000101"];
    expect(labelOf({ action: "chart-fetched", recordIds: ids })).toBe("Loaded 2 records of the chart");
    expect(labelOf({ action: "chart-fetched", recordIds: [] })).toBe("Loaded the chart (it was empty)");
    expect(labelOf({ action: "chart-fetched", recordIds: null })).toBe("Loaded the whole chart");
  });

  it("says how many records one batch of key rotations moved, and keeps one record's event as it was", () => {
    const ids = ["6f1c1b7e-0000-4000-8000-000000000100", "6f1c1b7e-0000-4000-8000-000000000101"];
    expect(labelOf({ action: "record-key-rotated", recordIds: ids })).toBe("Moved 2 records to new keys");
    expect(labelOf({ action: "record-key-rotated", recordIds: null })).toBe("Moved a record to a new key");
  });

  it("still words a counted refusal by its attempts and window", () => {
    expect(labelOf({ action: "access-refused", count: 3, windowStart: "2026-11-30T05:00:00.000Z", windowEnd: "2026-11-30T05:02:00.000Z" })).toMatch(
      /^Was refused access 3 times, from .+ to .+$/,
    );
  });

  it("names who left or joined which care team, and keeps older team events (naming neither) as they were", () => {
    const team = "Cardiology · Riverside Hospital";
    expect(labelOf({ action: "team-member-removed", actorName: "Dr Bob Example", teamName: team })).toBe(
      "Dr Bob Example left Cardiology · Riverside Hospital; the share and your records move to new keys",
    );
    expect(labelOf({ action: "team-member-added", actorName: "Dr Ada Example", teamName: team })).toBe(
      "Dr Ada Example joined Cardiology · Riverside Hospital: can open what you share with the team",
    );
    expect(labelOf({ action: "team-member-removed", actorName: "Dr Bob Example" })).toBe(
      "A member left a care team you share with; your records move to new keys",
    );
    expect(labelOf({ action: "grant-renewed" })).toBe("Renewed a share with a care team under a new key after a member left");
  });

  it("names who opened a link, or tried a wrong passcode, when their name is known", () => {
    expect(labelOf({ action: "link-opened", recipient: "Dr Who" })).toBe("Link opened by Dr Who");
    expect(labelOf({ action: "link-opened" })).toBe("One of your links was opened");
    expect(labelOf({ action: "link-passcode-refused", recipient: "Someone" })).toBe("Wrong passcode for one of your links, from Someone");
    expect(labelOf({ action: "link-created" })).toBe("Made a link to share records");
    expect(labelOf({ action: "link-revoked" })).toBe("Revoked a link");
  });
});

describe("which team a read came through", () => {
  const owner = "11111111-1111-4111-8111-111111111111";
  const alice = "22222222-2222-4222-8222-222222222222";
  it("names the team of a member's action on a team's grant", () => {
    expect(throughTeam({ action: "records-received", actorId: alice, teamName: "Cardiology · Riverside" }, owner)).toBe("through Cardiology · Riverside");
  });
  it("says nothing for a clinician's own grant, the owner's own action, or joining and leaving (worded with the team already)", () => {
    expect(throughTeam({ action: "records-received", actorId: alice }, owner)).toBeNull();
    expect(throughTeam({ action: "grant-created", actorId: owner, teamName: "Cardiology · Riverside" }, owner)).toBeNull();
    expect(throughTeam({ action: "team-member-added", actorId: alice, teamName: "Cardiology · Riverside" }, owner)).toBeNull();
  });
});
