import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dosageText, repeatText } from "./dosage";
import { summarize } from "./summary";
import type { FhirResource } from "./types";

describe("a FHIR R4 Dosage in words", () => {
  it("reads 01's MedicationStatement dosage as '1 tablet, once daily, by mouth' in the list's details", () => {
    const bundle = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world/01-ips-minimal.json"), "utf8")) as {
      entry: Array<{ resource: FhirResource }>;
    };
    const statement = bundle.entry.map((entry) => entry.resource).find((resource) => resource.resourceType === "MedicationStatement")!;
    expect(dosageText((statement.dosage as unknown[])[0])).toBe("1 tablet, once daily, by mouth");
    expect(summarize(statement)?.details).toContain("1 tablet, once daily, by mouth");
  });

  it("prefers the dosage's own text", () => {
    expect(dosageText({ text: "Take one at night", timing: { repeat: { frequency: 1, period: 1, periodUnit: "d" } } })).toBe("Take one at night");
  });

  it("says how often as a clinician does", () => {
    expect(repeatText({ frequency: 1, period: 1, periodUnit: "d" })).toBe("once daily");
    expect(repeatText({ frequency: 2, period: 1, periodUnit: "d" })).toBe("twice daily");
    expect(repeatText({ frequency: 1, period: 8, periodUnit: "h" })).toBe("every 8 hours");
    expect(repeatText({ frequency: 3, period: 1, periodUnit: "wk" })).toBe("3 times a week");
    expect(repeatText({ frequency: 1, frequencyMax: 2, period: 1, periodUnit: "d" })).toBe("1–2 times daily");
    expect(repeatText({ count: 1 })).toBe("once");
    expect(repeatText({})).toBeNull();
  });

  it("builds the sentence from dose range, timing code, route and asNeeded", () => {
    expect(
      dosageText({
        doseAndRate: [{ doseRange: { low: { value: 1, unit: "puff" }, high: { value: 2, unit: "puff" } } }],
        timing: { code: { coding: [{ code: "Q4H" }] } },
        route: { text: "Inhalation" },
        asNeededBoolean: true,
      }),
    ).toMatch(/^1.*2 puff, every 4 hours, inhalation, as needed$/);
    expect(dosageText({ doseAndRate: [{ doseQuantity: { value: 500, unit: "mg" } }], asNeededCodeableConcept: { text: "pain" } })).toBe(
      "500 mg, as needed for pain",
    );
    expect(dosageText({ dose: { value: 10, unit: "mg" }, route: { coding: [{ system: "http://snomed.info/sct", code: "26643006" }] } })).toBe(
      "10 mg, by mouth",
    );
    expect(dosageText({})).toBeNull();
  });
});
