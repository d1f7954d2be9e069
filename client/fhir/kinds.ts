import { asResource, isObject, type FhirResource, type RecordKind } from "./types";

export const recordKinds: ReadonlyArray<{ kind: RecordKind; resourceType: string; plural: string; singular: string }> = [
  { kind: "condition", resourceType: "Condition", plural: "Problems", singular: "Problem" },
  { kind: "medication", resourceType: "MedicationStatement", plural: "Medications", singular: "Medication" },
  { kind: "allergy", resourceType: "AllergyIntolerance", plural: "Allergies", singular: "Allergy" },
  { kind: "immunization", resourceType: "Immunization", plural: "Immunizations", singular: "Immunization" },
  { kind: "observation", resourceType: "Observation", plural: "Results and vital signs", singular: "Result" },
  { kind: "note", resourceType: "DocumentReference", plural: "Notes", singular: "Note" },
  { kind: "document", resourceType: "DocumentReference", plural: "Files", singular: "File" },
];

export function kindLabel(kind: RecordKind, form: "plural" | "singular" = "plural"): string {
  const found = recordKinds.find((entry) => entry.kind === kind);
  return found ? found[form] : kind;
}

/** A DocumentReference is a note when it carries plain text inline, a file otherwise. */
export function kindOf(resource: FhirResource): RecordKind | null {
  const document = asResource(resource, "DocumentReference");
  if (document) {
    // Read defensively: an imported DocumentReference may have anything in content.
    const content: unknown = Array.isArray(document.content) ? document.content[0] : undefined;
    const attachment = isObject(content) && isObject(content.attachment) ? (content.attachment as Partial<fhir4.Attachment>) : undefined;
    return attachment?.contentType === "text/plain" && typeof attachment.data === "string" ? "note" : "document";
  }
  return recordKinds.find((entry) => entry.resourceType === resource.resourceType)?.kind ?? null;
}
