import { isObject, type FhirResource } from "../fhir/types";

/**
 * SNOMED CT concepts that state an absence rather than name a thing (IPS "no known …"
 * statements): no known allergy, no known drug, food, environmental or insect allergy, no
 * current problems or disability.
 */
const noKnownSnomed = new Set(["716186003", "409137002", "429625007", "428607008", "160245001", "428197003"]);
const snomed = "http://snomed.info/sct";
/** HL7 IPS IG CodeSystem of "absent or unknown" statements (no-known-allergies, no-medication-info...). */
const ipsAbsentUnknown = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips";

/** The concept that says what a record is about, per FHIR R4 resource type. */
const conceptFields: Record<string, string> = {
  AllergyIntolerance: "code",
  Condition: "code",
  Procedure: "code",
  MedicationStatement: "medicationCodeableConcept",
  MedicationRequest: "medicationCodeableConcept",
  Immunization: "vaccineCode",
};

const statesAbsence = (concept: unknown): boolean =>
  isObject(concept) &&
  Array.isArray(concept.coding) &&
  concept.coding.some(
    (coding: unknown) =>
      isObject(coding) &&
      (coding.system === ipsAbsentUnknown || (coding.system === snomed && typeof coding.code === "string" && noKnownSnomed.has(coding.code))),
  );

const firstCode = (value: unknown): unknown => (isObject(value) && Array.isArray(value.coding) && isObject(value.coding[0]) ? value.coding[0].code : undefined);

/** "No known food allergy (situation)" → "No known food allergy": the SNOMED semantic tag is for coders. */
const withoutSemanticTag = (title: string): string => title.replace(/\s*\((situation|finding|disorder|qualifier value|procedure)\)$/, "");

/**
 * What a negated or "no known" record states, as the sentence a summary shows in place of a
 * line ("No known food allergy", "Measles vaccine: not done"), or null for a record that
 * names something the patient has, had or takes. Covers the IPS absent-unknown codes and
 * SNOMED "no known" situations, `verificationStatus` refuted (Condition,
 * AllergyIntolerance), `status` not-done (Procedure, Immunization) and not-taken
 * (MedicationStatement). `title` is the record's title (client/fhir `summarize`).
 */
export function negatedStatement(resource: FhirResource, title: string): string | null {
  const field = conceptFields[resource.resourceType];
  if (field && statesAbsence(resource[field])) return withoutSemanticTag(title);
  const name = withoutSemanticTag(title);
  if (firstCode(resource.verificationStatus) === "refuted") return `${name}: ruled out`;
  if (resource.status === "not-done") return `${name}: not done`;
  if (resource.resourceType === "MedicationStatement" && resource.status === "not-taken") return `${name}: not taken`;
  return null;
}
