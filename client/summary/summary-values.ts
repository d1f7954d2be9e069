import { isObject, type FhirResource } from "../fhir/types";

/** Locale and time zone for the words of a summary; both default to the browser's (tests pin them). */
export interface SummaryLocale {
  locale?: string;
  timeZone?: string;
}

/** "entered-in-error" → "Entered in error": a FHIR code as words. */
const codeWords = (code: string): string => {
  const words = code.replace(/[-_]/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** The first code of a CodeableConcept (FHIR R4 status concepts are coded), or its text. */
function conceptCode(value: unknown): string | null {
  if (!isObject(value)) return null;
  const coding: unknown = Array.isArray(value.coding) ? value.coding[0] : undefined;
  if (isObject(coding) && typeof coding.code === "string" && coding.code) return coding.code;
  return typeof value.text === "string" && value.text ? value.text : null;
}

/**
 * A record's status in words: `clinicalStatus` where the resource has one (Condition,
 * AllergyIntolerance: "Active", "Resolved"), with a `verificationStatus` other than confirmed
 * beside it ("Active, provisional"); else its `status` code ("Completed", "Final"); null when
 * the record says none.
 */
export function statusText(resource: FhirResource): string | null {
  const clinical = conceptCode(resource.clinicalStatus);
  const verification = conceptCode(resource.verificationStatus);
  const status = typeof resource.status === "string" && resource.status ? resource.status : null;
  const main = clinical ?? status;
  const extra = verification && verification !== "confirmed" ? verification : null;
  if (!main) return extra ? codeWords(extra) : null;
  return extra ? `${codeWords(main)}, ${extra.replace(/[-_]/g, " ")}` : codeWords(main);
}
