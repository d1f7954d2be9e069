import { storedResource } from "@/client/fhir";
import { today as todayWhereThePersonIs } from "@/client/format";
import type { RecordDocument } from "@/client/records/records";

/**
 * The patient-facing forms for clinical entries: which fields each asks for, how each is
 * checked (messages shown next to the field), and the FHIR R4 resource it becomes.
 */
export type FieldSpec =
  | { name: string; label: string; type: "text"; required?: boolean; missing?: string; hint?: string; max?: number }
  | { name: string; label: string; type: "date"; required?: boolean; notFuture?: boolean }
  | { name: string; label: string; type: "number"; required?: boolean }
  | { name: string; label: string; type: "select"; options: Array<[value: string, label: string]> };

export interface FormSpec {
  kind: string;
  title: string;
  fields: FieldSpec[];
  /** The FHIR R4 resource the values become, in the shape a record stores. */
  build(values: Record<string, string>): Resource;
  /** The form's values for an existing resource, for editing. */
  read(resource: RecordDocument["resource"]): Record<string, string>;
}

type Resource = RecordDocument["resource"];
// A stored resource may have been imported from anywhere: a concept is read as one only when it is an object.
const text = (value: unknown): string => {
  if (!value || typeof value !== "object") return "";
  const concept = value as fhir4.CodeableConcept;
  return concept.text ?? concept.coding?.find((coding) => coding.display)?.display ?? concept.coding?.[0]?.code ?? "";
};
const code = (value: unknown): string => (value as fhir4.CodeableConcept | undefined)?.coding?.[0]?.code ?? "";
const day = (value: unknown): string => (typeof value === "string" ? value.slice(0, 10) : "");
const at = (resource: Resource, path: string): unknown =>
  path.split(".").reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), resource);

const concept = (text: string): fhir4.CodeableConcept => ({ text: text.trim() });
const coded = (system: string, code: string): fhir4.CodeableConcept => ({ coding: [{ system, code }] });
const patient: fhir4.Reference = { display: "Patient" };

export const clinicalForms: FormSpec[] = [
  {
    kind: "condition",
    title: "problem",
    fields: [
      {
        name: "name",
        label: "Condition",
        type: "text",
        required: true,
        missing: "Enter the name of the condition.",
        hint: "For example: asthma, type 2 diabetes, high blood pressure.",
      },
      { name: "onset", label: "Since (optional)", type: "date", notFuture: true },
      {
        name: "status",
        label: "Status",
        type: "select",
        options: [
          ["active", "Active"],
          ["resolved", "Resolved"],
          ["inactive", "Inactive"],
        ],
      },
    ],
    build: (values) =>
      storedResource<fhir4.Condition>({
        resourceType: "Condition",
        id: crypto.randomUUID(),
        clinicalStatus: coded("http://terminology.hl7.org/CodeSystem/condition-clinical", values.status ?? "active"),
        code: concept(values.name ?? ""),
        subject: patient,
        ...(values.onset ? { onsetDateTime: values.onset } : {}),
      }),
    read: (resource) => ({ name: text(resource.code), onset: day(resource.onsetDateTime), status: code(resource.clinicalStatus) || "active" }),
  },
  {
    kind: "medication",
    title: "medication",
    fields: [
      {
        name: "name",
        label: "Medication",
        type: "text",
        required: true,
        missing: "Enter the name of the medication.",
        hint: "As on the box, for example: metformin 500 mg tablets.",
      },
      { name: "dosage", label: "How you take it (optional)", type: "text", hint: "For example: one tablet twice a day." },
      { name: "start", label: "Started (optional)", type: "date", notFuture: true },
      {
        name: "status",
        label: "Status",
        type: "select",
        options: [
          ["active", "Taking it"],
          ["completed", "Finished"],
          ["stopped", "Stopped"],
        ],
      },
    ],
    build: (values) =>
      storedResource<fhir4.MedicationStatement>({
        resourceType: "MedicationStatement",
        id: crypto.randomUUID(),
        status: (values.status ?? "active") as fhir4.MedicationStatement["status"],
        medicationCodeableConcept: concept(values.name ?? ""),
        subject: patient,
        ...(values.start ? { effectivePeriod: { start: values.start } } : {}),
        ...(values.dosage?.trim() ? { dosage: [{ text: values.dosage.trim() }] } : {}),
      }),
    read: (resource) => ({
      name: text(resource.medicationCodeableConcept ?? (Array.isArray(resource.contained) ? (resource.contained[0] as Resource | undefined)?.code : undefined)),
      dosage: String(at(resource, "dosage.0.text") ?? ""),
      start: day(at(resource, "effectivePeriod.start") ?? resource.effectiveDateTime),
      status: typeof resource.status === "string" ? resource.status : "active",
    }),
  },
  {
    kind: "allergy",
    title: "allergy",
    fields: [
      {
        name: "substance",
        label: "Allergic to",
        type: "text",
        required: true,
        missing: "Enter what you are allergic to.",
        hint: "For example: penicillin, peanuts, latex.",
      },
      { name: "reaction", label: "What happens (optional)", type: "text" },
      {
        name: "criticality",
        label: "How serious",
        type: "select",
        options: [
          ["unable-to-assess", "Not sure"],
          ["low", "Mild"],
          ["high", "Severe or life-threatening"],
        ],
      },
    ],
    build: (values) =>
      storedResource<fhir4.AllergyIntolerance>({
        resourceType: "AllergyIntolerance",
        id: crypto.randomUUID(),
        clinicalStatus: coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
        criticality: (values.criticality ?? "unable-to-assess") as NonNullable<fhir4.AllergyIntolerance["criticality"]>,
        code: concept(values.substance ?? ""),
        patient,
        ...(values.reaction?.trim() ? { reaction: [{ manifestation: [concept(values.reaction)] }] } : {}),
      }),
    read: (resource) => ({
      substance: text(resource.code),
      reaction: text(at(resource, "reaction.0.manifestation.0")),
      criticality: typeof resource.criticality === "string" ? resource.criticality : "unable-to-assess",
    }),
  },
  {
    kind: "immunization",
    title: "immunization",
    fields: [
      {
        name: "vaccine",
        label: "Vaccine",
        type: "text",
        required: true,
        missing: "Enter the name of the vaccine.",
        hint: "For example: tetanus booster, influenza 2026.",
      },
      { name: "date", label: "Date given", type: "date", required: true, notFuture: true },
      { name: "lot", label: "Lot number (optional)", type: "text", max: 40 },
    ],
    build: (values) =>
      storedResource<fhir4.Immunization>({
        resourceType: "Immunization",
        id: crypto.randomUUID(),
        status: "completed",
        vaccineCode: concept(values.vaccine ?? ""),
        patient,
        occurrenceDateTime: values.date,
        ...(values.lot?.trim() ? { lotNumber: values.lot.trim() } : {}),
      }),
    read: (resource) => ({ vaccine: text(resource.vaccineCode), date: day(resource.occurrenceDateTime), lot: String(resource.lotNumber ?? "") }),
  },
  {
    kind: "observation",
    title: "result or measurement",
    fields: [
      {
        name: "name",
        label: "What was measured",
        type: "text",
        required: true,
        missing: "Enter what was measured.",
        hint: "For example: blood pressure (systolic), HbA1c, weight.",
      },
      { name: "value", label: "Value", type: "number", required: true },
      {
        name: "unit",
        label: "Unit",
        type: "text",
        required: true,
        missing: "Enter the unit, for example mmHg.",
        hint: "For example: mmHg, %, kg, mg/dL.",
        max: 20,
      },
      { name: "date", label: "Date", type: "date", required: true, notFuture: true },
      {
        name: "category",
        label: "Kind",
        type: "select",
        options: [
          ["vital-signs", "Vital sign"],
          ["laboratory", "Lab result"],
        ],
      },
    ],
    build: (values) =>
      storedResource<fhir4.Observation>({
        resourceType: "Observation",
        id: crypto.randomUUID(),
        status: "final",
        category: [coded("http://terminology.hl7.org/CodeSystem/observation-category", values.category ?? "vital-signs")],
        code: concept(values.name ?? ""),
        subject: patient,
        effectiveDateTime: values.date,
        valueQuantity: { value: Number(values.value), unit: values.unit?.trim(), system: "http://unitsofmeasure.org", code: values.unit?.trim() },
      }),
    read: (resource) => ({
      name: text(resource.code),
      value: at(resource, "valueQuantity.value") === undefined ? "" : String(at(resource, "valueQuantity.value")),
      unit: String(at(resource, "valueQuantity.unit") ?? at(resource, "valueQuantity.code") ?? ""),
      date: day(resource.effectiveDateTime ?? at(resource, "effectivePeriod.start")),
      category: code(at(resource, "category.0")) === "laboratory" ? "laboratory" : "vital-signs",
    }),
  },
];

/**
 * Checks values against a form's fields; returns a message per failing field. `today`
 * (YYYY-MM-DD) is the day where the person is: a date given as today is never "in the future".
 */
export function validate(spec: FormSpec, values: Record<string, string>, today = todayWhereThePersonIs()) {
  const errors: Record<string, string> = {};
  for (const field of spec.fields) {
    const value = (values[field.name] ?? "").trim();
    if ("required" in field && field.required && !value) {
      errors[field.name] =
        field.type === "date"
          ? "Enter the date."
          : field.type === "number"
            ? "Enter a number."
            : ("missing" in field && field.missing) || "Please fill this in.";
    } else if (field.type === "number" && value && !Number.isFinite(Number(value))) {
      errors[field.name] = "Enter a number, for example 120 or 6.5.";
    } else if (field.type === "date" && value && field.notFuture && value > today) {
      errors[field.name] = "The date cannot be in the future.";
    } else if (field.type === "text" && value.length > (field.max ?? 200)) {
      errors[field.name] = `Keep this under ${field.max ?? 200} characters.`;
    }
  }
  return errors;
}

/**
 * An edit keeps everything the form does not show (identifiers, codings from an import):
 * the new fields go over the old resource, and a concept whose text did not change keeps
 * its original codes.
 */
export function mergeEdit(previous: Resource, edited: Resource): Resource {
  const merged: Resource = { ...previous, ...edited, id: previous.id ?? edited.id };
  // medication[x] is a choice: an imported statement names its medication by reference.
  if (previous.medicationReference && edited.medicationCodeableConcept) {
    const previousName = clinicalForms.find((spec) => spec.kind === "medication")!.read(previous).name;
    if (previousName === text(edited.medicationCodeableConcept)) delete merged.medicationCodeableConcept;
    else delete merged.medicationReference;
  }
  for (const [key, value] of Object.entries(edited)) {
    const before = previous[key];
    if (value && typeof value === "object" && "text" in value && Object.keys(value).length === 1 && text(before) === (value as fhir4.CodeableConcept).text) {
      merged[key] = before;
    }
  }
  return merged;
}
