import { asResource, isObject, type FhirResource, type RecordKind } from "./types";

/**
 * Every kind of record the chart groups by, in the order the chart shows them, with the FHIR R4
 * resource types each holds. A resource type listed nowhere here and not a context resource
 * (contextResourceTypes) is an "other" record: kept, shown readably, exported as it came.
 */
export const recordKinds: ReadonlyArray<{ kind: RecordKind; resourceTypes: readonly string[]; plural: string; singular: string }> = [
  { kind: "condition", resourceTypes: ["Condition"], plural: "Problems", singular: "Problem" },
  {
    kind: "medication",
    resourceTypes: ["MedicationStatement", "MedicationRequest", "MedicationDispense", "MedicationAdministration"],
    plural: "Medications",
    singular: "Medication",
  },
  { kind: "allergy", resourceTypes: ["AllergyIntolerance"], plural: "Allergies", singular: "Allergy" },
  { kind: "immunization", resourceTypes: ["Immunization"], plural: "Immunizations", singular: "Immunization" },
  { kind: "observation", resourceTypes: ["Observation"], plural: "Results and vital signs", singular: "Result" },
  { kind: "report", resourceTypes: ["DiagnosticReport"], plural: "Reports", singular: "Report" },
  { kind: "procedure", resourceTypes: ["Procedure"], plural: "Procedures", singular: "Procedure" },
  { kind: "encounter", resourceTypes: ["Encounter"], plural: "Visits", singular: "Visit" },
  { kind: "care-plan", resourceTypes: ["CarePlan"], plural: "Care plans", singular: "Care plan" },
  { kind: "goal", resourceTypes: ["Goal"], plural: "Goals", singular: "Goal" },
  { kind: "family-history", resourceTypes: ["FamilyMemberHistory"], plural: "Family history", singular: "Family history entry" },
  { kind: "device", resourceTypes: ["Device", "DeviceUseStatement"], plural: "Devices and implants", singular: "Device" },
  { kind: "flag", resourceTypes: ["Flag"], plural: "Alerts", singular: "Alert" },
  { kind: "service-request", resourceTypes: ["ServiceRequest"], plural: "Orders and referrals", singular: "Order or referral" },
  { kind: "care-team", resourceTypes: ["CareTeam"], plural: "Care teams", singular: "Care team" },
  { kind: "note", resourceTypes: ["DocumentReference"], plural: "Notes", singular: "Note" },
  { kind: "document", resourceTypes: ["DocumentReference"], plural: "Files", singular: "File" },
  // An imported document's table of contents: its sections, what each lists and why a section is empty.
  { kind: "composition", resourceTypes: ["Composition"], plural: "Summaries received", singular: "Summary received" },
  { kind: "other", resourceTypes: [], plural: "Other records", singular: "Record" },
];

/**
 * Resources that give other records their context (who, where, which drug) rather than being
 * records themselves: an import keeps them with the records that reference them.
 */
export const contextResourceTypes: ReadonlySet<string> = new Set([
  "Patient",
  "Practitioner",
  "PractitionerRole",
  "RelatedPerson",
  "Organization",
  "Location",
  "Medication",
  "Substance",
]);

/** Resources that are about the exchange itself, never clinical content (a batch answer's outcome, a nested Bundle's wrapper). */
export const exchangeResourceTypes: ReadonlySet<string> = new Set(["OperationOutcome", "Bundle", "Parameters", "Binary", "Provenance", "AuditEvent"]);

export function kindLabel(kind: RecordKind, form: "plural" | "singular" = "plural"): string {
  const found = recordKinds.find((entry) => entry.kind === kind);
  return found ? found[form] : kind;
}

/**
 * The kind of record a resource is: a DocumentReference is a note when it carries plain text
 * inline, a file otherwise; a context or exchange resource is no record (null); any other
 * resource type is "other".
 */
export function kindOf(resource: FhirResource): RecordKind | null {
  const document = asResource(resource, "DocumentReference");
  if (document) {
    // Read defensively: an imported DocumentReference may have anything in content.
    const content: unknown = Array.isArray(document.content) ? document.content[0] : undefined;
    const attachment = isObject(content) && isObject(content.attachment) ? (content.attachment as Partial<fhir4.Attachment>) : undefined;
    // The media type without its parameters: Synthea writes "text/plain; charset=utf-8".
    const mediaType = typeof attachment?.contentType === "string" ? attachment.contentType.split(";")[0]!.trim().toLowerCase() : undefined;
    return mediaType === "text/plain" && typeof attachment?.data === "string" ? "note" : "document";
  }
  if (contextResourceTypes.has(resource.resourceType) || exchangeResourceTypes.has(resource.resourceType)) return null;
  return recordKinds.find((entry) => entry.resourceTypes.includes(resource.resourceType))?.kind ?? "other";
}
