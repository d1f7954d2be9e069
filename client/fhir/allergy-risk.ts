import { isObject, type FhirResource } from "./types";

// FHIR R4 AllergyIntolerance.criticality (value set allergy-intolerance-criticality), as a clinician reads it.
const criticalities: Readonly<Record<string, string>> = {
  high: "High criticality",
  low: "Low criticality",
  "unable-to-assess": "Criticality not assessed",
};
// FHIR R4 AllergyIntolerance.reaction.severity (value set reaction-event-severity), mildest first.
const severities = ["mild", "moderate", "severe"] as const;

/**
 * What a reader must see of an allergy before opening it, in a list row: its criticality, and
 * the most severe reaction recorded ("High criticality", "Severe reaction"). Empty for any other
 * resource, and for an allergy stating neither. Codes outside the two value sets are left out.
 */
export function allergyRisk(resource: FhirResource): string[] {
  if (resource.resourceType !== "AllergyIntolerance") return [];
  const criticality = typeof resource.criticality === "string" ? criticalities[resource.criticality] : undefined;
  const reactions: unknown[] = Array.isArray(resource.reaction) ? resource.reaction : [];
  const worst = Math.max(-1, ...reactions.map((reaction) => (isObject(reaction) ? severities.indexOf(reaction.severity as (typeof severities)[number]) : -1)));
  const severity = worst >= 0 ? `${severities[worst]![0]!.toUpperCase()}${severities[worst]!.slice(1)} reaction` : undefined;
  return [criticality, severity].filter((words): words is string => words !== undefined);
}
