import { conceptText, dateChoiceKept, readDateChoice, setOrRemove, textConcept, writeDateChoice, type FormSpec } from "./model";

/** An immunization: FHIR R4 Immunization (vaccineCode, occurrence[x], lotNumber). */
export const immunizationForm: FormSpec = {
  kind: "immunization",
  title: "immunization",
  resourceType: "Immunization",
  fields: [
    {
      name: "vaccine",
      label: "Vaccine",
      type: "text",
      required: true,
      missing: "Enter the name of the vaccine.",
      hint: "For example: tetanus booster, influenza 2026.",
    },
    { name: "date", label: "Date given", type: "date", time: true, required: true, notFuture: true },
    { name: "lot", label: "Lot number (optional)", type: "text", max: 40 },
  ],
  create: () => ({ resourceType: "Immunization", id: crypto.randomUUID(), status: "completed", patient: { display: "Patient" } }),
  read: (resource) => ({
    vaccine: conceptText(resource.vaccineCode),
    date: readDateChoice(resource, "occurrence"),
    lot: typeof resource.lotNumber === "string" ? resource.lotNumber : "",
  }),
  kept: (resource) => ({ date: dateChoiceKept(resource, "occurrence") }),
  write(resource, values, changed, context) {
    if (changed("vaccine")) setOrRemove(resource, "vaccineCode", values.vaccine?.trim() ? textConcept(values.vaccine) : undefined);
    // occurrence[x] is required (1..1): the form requires the date, so it is never cleared.
    if (changed("date")) writeDateChoice(resource, "occurrence", values.date ?? "", context);
    if (changed("lot")) setOrRemove(resource, "lotNumber", values.lot?.trim());
  },
};
