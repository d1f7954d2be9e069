import { describe, expect, it } from "vitest";
import { summarize } from "@/client/fhir";
import { clinicalForms, mergeEdit, validate } from "./clinical-forms";

const spec = (kind: string) => clinicalForms.find((form) => form.kind === kind)!;

describe("clinical forms", () => {
  it("explain each problem next to its field", () => {
    expect(validate(spec("observation"), { name: "", value: "abc", unit: "", date: "2999-01-01" }, "2026-11-24")).toEqual({
      name: "Enter what was measured.",
      value: "Enter a number, for example 120 or 6.5.",
      unit: "Enter the unit, for example mmHg.",
      date: "The date cannot be in the future.",
    });
    expect(validate(spec("immunization"), { vaccine: "Tetanus", date: "" }, "2026-11-24")).toEqual({ date: "Enter the date." });
  });

  it.each([
    ["medication", { name: "Metformin 500 mg", dosage: "twice a day", start: "2024-01-05", status: "active" }, "Metformin 500 mg", "medication"],
    ["allergy", { substance: "Penicillin", reaction: "hives", criticality: "high" }, "Penicillin", "allergy"],
    ["immunization", { vaccine: "Tetanus booster", date: "2025-03-01", lot: "AB12" }, "Tetanus booster", "immunization"],
    [
      "observation",
      { name: "Systolic blood pressure", value: "128", unit: "mmHg", date: "2026-10-01", category: "vital-signs" },
      "Systolic blood pressure: 128 mmHg",
      "observation",
    ],
  ])("build a %s the chart can title", (kind, values, title, summaryKind) => {
    const form = spec(kind);
    expect(validate(form, values, "2026-11-24")).toEqual({});
    const summary = summarize(form.build(values));
    expect(summary?.kind).toBe(summaryKind);
    expect(summary?.title).toBe(title);
  });
});

describe("editing", () => {
  it.each(clinicalForms.map((form) => [form.kind, form] as const))("reads back what the %s form built", (_kind, form) => {
    const values: Record<string, Record<string, string>> = {
      condition: { name: "Asthma", onset: "2020-02-02", status: "resolved" },
      medication: { name: "Salbutamol", dosage: "as needed", start: "2021-01-01", status: "active" },
      allergy: { substance: "Latex", reaction: "rash", criticality: "low" },
      immunization: { vaccine: "MMR", date: "2001-05-05", lot: "L1" },
      observation: { name: "HbA1c", value: "6.1", unit: "%", date: "2026-09-09", category: "laboratory" },
    };
    const input = values[form.kind]!;
    expect(form.read(form.build(input))).toEqual(input);
  });

  it("keeps identifiers and original codes that the form does not show", () => {
    const form = clinicalForms.find((spec) => spec.kind === "condition")!;
    const imported = {
      resourceType: "Condition",
      id: "ips-condition-1",
      identifier: [{ system: "urn:oid:1.2.3", value: "x" }],
      code: { coding: [{ system: "http://snomed.info/sct", code: "38341003", display: "Hypertension" }] },
      clinicalStatus: { coding: [{ code: "active" }] },
    };
    const values = { ...form.read(imported), status: "resolved" };
    const merged = mergeEdit(imported, form.build(values));
    expect(merged.id).toBe("ips-condition-1");
    expect(merged.identifier).toEqual(imported.identifier);
    expect(merged.code).toEqual(imported.code);
    expect((merged.clinicalStatus as { coding: Array<{ code: string }> }).coding[0]!.code).toBe("resolved");
  });
});

describe("editing an imported medication", () => {
  const form = clinicalForms.find((spec) => spec.kind === "medication")!;
  const imported = {
    resourceType: "MedicationStatement",
    id: "ms-1",
    status: "active",
    contained: [{ resourceType: "Medication", id: "med", code: { text: "Anastrozole 1 mg" } }],
    medicationReference: { reference: "#med" },
  };

  it("keeps the reference when the medication is unchanged, so medication[x] stays a single choice", () => {
    const merged = mergeEdit(imported, form.build({ ...form.read(imported), status: "stopped" }));
    expect(merged.medicationReference).toEqual({ reference: "#med" });
    expect(merged.medicationCodeableConcept).toBeUndefined();
    expect(merged.status).toBe("stopped");
  });

  it("replaces the reference when the patient renames the medication", () => {
    const merged = mergeEdit(imported, form.build({ ...form.read(imported), name: "Letrozole 2.5 mg" }));
    expect(merged.medicationReference).toBeUndefined();
    expect(merged.medicationCodeableConcept).toEqual({ text: "Letrozole 2.5 mg" });
  });
});
