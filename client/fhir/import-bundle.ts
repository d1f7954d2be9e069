import { ContextIndex } from "./import-context";
import { ImportError } from "./import-error";
import { sourceOf, type ImportSource } from "./import-source";
import { contextResourceTypes, exchangeResourceTypes, kindOf } from "./kinds";
import { isObject, type ContextEntry, type FhirResource, type RecordKind } from "./types";
import { countOf } from "../format";

export { ImportError };

/** A record an import will create: the resource exactly as it came, with what it references. */
export interface PlannedRecord {
  kind: RecordKind;
  resource: FhirResource;
  /** The entry's fullUrl in the file, kept for export and for recognising the record again. */
  fullUrl?: string;
  /** The context resources the resource references, from the same file (never the Patient). */
  context?: ContextEntry[];
  /** Where it sits in the file ("Entry 4", "Line 12"). */
  label: string;
}

/** An entry that will not become a record, and why, in words for the person. */
export interface SkippedEntry {
  /** Its position in the file's entries, from 0. */
  index: number;
  label: string;
  resourceType?: string;
  reason: string;
}

export interface ImportPlan {
  /** What the file was, in words ("a transaction bundle", "an NDJSON file"). */
  form: string;
  records: PlannedRecord[];
  skipped: SkippedEntry[];
}

/** A FHIR R4 resource type name (an upper-case letter, then letters): anything else is not a resource. */
const resourceTypeName = /^[A-Z][A-Za-z]{1,63}$/;

/** Why an exchange resource (kinds.ts exchangeResourceTypes) is not a record. */
function exchangeReason(resourceType: string): string {
  switch (resourceType) {
    case "OperationOutcome":
      return "an OperationOutcome is a server's report on the exchange itself, not health information";
    case "Bundle":
      return "a Bundle inside the file is a package of its own: import it as a separate file";
    default:
      return `a ${resourceType} is about the exchange or storage of records, not health information`;
  }
}

/**
 * Decides, for every entry of a file (see import-source.ts), whether it becomes a record and
 * of which kind, and why not otherwise. Every clinical resource is kept, exactly as it came
 * (an unknown resource type as an "other" record); only the Patient, context resources
 * (kept inside the records that reference them), exchange resources and entries with no
 * resource are left out, each with its reason.
 */
export function planEntries(source: ImportSource): ImportPlan {
  const context = new ContextIndex();
  const resources = source.entries.map((entry) => {
    const resource = isObject(entry.resource) && typeof entry.resource.resourceType === "string" ? (entry.resource as FhirResource) : null;
    if (resource && resourceTypeName.test(resource.resourceType)) context.add(resource, entry.fullUrl);
    return resource;
  });
  const plan: ImportPlan = { form: source.form, records: [], skipped: [] };
  const referencedBy = new Map<FhirResource, number>();
  const contextEntries: Array<{ index: number; resource: FhirResource }> = [];

  source.entries.forEach((entry, index) => {
    const { label } = entry;
    const resource = resources[index];
    if (!resource) {
      const reason = isObject(entry.resource) ? "it is not a FHIR resource (it has no resourceType)." : "it holds no resource.";
      return plan.skipped.push({ index, label, reason: `${label}: ${reason}` });
    }
    const { resourceType } = resource;
    const skip = (reason: string) => plan.skipped.push({ index, label, resourceType, reason: `${label} (${resourceType}): ${reason}.` });
    if (!resourceTypeName.test(resourceType)) return skip("this is not a FHIR resource type");
    if (resourceType === "Patient") return skip("your own details stay in your profile, not in records");
    if (contextResourceTypes.has(resourceType)) return contextEntries.push({ index, resource });
    const kind = kindOf(resource);
    if (!kind) return skip(exchangeResourceTypes.has(resourceType) ? exchangeReason(resourceType) : "it is not a record");
    const found = context.contextOf(resource);
    for (const item of found) referencedBy.set(item.resource, (referencedBy.get(item.resource) ?? 0) + 1);
    plan.records.push({ kind, resource, label, ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}), ...(found.length > 0 ? { context: found } : {}) });
  });

  for (const { index, resource } of contextEntries) {
    const count = referencedBy.get(resource) ?? 0;
    const label = source.entries[index]!.label;
    plan.skipped.push({
      index,
      label,
      resourceType: resource.resourceType,
      reason:
        count > 0
          ? `${label} (${resource.resourceType}): not a record of its own; kept with the ${countOf(count, "record")} that refer${count === 1 ? "s" : ""} to it.`
          : `${label} (${resource.resourceType}): not a record of its own, and no record in this file refers to it, so there is nothing to keep it with.`,
    });
  }
  plan.skipped.sort((a, b) => a.index - b.index);
  return plan;
}

/**
 * Plans the import of a parsed JSON file: a Bundle (document, collection, transaction, batch,
 * searchset, or a response carrying resources), a single resource, or a list of resources or
 * Bundle entries. See `planEntries`.
 * @throws ImportError, worded for the person, for JSON that is not any of these.
 */
export function planImport(json: unknown): ImportPlan {
  return planEntries(sourceOf(json));
}
