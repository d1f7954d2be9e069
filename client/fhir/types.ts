/** The small part of FHIR R4 the app reads; everything else is carried through untouched. */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface FhirResource {
  resourceType: string;
  id?: string;
  [field: string]: unknown;
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: unknown;
}

export interface Bundle {
  resourceType: "Bundle";
  type: string;
  timestamp?: string;
  entry?: BundleEntry[];
}

export type RecordKind = "condition" | "medication" | "allergy" | "immunization" | "observation" | "note" | "document";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
