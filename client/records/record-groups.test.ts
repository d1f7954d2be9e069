import { describe, expect, it } from "vitest";
import type { FhirResource } from "../fhir";
import { kindOf } from "../fhir";
import { groupCountWords, groupRecords, summarizeRecords } from "./record-groups";

const record = (id: string, resource: FhirResource) => ({ id, document: { v: 1 as const, kind: kindOf(resource) ?? "other", resource } });

const chart = [
  record("a1", { resourceType: "AllergyIntolerance", code: { text: "Peanut" }, onsetDateTime: "2015" }),
  record("a2", {
    resourceType: "AllergyIntolerance",
    code: { coding: [{ system: "http://snomed.info/sct", code: "429625007", display: "No known food allergy (situation)" }] },
  }),
  record("c1", { resourceType: "Condition", code: { text: "Asthma" }, onsetDateTime: "2015-03-05" }),
  record("c2", { resourceType: "Condition", code: { text: "Migraine" }, onsetString: "teenage years" }),
  record("c3", { resourceType: "Condition", code: { text: "Eczéma" }, onsetDateTime: "2015-03" }),
  record("c4", { resourceType: "Condition", code: { text: "Gout" }, onsetDateTime: "2020-06-01T10:00:00Z" }),
  record("o1", { resourceType: "Observation", status: "final", code: { coding: [{ system: "http://loinc.org", code: "2160-0", display: "Creatinine" }] } }),
];

describe("record groups", () => {
  it("groups by kind in recordKinds order, newest first, partial dates by their start and the undated last", () => {
    const groups = groupRecords(summarizeRecords(chart));
    expect(groups.map((group) => group.kind)).toEqual(["condition", "allergy", "observation"]);
    expect(groups[0]!.rows.map((row) => row.item.id)).toEqual(["c4", "c1", "c3", "c2"]);
  });

  it("keeps statements apart and does not count them", () => {
    const allergies = groupRecords(summarizeRecords(chart)).find((group) => group.kind === "allergy")!;
    expect(allergies.rows.map((row) => row.item.id)).toEqual(["a1"]);
    expect(allergies.statements.map((row) => row.summary?.title)).toEqual(["No known food allergy"]);
  });

  it("finds a record by any word, code or accent-free spelling it shows", () => {
    const ids = (query: string) =>
      groupRecords(summarizeRecords(chart), query).flatMap((group) => [...group.rows, ...group.statements].map((row) => row.item.id));
    expect(ids("2160-0")).toEqual(["o1"]);
    expect(ids("http://loinc.org|2160-0")).toEqual(["o1"]);
    expect(ids("eczema")).toEqual(["c3"]);
    expect(ids("no known food")).toEqual(["a2"]);
    expect(ids("teenage")).toEqual(["c2"]);
    expect(ids("nothing like it")).toEqual([]);
  });
});

describe("a group's count in words", () => {
  it("counts what the person has and names statements apart, as the chart does", () => {
    const groups = groupRecords(summarizeRecords(chart));
    const allergies = groups.find((group) => group.kind === "allergy");
    const conditions = groups.find((group) => group.kind === "condition");
    expect(groupCountWords(allergies!)).toBe("1 and 1 statement");
    expect(groupCountWords(conditions!)).toBe(String(conditions!.rows.length));
    expect(groupCountWords({ rows: Array(1200).fill(null), statements: Array(2).fill(null) }, "en-GB")).toBe("1,200 and 2 statements");
  });
});
