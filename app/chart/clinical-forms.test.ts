import { describe, expect, it } from "vitest";
import { summarize } from "@/lib/client/fhir-records";
import { clinicalForms, validate } from "./clinical-forms";

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
    ["observation", { name: "Systolic blood pressure", value: "128", unit: "mmHg", date: "2026-10-01", category: "vital-signs" }, "Systolic blood pressure: 128 mmHg", "observation"],
  ])("build a %s the chart can title", (kind, values, title, summaryKind) => {
    const form = spec(kind);
    expect(validate(form, values, "2026-11-24")).toEqual({});
    const summary = summarize(form.build(values));
    expect(summary?.kind).toBe(summaryKind);
    expect(summary?.title).toBe(title);
  });
});
