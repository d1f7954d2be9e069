import { parseDateInput } from "../date-input";
import type { FhirResource } from "../types";
import { allergyForm } from "./allergy";
import { conditionForm } from "./condition";
import { immunizationForm } from "./immunization";
import { medicationForm } from "./medication";
import type { FieldSpec, FormContext, FormSpec, FormValues } from "./model";
import { observationForm, parseResultValue } from "./observation";

export type { FieldSpec, FormContext, FormSpec, FormValues } from "./model";
export { bloodPressureCodes, isBloodPressure } from "./observation";
export { medicationName } from "./medication";
export { editNoteResource } from "./note-edit";

/** Every form for a clinical entry, in the order the chart offers them. */
export const clinicalForms: readonly FormSpec[] = [conditionForm, medicationForm, allergyForm, immunizationForm, observationForm];

/** The fields a form shows for these values (a blood-pressure reading asks for two numbers, not one). */
export function shownFields(spec: FormSpec, values: FormValues, editing: boolean): FieldSpec[] {
  return spec.fields.filter((field) => (!field.when || field.when(values)) && !(editing && field.newOnly));
}

/** A new entry's first values: the first option of each choice, `today` (YYYY-MM-DD) for a required date, else empty. */
export function initialValues(spec: FormSpec, today: string): FormValues {
  return Object.fromEntries(
    spec.fields.map((field) => [field.name, field.type === "select" ? field.options[0]![0] : field.type === "date" && field.required ? today : ""]),
  );
}

const differs = (values: FormValues, initial: FormValues) => (name: string) => (values[name] ?? "").trim() !== (initial[name] ?? "").trim();

/**
 * Checks a form's values; returns a sentence per failing field, to show next to it. When
 * editing (`initial`: the values read from the stored record), only the fields the person
 * changed are checked: what the record held is kept as it is, even where the form would not
 * take it (an imported "occurrenceString", a required field the record lacks).
 * @param context `now` and `timeZone` decide what "the future" is and the offset of a typed time
 */
export function validate(spec: FormSpec, values: FormValues, context: FormContext & { initial?: FormValues } = {}): Record<string, string> {
  const { initial } = context;
  const changed = initial ? differs(values, initial) : () => true;
  const errors: Record<string, string> = {};
  for (const field of shownFields(spec, values, Boolean(initial))) {
    if (!changed(field.name)) continue;
    const value = (values[field.name] ?? "").trim();
    const problem = fieldProblem(field, value, context);
    if (problem) errors[field.name] = problem;
  }
  const between = spec.check?.(values, changed, Boolean(initial)) ?? {};
  for (const [name, problem] of Object.entries(between)) errors[name] ??= problem;
  return errors;
}

function fieldProblem(field: FieldSpec, value: string, context: FormContext): string | undefined {
  if (!value) {
    if (!field.required) return undefined;
    if (field.type === "date") return "Enter the date.";
    if (field.type === "number") return "Enter a number.";
    if (field.type === "value") return "Enter the value.";
    return field.missing ?? "Please fill this in.";
  }
  switch (field.type) {
    case "date": {
      const parsed = parseDateInput(value, { allowTime: field.time, notFuture: field.notFuture, timeZone: context.timeZone, now: context.now });
      return parsed.ok ? undefined : parsed.problem;
    }
    case "number": {
      const number = Number(value);
      if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(value) || !Number.isFinite(number)) return "Enter a number, for example 120 or 6.5.";
      if ((field.min !== undefined && number < field.min) || (field.max !== undefined && number > field.max)) {
        return `Check this number: it should be between ${field.min ?? "…"} and ${field.max ?? "…"}${field.unit ? ` ${field.unit}` : ""}.`;
      }
      return undefined;
    }
    case "value":
      return value.length > 200 && !parseResultValue(value) ? "Keep this under 200 characters." : undefined;
    case "unit":
      return value.length > 30 ? "Keep the unit under 30 characters." : undefined;
    case "text":
      return value.length > (field.max ?? 200) ? `Keep this under ${field.max ?? 200} characters.` : undefined;
    case "select":
      return field.options.some(([option]) => option === value) || field.more?.some(([option]) => option === value) ? undefined : "Choose one of the options.";
  }
}

/** A new entry's resource from a form's checked values. */
export function newResource(spec: FormSpec, values: FormValues, context: FormContext = {}): FhirResource {
  const resource = spec.create();
  spec.write(resource, values, () => true, context);
  return resource;
}

/**
 * An edited resource: a copy of `previous` with only the fields whose value differs from what
 * was read (`initial`) written. Every element the form does not show, and every shown one the
 * person left alone, is kept exactly, choice type and all; a field the person cleared is
 * removed. With nothing changed, the result deep-equals `previous`.
 */
export function editResource(spec: FormSpec, previous: FhirResource, values: FormValues, initial: FormValues, context: FormContext = {}): FhirResource {
  const resource = structuredClone(previous);
  spec.write(resource, values, differs(values, initial), context);
  return resource;
}

/** The form that edits a stored record, when there is one: its kind's form, if the form writes that resource type. */
export function editFormFor(document: { kind: string; resource: FhirResource }): FormSpec | undefined {
  return clinicalForms.find((spec) => spec.kind === document.kind && spec.resourceType === document.resource.resourceType);
}

/**
 * Why a record has no edit form, in words for the person, or undefined when it has one (or is
 * a note or file, edited elsewhere or not at all): records of a type no form writes (a
 * prescription or a dispense kept as a medication record, a procedure, a visit) are kept
 * exactly as they came, and a note says what the person wants to add.
 */
export function notEditableReason(document: { kind: string; resource: FhirResource }): string | undefined {
  if (document.kind === "note" || document.kind === "document" || editFormFor(document)) return undefined;
  return "Records of this type are kept exactly as they came, so they cannot be edited here; add a note instead.";
}
