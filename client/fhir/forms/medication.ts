import { isObject, type ContextEntry, type FhirResource } from "../types";
import { at, conceptText, dateChoiceKept, readDateChoice, setChoice, setOrRemove, textConcept, writeDateChoice, type FormSpec } from "./model";

/**
 * The medication a statement names: its medicationCodeableConcept, or the Medication its
 * medicationReference points to (contained "#id", or a context resource by fullUrl or
 * "Medication/id"), or the reference's display; "" when none of these names it.
 */
export function medicationName(resource: FhirResource, context: readonly ContextEntry[] = []): string {
  if (resource.medicationCodeableConcept !== undefined) return conceptText(resource.medicationCodeableConcept);
  const reference = isObject(resource.medicationReference) ? (resource.medicationReference as Partial<fhir4.Reference>) : undefined;
  if (!reference) return "";
  const target = typeof reference.reference === "string" ? reference.reference : undefined;
  let medication: unknown;
  if (target?.startsWith("#")) {
    medication = (Array.isArray(resource.contained) ? resource.contained : []).find((each) => isObject(each) && each.id === target.slice(1));
  } else if (target) {
    medication = context.find((entry) => entry.fullUrl === target || `${entry.resource.resourceType}/${entry.resource.id ?? ""}` === target)?.resource;
  }
  const named = isObject(medication) ? conceptText(medication.code) : "";
  return named || (typeof reference.display === "string" ? reference.display : "");
}

// FHIR R4 MedicationStatement.status (medication-statement-status), in the patient's words.
const statuses: Array<[string, string]> = [
  ["active", "Taking it"],
  ["completed", "Finished"],
  ["stopped", "Stopped"],
  ["on-hold", "Paused"],
  ["intended", "Going to take it"],
  ["not-taken", "Not taken"],
];

/** A medication: FHIR R4 MedicationStatement (medication[x], dosage, effective[x], status). */
export const medicationForm: FormSpec = {
  kind: "medication",
  title: "medication",
  resourceType: "MedicationStatement",
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
    { name: "start", label: "Started (optional)", type: "date", time: true, notFuture: true },
    {
      name: "status",
      label: "Status",
      type: "select",
      options: statuses,
      more: [
        ["unknown", "Not known"],
        ["entered-in-error", "Entered in error"],
      ],
    },
  ],
  create: () => ({ resourceType: "MedicationStatement", id: crypto.randomUUID(), subject: { display: "Patient" } }),
  read: (resource, context) => ({
    name: medicationName(resource, context),
    dosage: typeof at(resource, "dosage.0.text") === "string" ? String(at(resource, "dosage.0.text")) : "",
    start: readDateChoice(resource, "effective"),
    status: typeof resource.status === "string" ? resource.status : "",
  }),
  kept: (resource) => ({ start: dateChoiceKept(resource, "effective") }),
  write(resource, values, changed, context) {
    // medication[x] is one choice: a new name replaces a reference (and its codes) with the person's words.
    if (changed("name")) setChoice(resource, "medication", "CodeableConcept", textConcept(values.name ?? ""));
    if (changed("dosage")) {
      // A new text replaces the first dosage whole: its structured dose and timing said what the old text said.
      const dosages = Array.isArray(resource.dosage) ? [...(resource.dosage as unknown[])] : [];
      const text = values.dosage?.trim();
      if (text) dosages[0] = { text };
      else dosages.shift();
      setOrRemove(resource, "dosage", dosages.length > 0 ? dosages : undefined);
    }
    // A new statement's start is effectivePeriod.start; a stored effectiveDateTime stays a dateTime.
    if (changed("start")) writeDateChoice(resource, "effective", values.start ?? "", context, true);
    if (changed("status")) setOrRemove(resource, "status", values.status);
  },
};
