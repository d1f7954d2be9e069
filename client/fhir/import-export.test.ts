import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildExportBundle } from "./export-bundle";
import { ImportError, planImport } from "./import-bundle";
import { summarize } from "./summary";

// Real HL7 test data (CC0), copied into fixtures/ (see fixtures/README.md).
const fixtures = path.resolve(__dirname, "../../fixtures/shl");
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
    expect(plan.records.find((record) => record.kind === "medication")!.resource.medicationReference).toEqual(expect.objectContaining({ reference: "#med" }));
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

describe("a hostile file given to the importer", () => {
  // Anything JSON can hold, and bundles whose entries are anything: the importer either
  // refuses with an ImportError or accounts for every entry, and every record it plans can be
  // shown, for any content and however deep (nested "resource" objects are the hostile part).
  const hostileEntry = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.record({ fullUrl: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })), resource: fc.jsonValue({ maxDepth: 4 }) }),
    fc.record({
      resource: fc.record({
        resourceType: fc.constantFrom(
          "Condition",
          "Observation",
          "MedicationStatement",
          "AllergyIntolerance",
          "Immunization",
          "Procedure",
          "Patient",
          "Bundle",
          "__proto__",
        ),
        code: fc.jsonValue({ maxDepth: 3 }),
        valueQuantity: fc.jsonValue({ maxDepth: 2 }),
        medicationReference: fc.jsonValue({ maxDepth: 2 }),
        contained: fc.jsonValue({ maxDepth: 2 }),
      }),
    }),
  );
  const hostileFile = fc.oneof(
    fc.jsonValue({ maxDepth: 5 }),
    fc.record({
      resourceType: fc.constant("Bundle"),
      type: fc.constantFrom("document", "collection", "transaction", 7),
      entry: fc.oneof(fc.array(hostileEntry, { maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })),
    }),
  );

  it("refuses it plainly or accounts for every entry, and never throws anything else", () => {
    fc.assert(
      fc.property(hostileFile, (file) => {
        let plan;
        try {
          plan = planImport(file);
        } catch (error) {
          expect(error).toBeInstanceOf(ImportError);
          return;
        }
        const entries = Array.isArray((file as { entry?: unknown }).entry) ? (file as { entry: unknown[] }).entry : [];
        expect(plan.records.length + plan.skipped.length).toBe(entries.length);
        for (const record of plan.records) expect(() => summarize(record.resource)).not.toThrow();
      }),
      { numRuns: 1000, seed: 17 },
    );
  });
});
