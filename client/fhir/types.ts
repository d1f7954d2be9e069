/**
 * FHIR R4 types come from @types/fhir (the global `fhir4` namespace). What the app builds is
 * typed as the resource it is (a Condition, an AuditEvent, a Bundle); what it reads from an
 * imported file or a stored record is a `FhirResource` until its resourceType says which
 * resource it claims to be (`asResource`), and even then every field is read defensively:
 * the data was written elsewhere and nothing checked it against the specification.
 */
export type Coding = fhir4.Coding;
export type CodeableConcept = fhir4.CodeableConcept;

/** Any resource as stored or imported: a resourceType, and fields not yet checked. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [field: string]: unknown;
}

/**
 * A resource the app built, typed as the FHIR R4 resource it is, as the storage shape every
 * record holds (a copy: the interfaces of @types/fhir have no index signature).
 */
export function storedResource<T extends fhir4.FhirResource>(resource: T): FhirResource {
  return { ...resource };
}

/**
 * A resource another record's references point to (a Practitioner, an Organization, a
 * Location, a Medication...), kept beside that record so it is named without the bundle it
 * came in: matched by `fullUrl` (as the bundle gave it) or by `resourceType/id`. The record's
 * own resource stays exactly as it came; export writes context resources back as entries.
 */
export interface ContextEntry {
  fullUrl?: string;
  resource: FhirResource;
}

/** A Bundle the app writes (an export): resources as they are stored. */
export type Bundle = fhir4.Bundle<fhir4.Resource>;

type ResourceType = fhir4.FhirResource["resourceType"];
type ResourceOf<T extends ResourceType> = Extract<fhir4.FhirResource, { resourceType: T }>;

/**
 * A stored or imported resource as the FHIR R4 resource its resourceType names, for reading
 * its fields by name (still defensively: see above); null when it is another resource.
 */
export function asResource<T extends ResourceType>(resource: FhirResource, resourceType: T): Partial<ResourceOf<T>> | null {
  return resource.resourceType === resourceType ? (resource as Partial<ResourceOf<T>>) : null;
}

export type RecordKind =
  | "condition"
  | "medication"
  | "allergy"
  | "immunization"
  | "observation"
  | "report"
  | "procedure"
  | "encounter"
  | "care-plan"
  | "goal"
  | "family-history"
  | "device"
  | "flag"
  | "service-request"
  | "care-team"
  | "note"
  | "document"
  | "composition"
  | "other";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
