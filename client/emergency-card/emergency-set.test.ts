import { describe, expect, it } from "vitest";
import type { OkEntry } from "../records/records";
import { emergencyEntries, emergencySetDigest } from "./emergency-set";

const entry = (id: string, resourceType: string, version = 1) =>
  ({ status: "ok", id, version, document: { v: 1, kind: "fhir", resource: { resourceType } } }) as unknown as OkEntry;
const chart = [entry("a", "AllergyIntolerance"), entry("c", "Condition"), entry("i", "Immunization"), entry("o", "Observation")];
const patient = { name: "Erika", birthDate: null };

describe("the emergency set", () => {
  it("holds the records of the chosen kinds and those named, in the chart's order", () => {
    expect(emergencyEntries(chart, { kinds: ["condition", "allergy"], recordIds: ["o"] }).map((record) => record.id)).toEqual(["a", "c", "o"]);
    expect(emergencyEntries(chart, { kinds: [], recordIds: ["missing"] })).toEqual([]);
  });

  it("has a digest that changes when a record joins, is edited or the revealed name changes, and not with the order", async () => {
    const digest = await emergencySetDigest(chart.slice(0, 2), patient);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await emergencySetDigest([...chart.slice(0, 2)].reverse(), patient)).toBe(digest);
    expect(await emergencySetDigest(chart.slice(0, 3), patient)).not.toBe(digest);
    expect(await emergencySetDigest([chart[0]!, entry("c", "Condition", 2)], patient)).not.toBe(digest);
    expect(await emergencySetDigest(chart.slice(0, 2), { ...patient, name: "Erika M." })).not.toBe(digest);
  });
});
