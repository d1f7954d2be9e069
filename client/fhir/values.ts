/**
 * Measured values as clinicians read them (FHIR R4 Quantity, Range, Ratio, the Observation's
 * value[x], component, referenceRange and interpretation). Units are shown as the sender wrote
 * them (`Quantity.unit`, else the UCUM `code`), a comparator is never dropped ("<5 mg/L",
 * "≥90 mL/min/{1.73_m2}"), and nothing is rounded.
 */
import { conceptText } from "./names";
import { isObject } from "./types";

/** FHIR R4 QuantityComparator (`<`, `<=`, `>=`, `>`, `ad`) as written in a result. */
const comparators: Record<string, string> = { "<": "<", "<=": "≤", ">=": "≥", ">": ">", ad: "≥" };

// UCUM time units an Age is usually coded with, in words ("7 a" reads "7 years").
const ageUnits: Record<string, [string, string]> = {
  a: ["year", "years"],
  mo: ["month", "months"],
  wk: ["week", "weeks"],
  d: ["day", "days"],
  h: ["hour", "hours"],
  min: ["minute", "minutes"],
};

/** A number as written: no rounding, no grouping (a lab value is copied, not reformatted). */
const numberText = (value: unknown): string | null => (typeof value === "number" && Number.isFinite(value) ? String(value) : null);

/**
 * The unit a Quantity is shown with: `unit` as the sender wrote it, else its UCUM `code`
 * (UCUM, https://ucum.org). "mm[Hg]" reads "mmHg", as every clinician writes it; other
 * annotations (`{1.73_m2}`) are kept exactly.
 */
export function unitOf(quantity: Record<string, unknown>): string {
  const unit = typeof quantity.unit === "string" ? quantity.unit : typeof quantity.code === "string" ? quantity.code : "";
  return unit === "mm[Hg]" ? "mmHg" : unit === "1" ? "" : unit;
}

/**
 * A FHIR R4 Quantity as "<5 mg/L", "≥90 mL/min/{1.73_m2}", "37 Cel", "1 tablet": the comparator
 * (>= and <= as ≥ and ≤), the value as written and the unit. Null when it has no value.
 * `ageUnits` writes UCUM time codes in words ("7 years"), for an Age.
 */
export function formatQuantity(value: unknown, options: { ageUnits?: boolean } = {}): string | null {
  if (!isObject(value)) return null;
  const amount = numberText(value.value);
  if (amount === null) return null;
  const comparator = typeof value.comparator === "string" ? (comparators[value.comparator] ?? value.comparator) : "";
  let unit = unitOf(value);
  const code = typeof value.code === "string" ? value.code : undefined;
  if (options.ageUnits && code && ageUnits[code] && (unit === code || /^(years?|months?|weeks?|days?|hours?|minutes?)$/.test(unit))) {
    unit = ageUnits[code][value.value === 1 ? 0 : 1];
  }
  const space = unit && !/^[%']/.test(unit) ? " " : "";
  return `${comparator}${amount}${space}${unit}`;
}

/**
 * A FHIR R4 Range as "4–6 mmol/L" (one unit when both ends share it), "≥4 mmol/L" or "≤6 mmol/L"
 * when one end is open. Null when neither end has a value.
 */
export function formatRange(range: unknown): string | null {
  if (!isObject(range)) return null;
  const low = isObject(range.low) ? formatQuantity(range.low) : null;
  const high = isObject(range.high) ? formatQuantity(range.high) : null;
  if (low && high) {
    const lowUnit = isObject(range.low) ? unitOf(range.low) : "";
    const highUnit = isObject(range.high) ? unitOf(range.high) : "";
    if (lowUnit === highUnit && lowUnit) return `${low.slice(0, low.length - lowUnit.length).trim()}–${high}`;
    return `${low}–${high}`;
  }
  if (low) return `≥${low}`;
  if (high) return `≤${high}`;
  return null;
}

/** A FHIR R4 Ratio as "1/128", or "5 mg/1 mL" when its parts have units. Null without both parts. */
export function formatRatio(ratio: unknown): string | null {
  if (!isObject(ratio)) return null;
  const numerator = formatQuantity(ratio.numerator);
  const denominator = formatQuantity(ratio.denominator);
  return numerator && denominator ? `${numerator}/${denominator}` : null;
}

/**
 * The value of an element with `value[x]` (Observation, Observation.component, an extension):
 * Quantity, Range, Ratio, Boolean ("Yes"/"No"), Integer, String, CodeableConcept, Period,
 * DateTime and Time, SampledData (only that it is a series); else its `dataAbsentReason` as
 * "Not recorded: <reason>". Null when it carries neither.
 */
export function formatElementValue(element: Record<string, unknown>, formatDate: (value: string) => string): string | null {
  if (isObject(element.valueQuantity)) {
    const quantity = formatQuantity(element.valueQuantity);
    if (quantity) return quantity;
  }
  const range = formatRange(element.valueRange);
  if (range) return range;
  const ratio = formatRatio(element.valueRatio);
  if (ratio) return ratio;
  if (typeof element.valueBoolean === "boolean") return element.valueBoolean ? "Yes" : "No";
  if (typeof element.valueInteger === "number") return String(element.valueInteger);
  if (typeof element.valueString === "string" && element.valueString.trim()) return element.valueString;
  const concept = conceptText(element.valueCodeableConcept);
  if (concept) return concept;
  if (isObject(element.valuePeriod)) {
    const { start, end } = element.valuePeriod;
    const parts = [start, end].map((part) => (typeof part === "string" ? formatDate(part) : "…"));
    if (typeof start === "string" || typeof end === "string") return parts.join(" – ");
  }
  if (typeof element.valueDateTime === "string") return formatDate(element.valueDateTime);
  if (typeof element.valueTime === "string") return element.valueTime;
  if (isObject(element.valueSampledData)) return "A series of measurements";
  const absent = conceptText(element.dataAbsentReason);
  if (absent) return `Not recorded: ${absent.charAt(0).toLowerCase()}${absent.slice(1)}`;
  return null;
}

/** FHIR R4 ObservationInterpretation codes (v3-ObservationInterpretation) in words. */
const interpretationWords: Record<string, string> = {
  H: "High",
  L: "Low",
  HH: "Critically high",
  LL: "Critically low",
  HU: "Significantly high",
  LU: "Significantly low",
  A: "Abnormal",
  AA: "Critically abnormal",
  N: "Normal",
  POS: "Positive",
  NEG: "Negative",
  DET: "Detected",
  ND: "Not detected",
  IND: "Indeterminate",
  R: "Resistant",
  S: "Susceptible",
  I: "Intermediate",
  U: "Significant change up",
  D: "Significant change down",
  B: "Better",
  W: "Worse",
  E: "Equivocal",
  EX: "Outside threshold",
  HX: "Above high threshold",
  LX: "Below low threshold",
};

/**
 * Observation.interpretation as "High (H)", "Critically low (LL)": the words for the code,
 * with the letter a clinician knows; the sender's text when the code is not a known one.
 */
export function formatInterpretation(interpretation: unknown): string[] {
  const concepts = Array.isArray(interpretation) ? interpretation : interpretation ? [interpretation] : [];
  return concepts.flatMap((concept: unknown) => {
    if (!isObject(concept)) return [];
    const codings = Array.isArray(concept.coding) ? concept.coding.filter(isObject) : [];
    const known = codings.find((coding) => typeof coding.code === "string" && interpretationWords[coding.code]);
    if (known && typeof known.code === "string") return [`${interpretationWords[known.code]} (${known.code})`];
    const text = conceptText(concept);
    return text ? [text] : [];
  });
}

/**
 * Observation.referenceRange as "ref 4–10 mmol/L", or its text ("ref normal: negative"); a
 * range for a group ("ref 4–10 (adult)") keeps who it applies to.
 */
export function formatReferenceRange(referenceRange: unknown): string[] {
  const ranges = Array.isArray(referenceRange) ? referenceRange : [];
  return ranges.flatMap((range: unknown) => {
    if (!isObject(range)) return [];
    const span = formatRange({ low: range.low, high: range.high });
    const text = typeof range.text === "string" ? range.text : null;
    const scope = [conceptText(range.type), ...(Array.isArray(range.appliesTo) ? range.appliesTo.map(conceptText) : [])].filter(Boolean).join(", ");
    const body = span ?? text;
    if (!body) return [];
    return [`ref ${body}${scope ? ` (${scope})` : ""}`];
  });
}

/** LOINC codes of the blood-pressure panels (85354-9 panel, 55284-4 systolic and diastolic). */
const bloodPressurePanels = new Set(["85354-9", "55284-4", "35094-2"]);
const systolicCodes = new Set(["8480-6", "8459-0", "8460-8", "8461-6", "76534-7"]);
const diastolicCodes = new Set(["8462-4", "8453-3", "8454-1", "8455-8", "76535-4"]);

const hasCode = (concept: unknown, codes: Set<string>): boolean =>
  isObject(concept) &&
  Array.isArray(concept.coding) &&
  concept.coding.some((coding: unknown) => isObject(coding) && typeof coding.code === "string" && codes.has(coding.code));

/**
 * A blood-pressure panel (LOINC 85354-9) as "128/82 mmHg": its systolic and diastolic
 * components (LOINC 8480-6 and 8462-4), whichever order they come in. Null for any other
 * observation, or a panel missing either number.
 */
export function bloodPressureValue(observation: Record<string, unknown>): string | null {
  if (!hasCode(observation.code, bloodPressurePanels)) return null;
  const components = Array.isArray(observation.component) ? observation.component.filter(isObject) : [];
  const systolic = components.find((component) => hasCode(component.code, systolicCodes));
  const diastolic = components.find((component) => hasCode(component.code, diastolicCodes));
  if (!systolic || !diastolic || !isObject(systolic.valueQuantity) || !isObject(diastolic.valueQuantity)) return null;
  const high = numberText(systolic.valueQuantity.value);
  const low = numberText(diastolic.valueQuantity.value);
  if (high === null || low === null) return null;
  const unit = unitOf(systolic.valueQuantity) || unitOf(diastolic.valueQuantity);
  return `${high}/${low}${unit ? ` ${unit}` : ""}`;
}

/** Observation.component as "Systolic: 128 mmHg", one line a component, each with its own value. */
export function formatComponents(observation: Record<string, unknown>, formatDate: (value: string) => string): string[] {
  const components = Array.isArray(observation.component) ? observation.component.filter(isObject) : [];
  return components.flatMap((component) => {
    const name = conceptText(component.code) ?? "Part";
    const value = formatElementValue(component, formatDate);
    const flags = formatInterpretation(component.interpretation);
    return [`${name}: ${value ?? "no value"}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`];
  });
}
