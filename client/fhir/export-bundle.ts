import type { Bundle, FhirResource } from "./types";

/** A collection Bundle of the given resources, with their original fullUrls where known. */
export function buildExportBundle(entries: Array<{ resource: FhirResource; fullUrl?: string }>, now: Date): Bundle {
  return {
    resourceType: "Bundle",
    type: "collection",
    timestamp: now.toISOString(),
    entry: entries.map(({ resource, fullUrl }) => ({
      fullUrl: fullUrl ?? `urn:uuid:${resource.id ?? crypto.randomUUID()}`,
      resource,
    })),
  };
}
