import { dateInputText, dateInWords, parseDateInput } from "../date-input";
import { isObject, type ContextEntry, type FhirResource, type RecordKind } from "../types";

/**
 * The patient-facing forms for clinical entries: which fields each asks for, how each is read
 * from a stored resource, and how a value the person changed is written into it. Editing
 * writes only the fields whose value changed, into a copy of the stored resource, so
 * everything a form does not show (identifiers, codings, extensions, other `[x]` choices) is
 * kept exactly.
 */

/** A form's values, by field name, as typed (dates and numbers as text). */
export type FormValues = Record<string, string>;

interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  /** The message when a required text field is empty. */
  missing?: string;
  /** Shown (and checked) only when this holds for the form's values; always when absent. */
  when?: (values: FormValues) => boolean;
  /** Asked only of a new entry (what it is); an edit keeps what the record is. */
  newOnly?: boolean;
}

export type FieldSpec = FieldBase &
  (
    | { type: "text"; max?: number }
    /** A FHIR dateTime element (`time`) or date element; `notFuture` when it cannot be in the future. */
    | { type: "date"; time: boolean; notFuture?: boolean }
    | { type: "number"; min?: number; max?: number; unit?: string }
    /** A result's value: a number with an optional comparator ("<5", ">=90"), or words ("negative"). */
    | { type: "value" }
    /** A UCUM unit, from the list (client/fhir/ucum.ts) or typed. */
    | { type: "unit" }
    /** `more`: labels for codes not offered for a new entry, shown when a stored record has one. */
    | { type: "select"; options: Array<[value: string, label: string]>; more?: Array<[value: string, label: string]> }
  );

/** Where the person is: the time zone a date-time typed without an offset takes. Tests pin it. */
export interface FormContext {
  timeZone?: string;
  now?: number;
}

export interface FormSpec {
  kind: RecordKind;
  /** The entry in words, lower case: "problem", "medication". */
  title: string;
  /** The FHIR R4 resource type this form writes and edits. */
  resourceType: string;
  fields: FieldSpec[];
  /** A new entry's resource before the form's values are written into it. */
  create(): FhirResource;
  /** The form's values for a stored resource; `context` resolves references (a Medication). */
  read(resource: FhirResource, context?: readonly ContextEntry[]): FormValues;
  /**
   * What a record holds where a field cannot show it (an onset given as an age, a result given as
   * a range), in words, by field name: kept as it is unless the person types a replacement.
   */
  kept(resource: FhirResource, context?: readonly ContextEntry[]): Partial<Record<string, string>>;
  /** Writes into `resource` (mutating it) every value for which `changed(name)` holds. */
  write(resource: FhirResource, values: FormValues, changed: (name: string) => boolean, context: FormContext): void;
  /** Problems between fields (a unit without a number), by field name. */
  check?(values: FormValues, changed: (name: string) => boolean, editing: boolean): Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing FHIR elements defensively: a stored resource may come from anywhere.

/** A CodeableConcept in words: its text, else a coding's display, else a code; "" when none. */
export function conceptText(value: unknown): string {
  if (!isObject(value)) return "";
  const concept = value as Partial<fhir4.CodeableConcept>;
  if (typeof concept.text === "string") return concept.text;
  const codings = Array.isArray(concept.coding) ? concept.coding.filter(isObject) : [];
  const display = codings.find((coding) => typeof coding.display === "string")?.display;
  if (typeof display === "string") return display;
  const code = codings.find((coding) => typeof coding.code === "string")?.code;
  return typeof code === "string" ? code : "";
}

/** The code of a concept's coding in `system` (or its first coding's when `system` is not given); "" when none. */
export function conceptCode(value: unknown, system?: string): string {
  if (!isObject(value) || !Array.isArray(value.coding)) return "";
  const coding = value.coding.filter(isObject).find((each) => (system ? each.system === system : true));
  return coding && typeof coding.code === "string" ? coding.code : "";
}

/** A concept of the person's words alone: the codes of what it replaces described something else. */
export const textConcept = (text: string): fhir4.CodeableConcept => ({ text: text.trim() });

/** The value at a path of object keys and array indexes ("reaction.0.manifestation.0"), undefined when absent. */
export function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((current, key) => {
    if (Array.isArray(current)) return current[Number(key)];
    return isObject(current) ? current[key] : undefined;
  }, value);
}

const choicePattern = (base: string) => new RegExp(`^_?${base}[A-Z]`);

/** Which type a choice element `base[x]` holds ("DateTime" for `onsetDateTime`), undefined when none. */
export function choiceType(resource: Record<string, unknown>, base: string): string | undefined {
  const key = Object.keys(resource).find((name) => new RegExp(`^${base}[A-Z]`).test(name) && resource[name] !== undefined);
  return key?.slice(base.length);
}

/**
 * Writes a choice element `base[x]` as one type (FHIR R4 §2.24.0.2: exactly one type at a time):
 * every other type of it is removed, with its primitive extension (`_onsetString`); the chosen
 * type's own extension is kept.
 */
export function setChoice(resource: Record<string, unknown>, base: string, type: string, value: unknown): void {
  removeChoice(resource, base, type);
  resource[`${base}${type}`] = value;
}

/** Removes every type of a choice element `base[x]` (but `except`), with their primitive extensions. */
export function removeChoice(resource: Record<string, unknown>, base: string, except?: string): void {
  for (const key of Object.keys(resource)) {
    if (choicePattern(base).test(key) && key.replace(/^_/, "") !== `${base}${except ?? ""}`) delete resource[key];
  }
}

/** Sets `key` to `value`, or removes it (never leaves "") when the value is empty. */
export function setOrRemove(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === "") delete target[key];
  else target[key] = value;
}

/** Parses a date field's text as validate() accepted it; a value that fails here is a caller's bug. */
export function dateValue(text: string, context: FormContext): string {
  const parsed = parseDateInput(text, { allowTime: true, timeZone: context.timeZone, now: context.now });
  if (!parsed.ok) throw new TypeError(`A date the form did not check reached the record: ${parsed.problem}`);
  return parsed.value;
}

const periodOf = (value: unknown): Partial<fhir4.Period> | undefined => (isObject(value) ? (value as Partial<fhir4.Period>) : undefined);

/**
 * A dateTime choice (`onset[x]`, `effective[x]`, `occurrence[x]`) as a date field's text: a
 * dateTime or instant, or the start of a period that has no end; "" for any other type
 * (kept, see dateChoiceKept).
 */
export function readDateChoice(resource: FhirResource, base: string, timeZone?: string): string {
  const type = choiceType(resource, base);
  const value = resource[`${base}${type}`];
  if ((type === "DateTime" || type === "Instant") && typeof value === "string") return dateInputText(value, timeZone);
  const period = periodOf(value);
  if (type === "Period" && period && typeof period.start === "string" && period.end === undefined) return dateInputText(period.start, timeZone);
  return "";
}

const quantityWords = (value: unknown): string => {
  if (!isObject(value)) return "";
  const quantity = value as Partial<fhir4.Quantity>;
  return [quantity.comparator, quantity.value, quantity.unit ?? quantity.code].filter((part) => part !== undefined).join(" ");
};

/** What a dateTime choice holds that a date field cannot show, in words; undefined when the field shows it (or nothing is there). */
export function dateChoiceKept(resource: FhirResource, base: string): string | undefined {
  if (readDateChoice(resource, base)) return undefined;
  const type = choiceType(resource, base);
  if (!type) return undefined;
  const value = resource[`${base}${type}`];
  const day = (text: unknown) => (typeof text === "string" ? dateInWords(text) : "?");
  switch (type) {
    case "Period": {
      const period = periodOf(value);
      return `${day(period?.start)} to ${day(period?.end)}`;
    }
    case "String":
      return typeof value === "string" ? `“${value}”` : "a date in words";
    case "Age":
      return `at age ${quantityWords(value)}`;
    case "Range":
      return `at age ${quantityWords(at(value, "low"))} to ${quantityWords(at(value, "high"))}`;
    case "Timing":
      return "a schedule";
    default:
      return `a date given as ${type}`;
  }
}

/**
 * Writes a date field into a dateTime choice, keeping its type where the value fits it: an
 * open period's start stays a period's start, an instant stays an instant when a full
 * date-time is given; anything else becomes `base + "DateTime"` (or `preferPeriod`: a new
 * period's start, for a statement's "started"). An empty field removes the choice.
 */
export function writeDateChoice(resource: FhirResource, base: string, text: string, context: FormContext, preferPeriod = false): void {
  if (!text.trim()) return removeChoice(resource, base);
  const value = dateValue(text, context);
  const type = choiceType(resource, base);
  const period = periodOf(resource[`${base}Period`]);
  if (type === "Period" && period && period.end === undefined) {
    resource[`${base}Period`] = { ...period, start: value };
  } else if (type === "Instant" && value.includes("T")) {
    setChoice(resource, base, "Instant", value);
  } else if (!type && preferPeriod) {
    setChoice(resource, base, "Period", { start: value });
  } else {
    setChoice(resource, base, "DateTime", value);
  }
}
