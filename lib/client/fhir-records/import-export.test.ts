import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildExportBundle } from "./export-bundle";
import { ImportError, planImport } from "./import-bundle";
import { summarize } from "./summary";

// Real HL7 test data from ../shared/fixtures (CC0), beside this repository.
const fixtures = path.resolve(__dirname, "../../../../shared/fixtures/shl");
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), "utf8"));

describe("importing the International Patient Summary", () => {
  const plan = planImport(fixture("IPS_IG-bundle-01.json"));

  it("makes a record of every clinical entry and says why the others were left out", () => {
    const count = (kind: string) => plan.records.filter((record) => record.kind === kind).length;
    expect({ conditions: count("condition"), medications: count("medication"), allergies: count("allergy"), observations: count("observation") }).toEqual({
      conditions: 2,
      medications: 2,
      allergies: 2,
      observations: 7,
    });
    expect(plan.skipped.map((entry) => entry.resourceType).sort()).toEqual(
      ["Composition", "Medication", "Medication", "Organization", "Organization", "Patient", "Practitioner"].sort(),
    );
    for (const skipped of plan.skipped) expect(skipped.reason.length).toBeGreaterThan(10);
  });

  it("gives every record a title, and medications the name of the medication they reference", () => {
    for (const record of plan.records) {
      const summary = summarize(record.resource);
      expect(summary?.title, JSON.stringify(record.resource.id)).toBeTruthy();
      expect(summary?.title).not.toBe("Untitled");
    }
    const medications = plan.records.filter((record) => record.kind === "medication").map((record) => summarize(record.resource)!.title);
    expect(medications.every((title) => title.length > 3)).toBe(true);
    expect(plan.records.find((record) => record.kind === "medication")!.resource.medicationReference).toEqual(
      expect.objectContaining({ reference: "#med" }),
    );
  });

  it("keeps resources and their fullUrls, so export then import gives equal resources", () => {
    const exported = buildExportBundle(plan.records, new Date("2026-11-24T00:00:00Z"));
    const again = planImport(JSON.parse(JSON.stringify(exported)));
    expect(again.skipped).toEqual([]);
    expect(again.records.map((record) => record.resource)).toEqual(plan.records.map((record) => record.resource));
    expect(again.records.map((record) => record.fullUrl)).toEqual(plan.records.map((record) => record.fullUrl));
  });
});

describe("importing other bundles", () => {
  it.each(["example-00-a-fhirBundle.json", "example-01-a-fhirBundle.json", "example-03-a-fhirBundle.json"])("imports the immunizations of %s", (name) => {
    const plan = planImport(fixture(name));
    expect(plan.records.length).toBeGreaterThan(0);
    expect(plan.records.every((record) => record.kind === "immunization")).toBe(true);
    for (const record of plan.records) expect(summarize(record.resource)?.date).toBeTruthy();
  });

  it("imports a small IPS document", () => {
    const plan = planImport(fixture("example-02-a-fhirBundle.json"));
    expect(plan.records.map((record) => record.kind).sort()).toEqual(["allergy", "condition", "medication"]);
  });

  it("refuses what is not a document or collection Bundle, with a clear message", () => {
    expect(() => planImport(fixture("CARIN_INS_CD-bundle-01.json"))).toThrow(ImportError);
    expect(() => planImport({ resourceType: "Bundle", type: "transaction", entry: [] })).toThrow(/transaction/);
    expect(() => planImport("text")).toThrow("This file is not a FHIR Bundle.");
    expect(() => planImport({ resourceType: "Patient" })).toThrow(ImportError);
    expect(() => planImport({ resourceType: "Bundle", type: "collection", entry: Array.from({ length: 5001 }, () => ({})) })).toThrow(/5001/);
  });

  it("reports invalid and unsupported entries one by one and still imports the rest", () => {
    const plan = planImport({
      resourceType: "Bundle",
      type: "collection",
      entry: [
        { resource: { resourceType: "Condition", id: "no-code" } },
        {},
        { resource: "a string" },
        { resource: { resourceType: "Procedure", id: "p" } },
        { resource: { id: "typeless" } },
        { fullUrl: "urn:uuid:1", resource: { resourceType: "Condition", id: "ok", code: { text: "Asthma" } } },
      ],
    });
    expect(plan.records.map((record) => record.resource.id)).toEqual(["ok"]);
    expect(plan.skipped.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
    expect(plan.skipped[0]!.reason).toMatch(/no code/);
    expect(plan.skipped[3]!.reason).toMatch(/Procedure records are not supported/);
  });
});
