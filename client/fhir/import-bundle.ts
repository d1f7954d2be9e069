import { kindOf } from "./kinds";
import { asResource, isObject, type FhirResource, type RecordKind } from "./types";

export class ImportError extends Error {
  override readonly name = "ImportError";
}

export interface ImportPlan {
  records: Array<{ kind: RecordKind; resource: FhirResource; fullUrl?: string }>;
  skipped: Array<{ index: number; resourceType?: string; reason: string }>;
}

const maxEntries = 5000;
const contextTypes: Record<string, string> = {
  Composition: "the document's table of contents is not stored as a record",
  Patient: "your own details stay in your vault, not in records",
  Practitioner: "kept only as a reference inside the records that name them",
  PractitionerRole: "kept only as a reference inside the records that name them",
  Organization: "kept only as a reference inside the records that name them",
  Medication: "stored inside the medication record that uses it",
};

/** What each supported resource must have to be shown and exported faithfully. */
function problem(resource: FhirResource): string | null {
  const has = (key: string) => resource[key] !== undefined && resource[key] !== null;
  switch (resource.resourceType) {
    case "Condition":
    case "AllergyIntolerance":
      return has("code") ? null : "it has no code saying what it is";
    case "MedicationStatement":
      if (!has("status")) return "it has no status";
      return has("medicationCodeableConcept") || has("medicationReference") ? null : "it does not say which medication";
    case "Immunization":
      if (!has("vaccineCode") || !has("status")) return "it has no vaccine code or status";
      return has("occurrenceDateTime") || has("occurrenceString") ? null : "it has no date";
    case "Observation":
      return has("code") && has("status") ? null : "it has no code or status";
    case "DocumentReference":
      return Array.isArray(resource.content) && resource.content.length > 0 ? null : "it has no content";
    default:
      return null;
  }
}

/** Puts a referenced Medication inside the statement, so the record stands on its own. */
function withContainedMedication(resource: FhirResource, byUrl: Map<string, FhirResource>): FhirResource {
  const statement = asResource(resource, "MedicationStatement");
  const medicationReference: unknown = statement?.medicationReference;
  const reference = isObject(medicationReference) ? medicationReference.reference : undefined;
  if (typeof reference !== "string" || reference.startsWith("#")) return resource;
  const medication = byUrl.get(reference);
  if (!medication || medication.resourceType !== "Medication") return resource;
  const contained: unknown[] = Array.isArray(resource.contained) ? resource.contained : [];
  const local: fhir4.Reference = { ...(medicationReference as fhir4.Reference), reference: "#med" };
  return { ...resource, contained: [...contained, { ...medication, id: "med" }], medicationReference: local };
}

/**
 * Turns a FHIR Bundle (document or collection) into the records to create, reporting
 * every entry that will not become one and why. Resources are kept as they are.
 */
export function planImport(bundle: unknown): ImportPlan {
  if (!isObject(bundle) || bundle.resourceType !== "Bundle") throw new ImportError("This file is not a FHIR Bundle.");
  if (bundle.type !== "document" && bundle.type !== "collection") {
    throw new ImportError(`Only document and collection bundles can be imported; this one is a ${String(bundle.type)} bundle.`);
  }
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  if (entries.length > maxEntries) throw new ImportError(`This bundle has ${entries.length} entries; at most ${maxEntries} can be imported at once.`);
  const byUrl = new Map<string, FhirResource>();
  for (const entry of entries) {
    if (!isObject(entry) || !isObject(entry.resource) || typeof entry.resource.resourceType !== "string") continue;
    const resource = entry.resource as FhirResource;
    if (typeof entry.fullUrl === "string") byUrl.set(entry.fullUrl, resource);
    if (resource.id) byUrl.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  const plan: ImportPlan = { records: [], skipped: [] };
  entries.forEach((entry: unknown, index: number) => {
    if (!isObject(entry) || !isObject(entry.resource)) return plan.skipped.push({ index, reason: "The entry has no resource." });
    const resource = entry.resource as FhirResource;
    if (typeof resource.resourceType !== "string") return plan.skipped.push({ index, reason: "The resource has no resourceType." });
    const { resourceType } = resource;
    if (contextTypes[resourceType]) return plan.skipped.push({ index, resourceType, reason: `${resourceType}: ${contextTypes[resourceType]}.` });
    const kind = kindOf(resource);
    if (!kind) return plan.skipped.push({ index, resourceType, reason: `${resourceType} records are not supported yet.` });
    const invalid = problem(resource);
    if (invalid) return plan.skipped.push({ index, resourceType, reason: `This ${resourceType} was not imported: ${invalid}.` });
    const fullUrl = typeof entry.fullUrl === "string" ? entry.fullUrl : undefined;
    plan.records.push({ kind, resource: withContainedMedication(resource, byUrl), ...(fullUrl ? { fullUrl } : {}) });
  });
  return plan;
}
