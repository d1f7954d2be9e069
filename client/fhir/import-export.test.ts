import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildExportBundle } from "./export-bundle";
import { ImportError, planImport } from "./import-bundle";
import { summarize } from "./summary";
import { contextResourceTypes } from "./kinds";

// Real HL7 test data (CC0), copied into fixtures/ (see fixtures/README.md).
const fixtures = path.resolve(__dirname, "../../fixtures/shl");
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), "utf8"));

describe("importing the International Patient Summary", () => {
  const bundle = fixture("IPS_IG-bundle-01.json") as { entry: Array<{ fullUrl: string; resource: { resourceType: string } }> };
  const plan = planImport(bundle);

  it("makes a record of every clinical entry and of the Composition, and says why the others were left out", () => {
    const count = (kind: string) => plan.records.filter((record) => record.kind === kind).length;
    expect({
      conditions: count("condition"),
      medications: count("medication"),
      allergies: count("allergy"),
      observations: count("observation"),
      compositions: count("composition"),
    }).toEqual({ conditions: 2, medications: 2, allergies: 2, observations: 7, compositions: 1 });
    expect(plan.skipped.map((entry) => entry.resourceType).sort()).toEqual(
      ["Medication", "Medication", "Organization", "Organization", "Patient", "Practitioner"].sort(),
    );
    for (const skipped of plan.skipped) expect(skipped.reason.length).toBeGreaterThan(10);
    expect(plan.skipped.find((entry) => entry.resourceType === "Medication")!.reason).toMatch(/kept with the 1 record that refers to it/);
  });

  it("keeps each resource exactly as it came, and the Medication a statement references (Medication/id) beside it", () => {
    const original = JSON.parse(JSON.stringify(bundle)) as typeof bundle;
    for (const record of plan.records) {
      const entry = original.entry.find((candidate) => candidate.fullUrl === record.fullUrl)!;
      expect(record.resource).toEqual(entry.resource);
    }
    for (const medication of plan.records.filter((record) => record.kind === "medication")) {
      const reference = (medication.resource.medicationReference as { reference: string }).reference;
      expect(reference).toMatch(/^Medication\//);
      expect(medication.resource.contained).toBeUndefined();
      const context = medication.context ?? [];
      const target = original.entry.find((entry) => `${entry.resource.resourceType}/${(entry.resource as { id?: string }).id}` === reference)!;
      expect(context.map((entry) => entry.fullUrl)).toEqual([target.fullUrl]);
      expect(context[0]!.resource).toEqual(target.resource);
    }
    // Never the Patient, whatever references it.
    expect(plan.records.flatMap((record) => record.context ?? []).some((entry) => entry.resource.resourceType === "Patient")).toBe(false);
  });

  it("gives every clinical record a title", () => {
    for (const record of plan.records.filter((candidate) => ["condition", "allergy", "observation"].includes(candidate.kind))) {
      const summary = summarize(record.resource);
      expect(summary?.title, JSON.stringify(record.resource.id)).toBeTruthy();
      expect(summary?.title).not.toBe("Untitled");
    }
  });

  it("keeps resources and their fullUrls, so export then import gives equal resources", () => {
    const exported = buildExportBundle(plan.records, new Date("2026-11-24T00:00:00Z"));
    const again = planImport(JSON.parse(JSON.stringify(exported)));
    // The export writes each context resource back once as its own entry; the import keeps it with its records again.
    expect(again.skipped.every((entry) => entry.resourceType !== undefined && contextResourceTypes.has(entry.resourceType))).toBe(true);
    expect(again.records.map((record) => record.resource)).toEqual(plan.records.map((record) => record.resource));
    expect(again.records.map((record) => record.fullUrl)).toEqual(plan.records.map((record) => record.fullUrl));
    expect(again.records.map((record) => record.context ?? [])).toEqual(plan.records.map((record) => record.context ?? []));
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
    expect(plan.records.map((record) => record.kind).sort()).toEqual(["allergy", "composition", "condition", "medication"]);
  });

  it("refuses what is not FHIR, or a Bundle type that carries no records, with a clear message", () => {
    expect(() => planImport({ resourceType: "Bundle", type: "history", entry: [] })).toThrow(/history Bundle/);
    expect(() => planImport({ resourceType: "Bundle", entry: [] })).toThrow(/no type/);
    expect(() => planImport("text")).toThrow(/not FHIR/);
    expect(() => planImport(fixture("IPS_IG-bundle-01-shl-details.json"))).toThrow(ImportError);
    expect(() => planImport({ resourceType: "Bundle", type: "collection", entry: "many" })).toThrow(ImportError);
    // The old cap of 5,000 entries is gone: the storage quota is the limit.
    const large = planImport({ resourceType: "Bundle", type: "collection", entry: Array.from({ length: 5001 }, () => ({})) });
    expect(large.skipped).toHaveLength(5001);
  });

  it("keeps every clinical entry, reports the others one by one, and imports the rest", () => {
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
        { resource: { resourceType: "OperationOutcome", issue: [] } },
        { resource: { resourceType: "__proto__" } },
        { resource: { resourceType: "MolecularSequence", id: "m" } },
      ],
    });
    expect(plan.records.map((record) => [record.resource.id, record.kind])).toEqual([
      ["no-code", "condition"],
      ["p", "procedure"],
      ["ok", "condition"],
      ["m", "other"],
    ]);
    expect(plan.skipped.map((entry) => entry.index)).toEqual([1, 2, 4, 6, 7]);
    expect(plan.skipped.map((entry) => entry.reason)).toEqual([
      "Entry 2: it holds no resource.",
      "Entry 3: it holds no resource.",
      "Entry 5: it is not a FHIR resource (it has no resourceType).",
      "Entry 7 (OperationOutcome): an OperationOutcome is a server's report on the exchange itself, not health information.",
      "Entry 8 (__proto__): this is not a FHIR resource type.",
    ]);
    expect(plan.records.some((record) => /not supported/.test(JSON.stringify(record)))).toBe(false);
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
    fc.array(hostileEntry, { maxLength: 10 }),
    hostileEntry.map((entry) => (typeof entry === "object" && entry !== null && "resource" in entry ? entry.resource : entry)),
    fc.record({
      resourceType: fc.constant("Bundle"),
      type: fc.constantFrom("document", "collection", "transaction", "searchset", "batch-response", "history", 7),
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
        // A list accounts for each item, a Bundle for each entry, a bare resource for itself.
        const bundleEntries = (file as { entry?: unknown }).entry;
        const expected = Array.isArray(file)
          ? file.length
          : (file as { resourceType?: unknown }).resourceType === "Bundle"
            ? Array.isArray(bundleEntries)
              ? bundleEntries.length
              : 0
            : 1;
        expect(plan.records.length + plan.skipped.length).toBe(expected);
        for (const record of plan.records) expect(() => summarize(record.resource)).not.toThrow();
      }),
      { numRuns: 1000, seed: 17 },
    );
  });
});
