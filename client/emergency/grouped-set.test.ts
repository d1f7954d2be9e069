import { describe, expect, it } from "vitest";
import type { RecordDocument } from "../records/records";
import { groupEmergencySet } from "./grouped-set";

const doc = (resource: Record<string, unknown>): { document: RecordDocument } => ({
  document: { v: 1, kind: "fhir", resource: resource as RecordDocument["resource"] },
});
const allergy = (text: string, criticality?: string) =>
  doc({ resourceType: "AllergyIntolerance", code: { text }, ...(criticality ? { criticality } : {}), patient: { reference: "Patient/p" } });

describe("an opened emergency set in groups", () => {
  it("reads allergies first (high criticality first, criticality shown), then medications, problems, immunizations and other named records", () => {
    const set = [
      doc({ resourceType: "Condition", code: { text: "Asthma" }, subject: { reference: "Patient/p" } }),
      doc({ resourceType: "DocumentReference", status: "current", description: "Advance directive", content: [] }),
      allergy("Latex", "low"),
      doc({ resourceType: "Immunization", status: "completed", vaccineCode: { text: "Tetanus" }, occurrenceDateTime: "2020" }),
      allergy("Penicillin", "high"),
      doc({ resourceType: "MedicationStatement", status: "active", medicationCodeableConcept: { text: "Salbutamol" } }),
      allergy("Peanut"),
    ];
    const groups = groupEmergencySet(set);
    expect(groups.map((group) => group.heading)).toEqual(["Allergies", "Medications", "Problems", "Immunizations", "Other records"]);
    const allergies = groups[0]!.records;
    expect(allergies.map((entry) => [entry.title, entry.criticality])).toEqual([
      ["Penicillin", "high criticality"],
      ["Peanut", null],
      ["Latex", "low criticality"],
    ]);
    expect(groups[1]!.records[0]!.title).toBe("Salbutamol");
    expect(groups[4]!.records[0]!.record).toBe(set[1]);
  });

  it("leaves out empty groups, and an empty set has none", () => {
    expect(groupEmergencySet([doc({ resourceType: "Condition", code: { text: "Asthma" }, subject: { reference: "Patient/p" } })]).map((g) => g.key)).toEqual([
      "condition",
    ]);
    expect(groupEmergencySet([])).toEqual([]);
  });
});
