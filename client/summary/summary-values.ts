import { formatDay } from "../format";
import { asResource, isObject, type FhirResource } from "../fhir/types";

/** Locale and time zone for the words of a summary; both default to the browser's (tests pin them). */
export interface SummaryLocale {
  locale?: string;
  timeZone?: string;
}

const year = /^\d{4}$/;
const yearMonth = /^(\d{4})-(\d{2})$/;
const fullDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A FHIR R4 `date` or `dateTime` as a person reads it, never with a made-up day: "2015",
 * "Mar 2015", "10 Oct 2015" (a date is the same day everywhere, so it is shown in UTC); a
 * date-time as its day where the reader is. Anything else (a value that is not a FHIR date)
 * is shown as written rather than dropped.
 */
export function fhirDateText(value: string, options: SummaryLocale = {}): string {
  if (year.test(value)) return value;
  const month = yearMonth.exec(value);
  if (month) {
    return new Intl.DateTimeFormat(options.locale, { month: "short", year: "numeric", timeZone: "UTC" }).format(
      Date.UTC(Number(month[1]), Number(month[2]) - 1, 1),
    );
  }
  const day = fullDate.exec(value);
  if (day) return formatDay(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])), { locale: options.locale, timeZone: "UTC" });
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? value : formatDay(instant, options);
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

const unitOf = (value: unknown): string => (isObject(value) ? String(value.unit ?? value.code ?? "") : "");

/**
 * An Observation's first `referenceRange` (FHIR R4 Observation.referenceRange) as "ref 4–10
 * mmol/L", "ref ≥60 mL/min", "ref ≤5 mg/L", or its `text`; null when it has none.
 */
export function referenceRangeText(resource: FhirResource): string | null {
  const ranges: unknown = asResource(resource, "Observation")?.referenceRange;
  const range: unknown = Array.isArray(ranges) ? ranges[0] : undefined;
  if (!isObject(range)) return null;
  const low = isObject(range.low) && typeof range.low.value === "number" ? range.low.value : null;
  const high = isObject(range.high) && typeof range.high.value === "number" ? range.high.value : null;
  const unit = unitOf(range.low) || unitOf(range.high);
  const withUnit = (text: string) => (unit ? `${text} ${unit}` : text);
  if (low !== null && high !== null) return `ref ${withUnit(`${low}–${high}`)}`;
  if (low !== null) return `ref ${withUnit(`≥${low}`)}`;
  if (high !== null) return `ref ${withUnit(`≤${high}`)}`;
  return typeof range.text === "string" && range.text ? `ref ${range.text}` : null;
}

/** FHIR R4 v3 ObservationInterpretation codes, in words. */
const interpretationWords: Record<string, string> = {
  H: "High",
  L: "Low",
  HH: "Critically high",
  LL: "Critically low",
  HU: "Very high",
  LU: "Very low",
  A: "Abnormal",
  AA: "Critically abnormal",
  N: "Normal",
  POS: "Positive",
  NEG: "Negative",
  R: "Resistant",
  S: "Susceptible",
  I: "Intermediate",
};

/** An Observation's first `interpretation` flag: "High (H)", or its text; null when it has none. */
export function interpretationText(resource: FhirResource): string | null {
  const flags: unknown = asResource(resource, "Observation")?.interpretation;
  const flag: unknown = Array.isArray(flags) ? flags[0] : undefined;
  if (!isObject(flag)) return null;
  const code = conceptCode(flag);
  if (code && interpretationWords[code]) return `${interpretationWords[code]} (${code})`;
  const coding: unknown = Array.isArray(flag.coding) ? flag.coding[0] : undefined;
  const display = isObject(coding) && typeof coding.display === "string" ? coding.display : null;
  return (typeof flag.text === "string" && flag.text) || display || code;
}
