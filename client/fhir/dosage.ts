import { conceptText } from "./names";
import { isObject } from "./types";
import { formatQuantity, formatRange } from "./values";

/**
 * FHIR R4 Dosage (MedicationStatement.dosage, MedicationRequest.dosageInstruction) read as a
 * clinician writes it: "1 tablet, once daily, by mouth", "2 puffs, every 4 hours, as needed".
 * Also reads MedicationAdministration.dosage (its `dose` Quantity and `rate[x]`).
 */

// UCUM units of time as FHIR R4 Timing.repeat.periodUnit writes them (s | min | h | d | wk | mo | a).
const unitNames: Record<string, [singular: string, plural: string, perOne: string]> = {
  s: ["second", "seconds", "a second"],
  min: ["minute", "minutes", "a minute"],
  h: ["hour", "hours", "an hour"],
  d: ["day", "days", "daily"],
  wk: ["week", "weeks", "a week"],
  mo: ["month", "months", "a month"],
  a: ["year", "years", "a year"],
};

// FHIR R4 v3-GTSAbbreviation / timing-abbreviation codes (Timing.code) without a display.
const timingCodes: Record<string, string> = {
  QD: "once daily",
  BID: "twice daily",
  TID: "3 times daily",
  QID: "4 times daily",
  QOD: "every other day",
  AM: "in the morning",
  PM: "in the evening",
  Q4H: "every 4 hours",
  Q6H: "every 6 hours",
  Q8H: "every 8 hours",
  WK: "weekly",
  MO: "monthly",
};

// Routes meaning "by mouth": EDQM 20053000 "Oral use", SNOMED CT 26643006 "Oral route".
const oralRoutes = new Set(["20053000", "26643006"]);

const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const times = (count: number): string => (count === 1 ? "once" : count === 2 ? "twice" : `${count} times`);

/**
 * Timing.repeat's frequency per period in words: "once daily", "twice daily", "every 8 hours",
 * "3 times a week", "1–2 times daily". A period unit with no frequency reads as once per period
 * (FHIR R4 Timing: frequency defaults to 1); null when the repeat says neither.
 */
export function repeatText(repeat: unknown): string | null {
  if (!isObject(repeat)) return null;
  const unit = typeof repeat.periodUnit === "string" ? unitNames[repeat.periodUnit] : undefined;
  const frequency = num(repeat.frequency) ?? (unit ? 1 : undefined);
  const frequencyMax = num(repeat.frequencyMax);
  if (!unit || frequency === undefined) {
    const count = num(repeat.count);
    return count !== undefined ? times(count) : null;
  }
  const period = num(repeat.period) ?? 1;
  const periodMax = num(repeat.periodMax);
  const howOften = frequencyMax !== undefined && frequencyMax !== frequency ? `${frequency}–${frequencyMax} times` : times(frequency);
  if (period === 1 && periodMax === undefined) return `${howOften} ${unit[2]}`;
  const every = `every ${periodMax !== undefined ? `${period}–${periodMax}` : period} ${unit[1]}`;
  return howOften === "once" ? every : `${howOften} ${every}`;
}

/** The dose of a Dosage: doseAndRate[0].doseQuantity or doseRange ("1 tablet", "1–2 tablets"); an administration's `dose`. */
function doseText(dosage: Record<string, unknown>): string | null {
  const doseAndRate = Array.isArray(dosage.doseAndRate) ? dosage.doseAndRate[0] : undefined;
  if (isObject(doseAndRate)) return formatQuantity(doseAndRate.doseQuantity) ?? formatRange(doseAndRate.doseRange);
  return formatQuantity(dosage.dose);
}

/** The route in words: "by mouth" for oral routes, else its display or text. */
function routeText(route: unknown): string | null {
  if (!isObject(route)) return null;
  const codes = Array.isArray(route.coding) ? route.coding.filter(isObject).map((coding) => coding.code) : [];
  if (codes.some((code) => typeof code === "string" && oralRoutes.has(code))) return "by mouth";
  const text = conceptText(route);
  return text ? text.charAt(0).toLowerCase() + text.slice(1) : null;
}

/**
 * One FHIR R4 Dosage as a sentence: its `text` when it has one, else built from the dose
 * (doseAndRate), how often (timing.repeat, else timing.code), the route and asNeeded[x]
 * ("as needed", "as needed for pain"). Null when it says none of these.
 */
export function dosageText(dosage: unknown): string | null {
  if (!isObject(dosage)) return null;
  if (typeof dosage.text === "string" && dosage.text.trim()) return dosage.text.trim();
  const timing = isObject(dosage.timing) ? dosage.timing : undefined;
  const timingCode = timing && isObject(timing.code) ? timing.code : undefined;
  const codeWord =
    timingCode && Array.isArray(timingCode.coding)
      ? timingCode.coding.filter(isObject).map((coding) => (typeof coding.code === "string" ? timingCodes[coding.code] : undefined))[0]
      : undefined;
  const often = repeatText(timing?.repeat) ?? codeWord ?? conceptText(timingCode) ?? null;
  const asNeededFor = conceptText(dosage.asNeededCodeableConcept);
  const asNeeded = asNeededFor ? `as needed for ${asNeededFor}` : dosage.asNeededBoolean === true ? "as needed" : null;
  const parts = [doseText(dosage), often, routeText(dosage.route), asNeeded].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(", ") : null;
}
