import { contextResourceTypes } from "./kinds";
import { isObject, type ContextEntry, type FhirResource } from "./types";

/**
 * Resolving a record's references to the context resources (Practitioner, Organization,
 * Medication...) of the file it came in, as FHIR R4 "Resolving references in Bundles"
 * (https://hl7.org/fhir/R4/bundle.html#references) does: by the entry's fullUrl (urn:uuid:,
 * urn:oid: or absolute URL), or by `Type/id`, relative or at the end of an absolute URL
 * (a version `/_history/n` ignored). Local references (`#id`) point into `contained` and
 * are left alone. The Patient is never context: the chart is the patient's own.
 */

const typeAndId = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** The keys a resource can be found by: its fullUrl, and `Type/id` from its id or its absolute fullUrl. */
function keysOf(resource: FhirResource, fullUrl: string | undefined): string[] {
  const keys: string[] = [];
  if (fullUrl) keys.push(fullUrl);
  if (typeof resource.id === "string") keys.push(`${resource.resourceType}/${resource.id}`);
  const tail = fullUrl ? typeAndId.exec(fullUrl) : null;
  if (tail && tail[1] === resource.resourceType) keys.push(`${tail[1]}/${tail[2]}`);
  return keys;
}

/** The keys a reference string may name a resource by, most exact first. */
function lookupKeys(reference: string): string[] {
  if (reference.startsWith("#")) return [];
  const tail = typeAndId.exec(reference);
  return tail ? [reference, `${tail[1]}/${tail[2]}`] : [reference];
}

/** Every `reference` string anywhere in a value (FHIR R4 Reference.reference), in document order. */
export function referencesIn(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, into);
  } else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "reference" && typeof inner === "string") into.push(inner);
      else referencesIn(inner, into);
    }
  }
  return into;
}

/** The context resources of one file, found by the keys above. */
export class ContextIndex {
  private readonly byKey = new Map<string, ContextEntry>();

  /** Adds a context resource (never the Patient: see above); other resources are ignored. */
  add(resource: FhirResource, fullUrl: string | undefined): void {
    if (!contextResourceTypes.has(resource.resourceType) || resource.resourceType === "Patient") return;
    const entry: ContextEntry = { resource, ...(fullUrl ? { fullUrl } : {}) };
    for (const key of keysOf(resource, fullUrl)) if (!this.byKey.has(key)) this.byKey.set(key, entry);
  }

  /**
   * The context resources a resource references, directly or through another context
   * resource (a PractitionerRole's Organization, a Medication's manufacturer), each once, in
   * the order first referenced. The entries hold the resources exactly as they came.
   */
  contextOf(resource: FhirResource): ContextEntry[] {
    const found: ContextEntry[] = [];
    const seen = new Set<ContextEntry>();
    const queue = referencesIn(resource);
    while (queue.length > 0) {
      const reference = queue.shift()!;
      const entry = lookupKeys(reference)
        .map((key) => this.byKey.get(key))
        .find((candidate) => candidate !== undefined);
      if (!entry || seen.has(entry) || entry.resource === resource) continue;
      seen.add(entry);
      found.push(entry);
      queue.push(...referencesIn(entry.resource));
    }
    return found;
  }
}
