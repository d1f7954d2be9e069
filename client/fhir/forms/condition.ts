import { conceptCode, conceptText, dateChoiceKept, readDateChoice, setOrRemove, textConcept, writeDateChoice, type FormSpec } from "./model";

const clinicalSystem = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const clinicalStatuses: Array<[string, string]> = [
  ["active", "Active"],
  ["resolved", "Resolved"],
  ["inactive", "Inactive"],
  ["recurrence", "Returned (recurrence)"],
  ["relapse", "Relapse"],
  ["remission", "In remission"],
];
// The FHIR R4 displays of condition-clinical, written with the code.
const displays: Record<string, string> = {
  active: "Active",
  recurrence: "Recurrence",
  relapse: "Relapse",
  inactive: "Inactive",
  remission: "Remission",
  resolved: "Resolved",
};

/** A problem: FHIR R4 Condition (code, onset[x], clinicalStatus). */
export const conditionForm: FormSpec = {
  kind: "condition",
  title: "problem",
  resourceType: "Condition",
  fields: [
    {
      name: "name",
      label: "Condition",
      type: "text",
      required: true,
      missing: "Enter the name of the condition.",
      hint: "For example: asthma, type 2 diabetes, high blood pressure.",
    },
    { name: "onset", label: "Since (optional)", type: "date", time: true, notFuture: true },
    { name: "status", label: "Status", type: "select", options: clinicalStatuses },
  ],
  create: () => ({ resourceType: "Condition", id: crypto.randomUUID(), subject: { display: "Patient" } }),
  read: (resource) => ({
    name: conceptText(resource.code),
    onset: readDateChoice(resource, "onset"),
    status: conceptCode(resource.clinicalStatus, clinicalSystem) || conceptCode(resource.clinicalStatus),
  }),
  kept: (resource) => ({ onset: dateChoiceKept(resource, "onset") }),
  write(resource, values, changed, context) {
    if (changed("name")) setOrRemove(resource, "code", values.name?.trim() ? textConcept(values.name) : undefined);
    if (changed("onset")) writeDateChoice(resource, "onset", values.onset ?? "", context);
    if (changed("status")) {
      const code = values.status ?? "";
      setOrRemove(resource, "clinicalStatus", code ? { coding: [{ system: clinicalSystem, code, display: displays[code] ?? code }] } : undefined);
    }
  },
};
