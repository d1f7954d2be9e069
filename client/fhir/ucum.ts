/**
 * A curated list of the UCUM units (Unified Code for Units of Measure, https://ucum.org/ucum)
 * that clinical results and vital signs use most, for the result form's unit field. FHIR R4
 * Quantity (§2.24.0.9) carries a unit as `system: "http://unitsofmeasure.org"` with `code`
 * (the case-sensitive UCUM expression) and `unit` (how people write it). A unit typed that is
 * not on this list is kept as `unit` alone: a code is never made up.
 */

export const ucumSystem = "http://unitsofmeasure.org";

export interface UcumUnit {
  /** The UCUM code, case-sensitive ("mm[Hg]", "10*3/uL"). */
  code: string;
  /** How people write it, stored as Quantity.unit ("mmHg", "10³/µL"). */
  unit: string;
  /** What it measures, in words, for the list. */
  label: string;
}

export const ucumUnits: readonly UcumUnit[] = [
  { code: "mm[Hg]", unit: "mmHg", label: "millimetres of mercury (blood pressure)" },
  { code: "/min", unit: "/min", label: "per minute (pulse, breathing)" },
  { code: "Cel", unit: "°C", label: "degrees Celsius" },
  { code: "[degF]", unit: "°F", label: "degrees Fahrenheit" },
  { code: "kg", unit: "kg", label: "kilograms" },
  { code: "g", unit: "g", label: "grams" },
  { code: "[lb_av]", unit: "lb", label: "pounds" },
  { code: "cm", unit: "cm", label: "centimetres" },
  { code: "m", unit: "m", label: "metres" },
  { code: "[in_i]", unit: "in", label: "inches" },
  { code: "kg/m2", unit: "kg/m²", label: "kilograms per square metre (BMI)" },
  { code: "%", unit: "%", label: "percent" },
  { code: "mg", unit: "mg", label: "milligrams" },
  { code: "ug", unit: "µg", label: "micrograms" },
  { code: "mL", unit: "mL", label: "millilitres" },
  { code: "L", unit: "L", label: "litres" },
  { code: "mg/dL", unit: "mg/dL", label: "milligrams per decilitre" },
  { code: "mg/L", unit: "mg/L", label: "milligrams per litre" },
  { code: "g/dL", unit: "g/dL", label: "grams per decilitre" },
  { code: "g/L", unit: "g/L", label: "grams per litre" },
  { code: "mmol/L", unit: "mmol/L", label: "millimoles per litre" },
  { code: "umol/L", unit: "µmol/L", label: "micromoles per litre" },
  { code: "mmol/mol", unit: "mmol/mol", label: "millimoles per mole (HbA1c)" },
  { code: "ng/mL", unit: "ng/mL", label: "nanograms per millilitre" },
  { code: "pg/mL", unit: "pg/mL", label: "picograms per millilitre" },
  { code: "ug/L", unit: "µg/L", label: "micrograms per litre" },
  { code: "U/L", unit: "U/L", label: "units per litre (enzymes)" },
  { code: "[IU]/L", unit: "IU/L", label: "international units per litre" },
  { code: "m[IU]/L", unit: "mIU/L", label: "milli-international units per litre (TSH)" },
  { code: "mL/min/{1.73_m2}", unit: "mL/min/1.73m²", label: "millilitres per minute per 1.73 m² (eGFR)" },
  { code: "10*3/uL", unit: "10³/µL", label: "thousands per microlitre (blood counts)" },
  { code: "10*6/uL", unit: "10⁶/µL", label: "millions per microlitre (red cells)" },
  { code: "10*9/L", unit: "10⁹/L", label: "billions per litre (blood counts)" },
  { code: "10*12/L", unit: "10¹²/L", label: "trillions per litre (red cells)" },
  { code: "fL", unit: "fL", label: "femtolitres (cell volume)" },
  { code: "pg", unit: "pg", label: "picograms" },
  { code: "s", unit: "s", label: "seconds (clotting time)" },
  { code: "{INR}", unit: "INR", label: "international normalised ratio" },
  { code: "[pH]", unit: "pH", label: "pH" },
  { code: "mm/h", unit: "mm/h", label: "millimetres per hour (ESR)" },
  { code: "meq/L", unit: "mEq/L", label: "milliequivalents per litre" },
  { code: "mosm/kg", unit: "mOsm/kg", label: "milliosmoles per kilogram" },
  { code: "kcal", unit: "kcal", label: "kilocalories" },
  { code: "h", unit: "h", label: "hours" },
  { code: "{score}", unit: "score", label: "score (points on a scale)" },
  { code: "{steps}/d", unit: "steps/day", label: "steps per day" },
];

/**
 * The listed unit a person typed, matched on its UCUM code first (case-sensitive, as UCUM is:
 * "mg" is not "Mg"), then on how it is written ("mmHg", "10³/µL", "ug/L" for "µg/L"), then on
 * that ignoring case when only one unit matches. Undefined for a unit not on the list.
 */
export function findUcumUnit(typed: string): UcumUnit | undefined {
  const text = typed.trim();
  if (!text) return undefined;
  const byCode = ucumUnits.find((unit) => unit.code === text);
  if (byCode) return byCode;
  // People type "u" for "µ" and "^" or nothing for the superscripts.
  const plain = (value: string) =>
    value.replace(/µ/g, "u").replace(/³/g, "3").replace(/⁶/g, "6").replace(/⁹/g, "9").replace(/¹²/g, "12").replace(/²/g, "2").replace(/\^/g, "");
  const written = ucumUnits.filter((unit) => unit.unit === text || plain(unit.unit) === plain(text));
  if (written.length === 1) return written[0];
  const loose = ucumUnits.filter((unit) => plain(unit.unit).toLowerCase() === plain(text).toLowerCase() || unit.code.toLowerCase() === text.toLowerCase());
  return loose.length === 1 ? loose[0] : undefined;
}

/**
 * A Quantity's unit fields for what a person typed: `unit`, `system` and `code` for a listed
 * unit; `unit` alone (as typed) for any other; nothing for an empty unit.
 */
export function quantityUnit(typed: string): Pick<fhir4.Quantity, "unit" | "system" | "code"> {
  const text = typed.trim();
  if (!text) return {};
  const found = findUcumUnit(text);
  return found ? { unit: found.unit, system: ucumSystem, code: found.code } : { unit: text };
}
