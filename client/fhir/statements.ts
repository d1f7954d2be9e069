/**
 * Negated and "no known …" statements: records that say something is absent, ruled out or
 * was not done. A chart shows them as statements in their group, never listed or counted as
 * an allergy, a problem or a medication the person has.
 */
import { conceptText } from "./names";
import { isObject, type FhirResource } from "./types";

/**
 * What a statement record says:
 * - `none-known`: "no known allergy / problem / medication" (SNOMED CT situations, IPS absent-unknown "no-known-…")
 * - `unknown`: no information is available (IPS absent-unknown "no-…-info", FamilyMemberHistory status health-unknown)
 * - `refuted`: Condition or AllergyIntolerance verificationStatus `refuted` (ruled out)
 * - `not-done`: Procedure, Immunization or MedicationAdministration status `not-done`, MedicationDispense `declined`
 * - `not-taken`: MedicationStatement status `not-taken`
 * - `do-not`: MedicationRequest or ServiceRequest with `doNotPerform` true (an order not to do it)
 */
export type Statement = "none-known" | "unknown" | "refuted" | "not-done" | "not-taken" | "do-not";

/** SNOMED CT situations that state an absence (the IPS value sets for allergies, problems, medications). */
const snomedNoneKnown = new Set([
  "716186003", // No known allergy
  "409137002", // No known history of drug allergy
  "429625007", // No known food allergy
  "428607008", // No known environmental allergy
  "428197003", // No known insect allergy
  "160245001", // No current problems or disability
  "182849000", // No drug therapy prescribed
]);

/** The IPS absent-unknown code system (http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips). */
export const ipsAbsentUnknown = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips";
const snomed = "http://snomed.info/sct";

/** Whether a code (Condition.code, AllergyIntolerance.code, the medication) states an absence, and which. */
export function absenceOf(concept: unknown): "none-known" | "unknown" | null {
  if (!isObject(concept)) return null;
  const codings = Array.isArray(concept.coding) ? concept.coding.filter(isObject) : [];
  for (const coding of codings) {
    const code = typeof coding.code === "string" ? coding.code : "";
    if (coding.system === ipsAbsentUnknown) {
      if (code.startsWith("no-known-")) return "none-known";
      if (code.startsWith("no-")) return "unknown";
    }
    if (coding.system === snomed && snomedNoneKnown.has(code)) return "none-known";
  }
  // A sender's own code with the words of one ("No known allergies").
  return /^no known\b/i.test(conceptText(concept) ?? "") ? "none-known" : null;
}

const codeOf = (concept: unknown): string | undefined => {
  if (!isObject(concept) || !Array.isArray(concept.coding)) return undefined;
  const coding: unknown = concept.coding.find((entry: unknown) => isObject(entry) && typeof entry.code === "string");
  return isObject(coding) ? String(coding.code) : undefined;
};

/**
 * The statement a record makes, from its FHIR R4 elements (see `Statement`); null for a
 * record that states something present or done. `drug` is the medication's concept, for the
 * medication resources.
 */
export function statementOf(resource: FhirResource, drug?: unknown): Statement | null {
  switch (resource.resourceType) {
    case "AllergyIntolerance":
    case "Condition":
      if (codeOf(resource.verificationStatus) === "refuted") return "refuted";
      return absenceOf(resource.code);
    case "MedicationStatement":
      if (resource.status === "not-taken") return "not-taken";
      return absenceOf(drug);
    case "MedicationRequest":
      if (resource.doNotPerform === true) return "do-not";
      return absenceOf(drug);
    case "ServiceRequest":
      return resource.doNotPerform === true ? "do-not" : null;
    case "MedicationAdministration":
      return resource.status === "not-done" ? "not-done" : null;
    case "MedicationDispense":
      return resource.status === "declined" ? "not-done" : null;
    case "Procedure":
      if (resource.status === "not-done") return "not-done";
      return absenceOf(resource.code);
    case "Immunization":
      if (resource.status === "not-done") return "not-done";
      return absenceOf(resource.vaccineCode);
    case "DeviceUseStatement":
    case "Device":
      return absenceOf(resource.type ?? resource.code);
    case "FamilyMemberHistory":
      return resource.status === "health-unknown" ? "unknown" : null;
    default:
      return null;
  }
}

/** "No known food allergy (situation)" -> "No known food allergy": the SNOMED CT semantic tag left out. */
export const withoutSemanticTag = (text: string): string => text.replace(/\s*\((situation|finding|disorder|qualifier value|procedure|substance)\)\s*$/, "");

/** A record's title as its statement: the named thing with what was stated about it. */
export function statementTitle(statement: Statement, name: string): string {
  switch (statement) {
    case "none-known":
    case "unknown":
      return withoutSemanticTag(name);
    case "refuted":
      return `Ruled out: ${name}`;
    case "not-done":
      return `Not done: ${name}`;
    case "not-taken":
      return `Not taken: ${name}`;
    case "do-not":
      return `Do not give or do: ${name}`;
  }
}
