import { quantityUnit, ucumSystem } from "../ucum";
import { isObject, type FhirResource } from "../types";
import {
  conceptCode,
  conceptText,
  dateChoiceKept,
  readDateChoice,
  removeChoice,
  setChoice,
  setOrRemove,
  textConcept,
  writeDateChoice,
  type FormSpec,
} from "./model";

const loinc = "http://loinc.org";
const categorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";

/** LOINC codes of the FHIR R4 vital signs blood-pressure profile (§ vitalsigns, "bp"). */
export const bloodPressureCodes = { panel: "85354-9", systolic: "8480-6", diastolic: "8462-4" } as const;

const hasLoinc = (concept: unknown, code: string): boolean =>
  isObject(concept) &&
  Array.isArray(concept.coding) &&
  concept.coding.some((coding) => isObject(coding) && coding.code === code && (coding.system === loinc || coding.system === undefined));

const componentsOf = (resource: FhirResource): Array<Record<string, unknown>> => (Array.isArray(resource.component) ? resource.component.filter(isObject) : []);

/** A blood-pressure reading: the LOINC panel, or any observation carrying systolic and diastolic components. */
export function isBloodPressure(resource: FhirResource): boolean {
  const components = componentsOf(resource);
  return (
    hasLoinc(resource.code, bloodPressureCodes.panel) ||
    (components.some((each) => hasLoinc(each.code, bloodPressureCodes.systolic)) &&
      components.some((each) => hasLoinc(each.code, bloodPressureCodes.diastolic)))
  );
}

const numberPattern = /^(<=|>=|<|>|≤|≥)?\s*([-+]?(?:\d+\.?\d*|\.\d+))$/;
const comparators: Record<string, fhir4.Quantity["comparator"]> = { "<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=" };

/** A result's value as typed: a number with its comparator, or null when it is words. */
export function parseResultValue(text: string): { value: number; comparator?: fhir4.Quantity["comparator"] } | null {
  const match = numberPattern.exec(text.trim());
  if (!match) return null;
  const value = Number(match[2]);
  return Number.isFinite(value) ? { value, comparator: match[1] ? comparators[match[1]] : undefined } : null;
}

const quantityOf = (value: unknown): Partial<fhir4.Quantity> | undefined => (isObject(value) ? (value as Partial<fhir4.Quantity>) : undefined);

function readValue(resource: FhirResource): { value: string; unit: string } {
  const quantity = quantityOf(resource.valueQuantity);
  if (quantity && typeof quantity.value === "number") {
    return { value: `${quantity.comparator ?? ""}${quantity.value}`, unit: String(quantity.unit ?? quantity.code ?? "") };
  }
  if (typeof resource.valueInteger === "number") return { value: String(resource.valueInteger), unit: "" };
  if (typeof resource.valueString === "string") return { value: resource.valueString, unit: "" };
  return { value: "", unit: "" };
}

function valueKept(resource: FhirResource): string | undefined {
  if (readValue(resource).value) return undefined;
  const type = Object.keys(resource)
    .find((key) => /^value[A-Z]/.test(key))
    ?.slice("value".length);
  const value = type ? resource[`value${type}`] : undefined;
  const quantityWords = (each: unknown) => {
    const quantity = quantityOf(each);
    return quantity ? `${quantity.comparator ?? ""}${quantity.value ?? "?"} ${quantity.unit ?? quantity.code ?? ""}`.trim() : "?";
  };
  switch (type) {
    case undefined:
      return resource.dataAbsentReason !== undefined ? `no value (${conceptText(resource.dataAbsentReason) || "reason given"})` : undefined;
    case "CodeableConcept":
      return conceptText(value) || "a coded value";
    case "Boolean":
      return value === true ? "yes" : "no";
    case "Range":
      return isObject(value) ? `${quantityWords(value.low)} to ${quantityWords(value.high)}` : "a range";
    case "Ratio":
      return isObject(value) ? `${quantityWords(value.numerator)} / ${quantityWords(value.denominator)}` : "a ratio";
    default:
      return `a value given as ${type}`;
  }
}

/**
 * Writes a result's value and unit, keeping the value's type where what was typed fits it: a
 * Quantity keeps its unit, code and extensions when only the number changes; an integer stays
 * valueInteger while a whole number without a unit is typed; words are valueString. A value
 * replaces dataAbsentReason (obs-6); an empty value removes value[x].
 */
function writeValue(resource: FhirResource, typedValue: string, typedUnit: string, unitChanged: boolean): void {
  const text = typedValue.trim();
  if (!text) return removeChoice(resource, "value");
  delete resource.dataAbsentReason;
  const number = parseResultValue(text);
  if (!number) return setChoice(resource, "value", "String", text);
  if (resource.valueInteger !== undefined && !typedUnit.trim() && !number.comparator && Number.isInteger(number.value)) {
    return setChoice(resource, "value", "Integer", number.value);
  }
  const quantity: Record<string, unknown> = { ...quantityOf(resource.valueQuantity) };
  quantity.value = number.value;
  setOrRemove(quantity, "comparator", number.comparator);
  if (unitChanged || resource.valueQuantity === undefined) {
    // A new unit's code (or none, for a unit not on the UCUM list) replaces the old one's.
    for (const key of ["unit", "system", "code"]) delete quantity[key];
    Object.assign(quantity, quantityUnit(typedUnit));
  }
  setChoice(resource, "value", "Quantity", quantity);
}

const mmHg = (value: number): fhir4.Quantity => ({ value, unit: "mmHg", system: ucumSystem, code: "mm[Hg]" });

/** Writes one blood-pressure component's number, keeping the component's code and unit. */
function writeComponent(resource: FhirResource, code: string, display: string, text: string): void {
  const components = componentsOf(resource).map((each) => ({ ...each }));
  const index = components.findIndex((each) => hasLoinc(each.code, code));
  const component = index === -1 ? { code: { coding: [{ system: loinc, code, display }], text: display } } : components[index]!;
  const previous = quantityOf(component.valueQuantity);
  const value = Number(text.trim());
  removeChoice(component, "value");
  delete component.dataAbsentReason;
  component.valueQuantity = previous && typeof previous.value === "number" ? { ...previous, value } : mmHg(value);
  if (index === -1) components.push(component);
  else components[index] = component;
  resource.component = components;
}

const isBp = (values: Record<string, string>) => values.measure === "blood-pressure";

/** A result or measurement, or a blood-pressure reading: FHIR R4 Observation. */
export const observationForm: FormSpec = {
  kind: "observation",
  title: "result or measurement",
  resourceType: "Observation",
  fields: [
    {
      name: "measure",
      label: "What kind",
      type: "select",
      newOnly: true,
      options: [
        ["result", "A result or measurement"],
        ["blood-pressure", "Blood pressure (two numbers)"],
      ],
    },
    {
      name: "name",
      label: "What was measured",
      type: "text",
      required: true,
      missing: "Enter what was measured.",
      hint: "For example: HbA1c, weight, cholesterol.",
      when: (values) => !isBp(values),
    },
    {
      name: "value",
      label: "Value",
      type: "value",
      required: true,
      hint: "A number (6.5, <5 or >=90 as the lab wrote it) or words (negative).",
      when: (values) => !isBp(values),
    },
    { name: "unit", label: "Unit", type: "unit", hint: "Pick from the list or type it, for example mg/dL.", when: (values) => !isBp(values) },
    { name: "systolic", label: "Systolic (the higher number)", type: "number", required: true, min: 40, max: 300, unit: "mmHg", when: isBp },
    { name: "diastolic", label: "Diastolic (the lower number)", type: "number", required: true, min: 20, max: 200, unit: "mmHg", when: isBp },
    { name: "date", label: "Date", type: "date", time: true, required: true, notFuture: true },
    {
      name: "category",
      label: "Kind of result",
      type: "select",
      options: [
        ["vital-signs", "Vital sign"],
        ["laboratory", "Lab result"],
      ],
      more: [
        ["exam", "Examination"],
        ["social-history", "Social history"],
        ["imaging", "Imaging"],
        ["procedure", "Procedure"],
        ["survey", "Survey"],
        ["therapy", "Therapy"],
        ["activity", "Activity"],
      ],
      when: (values) => !isBp(values),
    },
  ],
  create: () => ({ resourceType: "Observation", id: crypto.randomUUID(), status: "final", subject: { display: "Patient" } }),
  read(resource): Record<string, string> {
    const components = componentsOf(resource);
    const componentValue = (code: string) => {
      const quantity = quantityOf(components.find((each) => hasLoinc(each.code, code))?.valueQuantity);
      return typeof quantity?.value === "number" ? String(quantity.value) : "";
    };
    const category = Array.isArray(resource.category) ? resource.category.map((each) => conceptCode(each, categorySystem)).find(Boolean) : undefined;
    if (isBloodPressure(resource)) {
      return {
        measure: "blood-pressure",
        systolic: componentValue(bloodPressureCodes.systolic),
        diastolic: componentValue(bloodPressureCodes.diastolic),
        date: readDateChoice(resource, "effective"),
      };
    }
    return {
      measure: "result",
      name: conceptText(resource.code),
      ...readValue(resource),
      date: readDateChoice(resource, "effective"),
      category: category ?? "",
    };
  },
  kept: (resource) => ({ value: valueKept(resource), date: dateChoiceKept(resource, "effective") }),
  write(resource, values, changed, context) {
    if (isBp(values)) {
      if (changed("measure")) {
        // FHIR R4 vital signs profile: the panel code, the vital-signs category, no value[x] of its own.
        resource.category = [{ coding: [{ system: categorySystem, code: "vital-signs", display: "Vital Signs" }], text: "Vital Signs" }];
        resource.code = {
          coding: [{ system: loinc, code: bloodPressureCodes.panel, display: "Blood pressure panel with all children optional" }],
          text: "Blood pressure",
        };
      }
      if (changed("systolic")) writeComponent(resource, bloodPressureCodes.systolic, "Systolic blood pressure", values.systolic ?? "");
      if (changed("diastolic")) writeComponent(resource, bloodPressureCodes.diastolic, "Diastolic blood pressure", values.diastolic ?? "");
    } else {
      if (changed("name")) setOrRemove(resource, "code", values.name?.trim() ? textConcept(values.name) : undefined);
      // A unit alone changes the value it goes with, never a value the form could not show (check() refuses that).
      if (changed("value") || (changed("unit") && values.value?.trim())) writeValue(resource, values.value ?? "", values.unit ?? "", changed("unit"));
      if (changed("category")) {
        // Only the observation-category coding is the form's: other categories an import gave are kept.
        const others = (Array.isArray(resource.category) ? resource.category : []).filter((each) => !conceptCode(each, categorySystem));
        const code = values.category ?? "";
        setOrRemove(resource, "category", code ? [{ coding: [{ system: categorySystem, code }] }, ...others] : others.length > 0 ? others : undefined);
      }
    }
    if (changed("date")) writeDateChoice(resource, "effective", values.date ?? "", context);
  },
  check(values, changed, editing) {
    const problems: Record<string, string> = {};
    if (isBp(values)) {
      const [systolic, diastolic] = [Number(values.systolic), Number(values.diastolic)];
      if ((changed("systolic") || changed("diastolic")) && values.systolic && values.diastolic && systolic <= diastolic) {
        problems.diastolic = "The diastolic number is the lower one: check the two are not swapped.";
      }
      return problems;
    }
    const number = parseResultValue(values.value ?? "");
    if (!changed("value") && !changed("unit")) return problems;
    if (/^\d+,\d+$/.test((values.value ?? "").trim())) problems.value = "Write decimals with a point, for example 6.5.";
    // An edited result whose unit was empty (an integer, words turned into a number) may stay without one.
    else if (number && !values.unit?.trim() && (changed("unit") || !editing)) problems.unit = "Enter the unit of this number, for example mmHg or mg/dL.";
    else if (!number && values.unit?.trim()) problems.unit = "A unit goes with a number: enter the number too, or leave the unit empty.";
    return problems;
  },
};
