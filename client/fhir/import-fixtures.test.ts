import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planImport } from "./import-bundle";
import { readImportFile } from "./import-source";
import { ImportError } from "./import-error";
import { planEntries, type ImportPlan } from "./import-bundle";

// The real-world inputs and what a user expects of each: fixtures/real-world/README.md.
const root = path.resolve(__dirname, "../../fixtures");
const text = (name: string) => readFileSync(path.join(root, name), "utf8");
const fixture = (name: string): unknown => JSON.parse(text(name));
const kinds = (plan: ImportPlan) => {
  const counts: Record<string, number> = {};
  for (const record of plan.records) counts[record.kind] = (counts[record.kind] ?? 0) + 1;
  return counts;
};
/** Every entry's resource, as the file has it, by position. */
const resourcesOf = (json: unknown): unknown[] => {
  const value = json as { resourceType?: string; entry?: Array<{ resource?: unknown }> } | unknown[];
  if (!Array.isArray(value) && value.resourceType !== "Bundle") return [value];
  return Array.isArray(value) ? value.map((item) => (item as { resource?: unknown }).resource ?? item) : (value.entry ?? []).map((entry) => entry.resource);
};

describe("the real-world fixtures", () => {
  it.each([
    ["real-world/01-ips-minimal.json", { condition: 1, medication: 1, allergy: 1, composition: 1 }],
    ["real-world/02-ips-no-info.json", { immunization: 2, composition: 1 }],
    ["real-world/04-ips-with-immunization.json", { condition: 2, medication: 2, allergy: 2, observation: 7, immunization: 1, composition: 1 }],
    [
      "real-world/05-synthea-transaction.json",
      { encounter: 1, condition: 1, observation: 1, medication: 1, immunization: 1, note: 1, report: 1, procedure: 1 },
    ],
    ["real-world/07-everything-searchset.json", { condition: 1, observation: 1 }],
    ["real-world/08-2001-observations.json", { observation: 2001 }],
    ["real-world/09-big-inline-pdf.json", { condition: 1, immunization: 1, document: 1 }],
    ["real-world/10-values-and-dates.json", { observation: 8, condition: 3, immunization: 1, medication: 1 }],
    ["real-world/13-single-resource.json", { observation: 1 }],
    ["real-world/15-med-effective-datetime.json", { medication: 1, observation: 1 }],
    ["shl/IPS_IG-bundle-01.json", { condition: 2, medication: 2, allergy: 2, observation: 7, composition: 1 }],
    ["shl/example-00-a-fhirBundle.json", { immunization: 3 }],
    ["shl/example-01-a-fhirBundle.json", { immunization: 3 }],
    ["shl/example-02-a-fhirBundle.json", { condition: 1, medication: 1, allergy: 1, composition: 1 }],
    ["shl/example-03-a-fhirBundle.json", { immunization: 2 }],
    // A JSON array of Bundle entries: the Coverage is kept (an "other" record), its payer Organization beside it.
    ["shl/CARIN_INS_CD-bundle-01.json", { other: 1 }],
  ])("%s gives the records its README states, each resource exactly as it came", (name, expected) => {
    const json = fixture(name);
    const original = structuredClone(json);
    const plan = planImport(json);
    expect(kinds(plan)).toEqual(expected);
    // Every entry is accounted for: a record, or skipped with a reason.
    expect(plan.records.length + plan.skipped.length).toBe(resourcesOf(original).length);
    const resources = resourcesOf(original);
    for (const record of plan.records) {
      const position = /^(?:Entry|Item) (\d+)$/.exec(record.label);
      expect(record.resource).toEqual(position ? resources[Number(position[1]) - 1] : resources[0]);
    }
    // Only non-clinical things are skipped.
    for (const skipped of plan.skipped) {
      expect(["Patient", "Practitioner", "PractitionerRole", "Organization", "Medication", "Location", "RelatedPerson", "Substance"]).toContain(
        skipped.resourceType,
      );
    }
    expect(json).toEqual(original);
  });

  it("04: the coded 'No known food allergy' is one of the 14 records, French text intact", () => {
    const plan = planImport(fixture("real-world/04-ips-with-immunization.json"));
    expect(plan.records.filter((record) => record.kind !== "composition")).toHaveLength(14);
    const serialized = JSON.stringify(plan.records.map((record) => record.resource));
    expect(serialized).toMatch(/[éèàç]/);
    expect(plan.records.some((record) => record.resource.resourceType === "AllergyIntolerance" && /food/i.test(JSON.stringify(record.resource.code)))).toBe(
      true,
    );
  });

  it("01: the medication's Medication (urn:uuid) is kept beside it; the Composition keeps its sections", () => {
    const plan = planImport(fixture("real-world/01-ips-minimal.json"));
    const medication = plan.records.find((record) => record.kind === "medication")!;
    const reference = (medication.resource.medicationReference as { reference: string }).reference;
    expect(reference).toMatch(/^urn:uuid:/);
    expect(medication.context?.map((entry) => [entry.fullUrl, entry.resource.resourceType])).toEqual([[reference, "Medication"]]);
    const composition = plan.records.find((record) => record.kind === "composition")!;
    expect(Array.isArray(composition.resource.section)).toBe(true);
  });

  it("02: the empty sections keep their emptyReason", () => {
    const plan = planImport(fixture("real-world/02-ips-no-info.json"));
    const composition = plan.records.find((record) => record.kind === "composition")!;
    const sections = composition.resource.section as Array<{ emptyReason?: unknown }>;
    expect(sections.filter((section) => section.emptyReason).length).toBeGreaterThan(0);
  });

  it("05: the request parts are not kept; the note is a note; only the Patient is skipped", () => {
    const plan = planImport(fixture("real-world/05-synthea-transaction.json"));
    expect(JSON.stringify(plan)).not.toContain('"method":"POST"');
    expect(plan.skipped.map((entry) => entry.resourceType)).toEqual(["Patient"]);
    expect(plan.records.find((record) => record.kind === "note")!.resource.resourceType).toBe("DocumentReference");
    expect(plan.records.find((record) => record.resource.resourceType === "MedicationRequest")!.kind).toBe("medication");
  });

  it("07: search parts are not kept; the CJK text is intact", () => {
    const plan = planImport(fixture("real-world/07-everything-searchset.json"));
    expect(JSON.stringify(plan)).not.toContain('"mode"');
    expect(JSON.stringify(plan.records)).toContain("2型糖尿病");
  });
});

describe("files that are not FHIR", () => {
  it.each(["shl/IPS_IG-bundle-01-enc.txt", "shl/IPS_IG-bundle-01-shl.txt"])("%s is refused as not JSON", async (name) => {
    await expect(readImportFile(new Blob([text(name)]), path.basename(name))).rejects.toThrow(/not JSON/);
  });

  it("the SHL details file is JSON but not FHIR", async () => {
    const error = await readImportFile(new Blob([text("shl/IPS_IG-bundle-01-shl-details.json")]), "details.json").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(/not FHIR/);
  });

  it("reads a fixture through the file path the page uses", async () => {
    const plan = planEntries(await readImportFile(new Blob([text("real-world/13-single-resource.json")]), "13.json"));
    expect(plan.form).toBe("a single Observation");
    expect(plan.records).toHaveLength(1);
  });
});
