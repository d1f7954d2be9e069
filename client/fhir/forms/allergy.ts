import { isObject } from "../types";
import { at, conceptText, setOrRemove, textConcept, type FormSpec } from "./model";

/**
 * Writes "what happens" as the first reaction's first manifestation, keeping the reaction's
 * other details (severity, onset) and other manifestations; cleared, that manifestation goes,
 * and the reaction with it once it has none (manifestation is 1..* in FHIR R4).
 */
function writeReaction(resource: Record<string, unknown>, text: string): void {
  const reactions = Array.isArray(resource.reaction) ? [...(resource.reaction as unknown[])] : [];
  const first = isObject(reactions[0]) ? { ...reactions[0] } : undefined;
  const manifestations = first && Array.isArray(first.manifestation) ? [...(first.manifestation as unknown[])] : [];
  if (text.trim()) {
    manifestations[0] = textConcept(text);
    reactions[0] = { ...first, manifestation: manifestations };
  } else if (first) {
    manifestations.shift();
    if (manifestations.length > 0) reactions[0] = { ...first, manifestation: manifestations };
    else reactions.shift();
  }
  setOrRemove(resource, "reaction", reactions.length > 0 ? reactions : undefined);
}

/** An allergy or intolerance: FHIR R4 AllergyIntolerance (code, reaction, criticality). */
export const allergyForm: FormSpec = {
  kind: "allergy",
  title: "allergy",
  resourceType: "AllergyIntolerance",
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
  create: () => ({
    resourceType: "AllergyIntolerance",
    id: crypto.randomUUID(),
    clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] },
    patient: { display: "Patient" },
  }),
  read: (resource) => ({
    substance: conceptText(resource.code),
    reaction: conceptText(at(resource, "reaction.0.manifestation.0")),
    criticality: typeof resource.criticality === "string" ? resource.criticality : "",
  }),
  kept: () => ({}),
  write(resource, values, changed) {
    if (changed("substance")) setOrRemove(resource, "code", values.substance?.trim() ? textConcept(values.substance) : undefined);
    if (changed("reaction")) writeReaction(resource, values.reaction ?? "");
    if (changed("criticality")) setOrRemove(resource, "criticality", values.criticality);
  },
};
