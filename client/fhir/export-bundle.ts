import { checkedBundle } from "./bundle-invariants";
import type { Bundle, ContextEntry, FhirResource } from "./types";

/** One record to export: its resource, its fullUrl in the bundle it came from, and the context resources it references. */
export interface ExportEntry {
  resource: FhirResource;
  fullUrl?: string;
  context?: ContextEntry[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What tells two entries apart: the fullUrl, or (for a resource that came without one) `resourceType/id`. */
const identityOf = (entry: ContextEntry) => entry.fullUrl ?? (entry.resource.id ? `${entry.resource.resourceType}/${entry.resource.id}` : null);

/**
 * A FHIR R4 collection Bundle (application/fhir+json) of some records, each followed by the
 * context resources it references (Practitioner, Organization, Medication...) not already
 * written: each context resource is one entry however many records name it (deduplicated by
 * fullUrl, or `resourceType/id` when it came without one). Records keep their original
 * fullUrl; one without (or whose fullUrl another record already took: the same bundle imported
 * twice) gets `urn:uuid:` of its id when that is a UUID, or a new UUID. Resources are written as
 * stored. The result keeps the Bundle invariants bdl-1...bdl-12.
 * @throws InvalidBundleError (bundle-invariants.ts) if it would not: a bug, not bad data.
 */
export function buildExportBundle(records: ExportEntry[], now: Date): Bundle {
  const written = new Set<string>();
  const entry: NonNullable<Bundle["entry"]> = [];
  for (const { resource, fullUrl, context } of records) {
    const own =
      fullUrl && !written.has(fullUrl)
        ? fullUrl
        : `urn:uuid:${resource.id && uuidPattern.test(resource.id) && !written.has(`urn:uuid:${resource.id}`) ? resource.id : crypto.randomUUID()}`;
    written.add(own);
    entry.push({ fullUrl: own, resource: resource as fhir4.Resource });
    for (const item of context ?? []) {
      const identity = identityOf(item);
      if (identity !== null && written.has(identity)) continue;
      if (identity !== null) written.add(identity);
      entry.push({ ...(item.fullUrl ? { fullUrl: item.fullUrl } : {}), resource: item.resource as fhir4.Resource });
    }
  }
  return checkedBundle({ resourceType: "Bundle", type: "collection", timestamp: now.toISOString(), entry });
}
