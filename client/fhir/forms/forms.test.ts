import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { kindOf } from "../kinds";
import type { ContextEntry, FhirResource } from "../types";
import { noteResource, noteAttachmentText } from "../note";
import { quantityUnit } from "../ucum";
import { parseResultValue } from "./observation";
import {
  clinicalForms,
  editFormFor,
  editNoteResource,
  editResource,
  initialValues,
  newResource,
  notEditableReason,
  shownFields,
  validate,
  type FormSpec,
} from ".";

// 2026-11-30 12:00 UTC, in Paris: what "now" and "the person's zone" are for every test here.
const context = { now: Date.UTC(2026, 10, 30, 12), timeZone: "Europe/Paris" };
const spec = (kind: string) => clinicalForms.find((form) => form.kind === kind)!;

interface Entry {
  fullUrl?: string;
  resource: FhirResource;
}
const fixture = (name: string): Entry[] =>
  (JSON.parse(readFileSync(path.resolve(__dirname, "../../../fixtures/real-world", name), "utf8")) as { entry: Entry[] }).entry;
const byId = (entries: Entry[], id: string) => entries.find((entry) => entry.resource.id === id)!.resource;

/** Edits `resource` with the form as a person would: read it, change `changes`, check, write. */
function edit(resource: FhirResource, changes: Record<string, string>, contextEntries: ContextEntry[] = []) {
  const form = editFormFor({ kind: kindOf(resource)!, resource })!;
  const initial = form.read(resource, contextEntries);
  const values = { ...initial, ...changes };
  return { errors: validate(form, values, { ...context, initial }), resource: editResource(form, resource, values, initial, context), initial };
}

const choiceBases = ["onset", "effective", "occurrence", "value", "medication", "abatement", "deceased"];
/** Every choice element `base[x]` holds at most one type (FHIR R4 §2.24.0.2). */
function expectOneChoiceEach(resource: FhirResource) {
  for (const base of choiceBases) {
    expect(Object.keys(resource).filter((key) => new RegExp(`^${base}[A-Z]`).test(key)).length, `${base}[x]`).toBeLessThanOrEqual(1);
  }
}
/** The top-level elements whose content differs. */
const changedKeys = (before: FhirResource, after: FhirResource) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();

beforeAll(async () => {
  await cryptoReady();
});

describe("editing an imported record changes only what the person changed", () => {
  const med15 = fixture("15-med-effective-datetime.json");
  const values10 = fixture("10-values-and-dates.json");

  it("a MedicationStatement with effectiveDateTime: status only keeps exactly the one effective[x], unchanged (fixture 15)", () => {
    const statement = byId(med15, "00000000-0000-0000-0000-00000000001e");
    const { errors, resource } = edit(statement, { status: "stopped" });
    expect(errors).toEqual({});
    expect(changedKeys(statement, resource)).toEqual(["status"]);
    expect(resource.effectiveDateTime).toBe("2020-06-15T08:00:00+02:00");
    expect(resource.medicationCodeableConcept).toEqual(statement.medicationCodeableConcept);
    expectOneChoiceEach(resource);
  });

  it("a MedicationStatement's date typed anew stays an effectiveDateTime, with the viewer's offset", () => {
    const statement = byId(med15, "00000000-0000-0000-0000-00000000001e");
    const { resource } = edit(statement, { start: "2020-06" });
    expect(changedKeys(statement, resource)).toEqual(["effectiveDateTime"]);
    expect(resource.effectiveDateTime).toBe("2020-06");
  });

  it("an Observation with effectivePeriod: the value only keeps the period, the unit and its code (fixture 15)", () => {
    const weight = byId(med15, "00000000-0000-0000-0000-00000000001f");
    const { errors, initial, resource } = edit(weight, { value: "81.5" });
    expect(initial).toMatchObject({ value: "80", unit: "kg", date: "" });
    expect(errors).toEqual({});
    expect(changedKeys(weight, resource)).toEqual(["valueQuantity"]);
    expect(resource.valueQuantity).toEqual({ value: 81.5, unit: "kg", system: "http://unitsofmeasure.org", code: "kg" });
    expect(resource.effectivePeriod).toEqual(weight.effectivePeriod);
    expectOneChoiceEach(resource);
  });

  it("a comparator is read with the number and kept or removed as typed (fixture 10)", () => {
    const crp = byId(values10, "lab-1");
    const { initial, resource } = edit(crp, { value: "<3" });
    expect(initial.value).toBe("<5");
    expect(resource.valueQuantity).toEqual({ ...(crp.valueQuantity as object), value: 3 });
    expect(edit(crp, { value: "4" }).resource.valueQuantity).not.toHaveProperty("comparator");
    expect(edit(crp, { value: "≥90" }).resource.valueQuantity).toMatchObject({ value: 90, comparator: ">=" });
  });

  it("a valueString stays a string unless a number is typed; a valueInteger stays an integer (fixture 10)", () => {
    const words = byId(values10, "lab-5");
    const asWords = edit(words, { value: "weakly positive" }).resource;
    expect(changedKeys(words, asWords)).toEqual(["valueString"]);
    const asNumber = edit(words, { value: "12", unit: "mg/L" });
    expect(asNumber.errors).toEqual({});
    expect(asNumber.resource.valueString).toBeUndefined();
    expect(asNumber.resource.valueQuantity).toEqual({ value: 12, unit: "mg/L", system: "http://unitsofmeasure.org", code: "mg/L" });
    expect(asNumber.resource.effectivePeriod).toEqual(words.effectivePeriod);
    const count = byId(values10, "lab-8");
    const integer = edit(count, { value: "7" });
    expect(integer.errors).toEqual({});
    expect(changedKeys(count, integer.resource)).toEqual(["valueInteger"]);
    expect(integer.resource.valueInteger).toBe(7);
  });

  it("a value the form cannot show (a range, a ratio, a boolean) is kept, said in words, and not required to save a status change", () => {
    for (const id of ["lab-3", "lab-4", "lab-7"]) {
      const result = byId(values10, id);
      const form = spec("observation");
      expect(form.read(result).value).toBe("");
      expect(form.kept(result).value).toBeTruthy();
      const { errors, resource } = edit(result, { category: form.read(result).category === "laboratory" ? "vital-signs" : "laboratory" });
      expect(errors).toEqual({});
      expect(changedKeys(result, resource)).toEqual(["category"]);
    }
    expect(spec("observation").kept(byId(values10, "lab-3")).value).toMatch(/ to /);
  });

  it("a value typed where the record said why there is none replaces the reason (obs-6)", () => {
    const absent = byId(values10, "lab-6");
    expect(absent.dataAbsentReason).toBeDefined();
    const { resource } = edit(absent, { value: "5.2", unit: "mmol/L" });
    expect(resource.dataAbsentReason).toBeUndefined();
    expect(resource.valueQuantity).toMatchObject({ value: 5.2, code: "mmol/L" });
  });

  it("an onset given as an age or words is kept when only the status changes, and replaced by a typed date (fixture 10)", () => {
    for (const id of ["c-age", "c-string"]) {
      const condition = byId(values10, id);
      const form = spec("condition");
      expect(form.read(condition).onset).toBe("");
      expect(form.kept(condition).onset).toMatch(id === "c-age" ? /^at age 7 years$/ : /teenage years/);
      const status = edit(condition, { status: "resolved" });
      expect(status.errors).toEqual({});
      expect(changedKeys(condition, status.resource)).toEqual(["clinicalStatus"]);
      const dated = edit(condition, { onset: "2019" }).resource;
      expect(Object.keys(dated).filter((key) => key.startsWith("onset"))).toEqual(["onsetDateTime"]);
      expect(dated.onsetDateTime).toBe("2019");
    }
  });

  it("an onset period with only a start is shown as its start, and a new start stays a period's start (fixture 10)", () => {
    const condition = byId(values10, "c-period");
    expect(spec("condition").read(condition).onset).toBe("2001-04");
    expect(changedKeys(condition, edit(condition, { status: "active" }).resource)).toEqual(["clinicalStatus"]);
    expect(edit(condition, { onset: "2001-03-15" }).resource.onsetPeriod).toEqual({ start: "2001-03-15" });
  });

  it("an immunization given in words keeps its occurrenceString when the lot changes (fixture 10)", () => {
    const immunization = byId(values10, "imm-string");
    const { errors, resource } = edit(immunization, { lot: "LOT-7" });
    expect(errors).toEqual({});
    expect(changedKeys(immunization, resource)).toEqual(["lotNumber"]);
    expect(resource.occurrenceString).toBe(immunization.occurrenceString);
  });

  it("a medication named by its reference's display, or by a Medication in the record's context, is read by that name and kept (fixtures 10, 01)", () => {
    const displayOnly = byId(values10, "ms-display-only");
    expect(spec("medication").read(displayOnly).name).toBe("lisinopril 10 mg tablet");
    expect(changedKeys(displayOnly, edit(displayOnly, { status: "stopped" }).resource)).toEqual(["status"]);
    const ips = fixture("01-ips-minimal.json");
    const statement = ips.find((entry) => entry.resource.resourceType === "MedicationStatement")!.resource;
    const medications = ips.filter((entry) => entry.resource.resourceType === "Medication");
    expect(spec("medication").read(statement, medications).name).toMatch(/\S/);
    const renamed = edit(statement, { name: "Anastrozole 1 mg" }, medications).resource;
    expect(renamed.medicationReference).toBeUndefined();
    expect(renamed.medicationCodeableConcept).toEqual({ text: "Anastrozole 1 mg" });
    expectOneChoiceEach(renamed);
  });

  it("a field the person clears is removed, never left as an empty string", () => {
    const immunization = edit(newResource(spec("immunization"), { vaccine: "MMR", date: "2001-05", lot: "L1" }, context), { lot: "" }).resource;
    expect(immunization).not.toHaveProperty("lotNumber");
    const medication = edit(newResource(spec("medication"), { name: "Salbutamol", dosage: "as needed", start: "2021", status: "active" }, context), {
      dosage: "",
      start: "",
    }).resource;
    expect(medication).not.toHaveProperty("dosage");
    expect(Object.keys(medication).filter((key) => key.startsWith("effective"))).toEqual([]);
    const allergy = edit(newResource(spec("allergy"), { substance: "Latex", reaction: "rash", criticality: "low" }, context), { reaction: "" }).resource;
    expect(allergy).not.toHaveProperty("reaction");
    expect(JSON.stringify([immunization, medication, allergy])).not.toContain('""');
  });

  it.each([["15-med-effective-datetime.json"], ["10-values-and-dates.json"], ["01-ips-minimal.json"], ["04-ips-with-immunization.json"]])(
    "every record with a form in %s: nothing changed gives it back equal; each field changed alone touches only its own elements",
    (name) => {
      const entries = fixture(name);
      const editable = entries.filter((entry) => editFormFor({ kind: kindOf(entry.resource) ?? "", resource: entry.resource }));
      expect(editable.length).toBeGreaterThan(0);
      const owns: Record<string, RegExp> = {
        name: /^(code|medication[A-Z].*)$/,
        substance: /^code$/,
        vaccine: /^vaccineCode$/,
        onset: /^onset[A-Z]/,
        start: /^effective[A-Z]/,
        date: /^(effective|occurrence)[A-Z]/,
        status: /^(status|clinicalStatus)$/,
        dosage: /^dosage$/,
        reaction: /^reaction$/,
        criticality: /^criticality$/,
        lot: /^lotNumber$/,
        value: /^(value[A-Z].*|dataAbsentReason)$/,
        unit: /^value[A-Z]/,
        category: /^category$/,
        systolic: /^component$/,
        diastolic: /^component$/,
      };
      for (const { resource } of editable) {
        const form = editFormFor({ kind: kindOf(resource)!, resource })!;
        const initial = form.read(resource, entries);
        expect(editResource(form, resource, initial, initial, context)).toEqual(resource);
        for (const field of shownFields(form, initial, true)) {
          const replacement =
            field.type === "select"
              ? (field.options.map(([option]) => option).find((option) => option !== initial[field.name]) ?? "")
              : { text: "Edited by hand", date: "2019-05", number: "150", value: "42", unit: "mmol/L" }[field.type];
          const changes = field.name === "value" && !initial.unit ? { value: "42", unit: "mmol/L" } : { [field.name]: replacement };
          const { errors, resource: edited } = edit(resource, changes, entries);
          if (field.name === "unit" && !parseResultValue(initial.value ?? "")) {
            // A unit without a number (a result in words, a range the form cannot show) is refused, not written.
            expect(errors.unit).toMatch(/goes with a number/);
            continue;
          }
          expect(errors, `${resource.resourceType} ${field.name}`).toEqual({});
          for (const key of changedKeys(resource, edited)) expect(key, `${resource.resourceType}/${resource.id} ${field.name}`).toMatch(owns[field.name]!);
          expectOneChoiceEach(edited);
        }
      }
    },
  );
});

describe("new entries", () => {
  it("store a year, a year and month, a day or a date-time as typed, never year 0009", () => {
    const form = spec("immunization");
    for (const [typed, stored] of [
      ["2019", "2019"],
      ["2019-05", "2019-05"],
      ["May 2019", "2019-05"],
      ["2019-05-14", "2019-05-14"],
      ["2019-05-14 10:30", "2019-05-14T10:30:00+02:00"],
    ]) {
      const values = { vaccine: "MMR", date: typed!, lot: "" };
      expect(validate(form, values, context)).toEqual({});
      expect(newResource(form, values, context).occurrenceDateTime).toBe(stored);
    }
    expect(validate(form, { vaccine: "MMR", date: "0009" }, context).date).toMatch(/too long ago/);
    expect(validate(form, { vaccine: "MMR", date: "2027" }, context).date).toBe("The date cannot be in the future.");
  });

  it("explain each problem next to its field", () => {
    expect(validate(spec("observation"), { measure: "result", name: "", value: "6,5", unit: "", date: "2999-01-01", category: "laboratory" }, context)).toEqual(
      {
        name: "Enter what was measured.",
        value: "Write decimals with a point, for example 6.5.",
        date: "The date cannot be in the future.",
      },
    );
    expect(
      validate(spec("observation"), { measure: "result", name: "HbA1c", value: "6.5", unit: "", date: "2026-01", category: "laboratory" }, context),
    ).toEqual({
      unit: "Enter the unit of this number, for example mmHg or mg/dL.",
    });
    expect(validate(spec("immunization"), { vaccine: "Tetanus", date: "" }, context)).toEqual({ date: "Enter the date." });
  });

  it("a blood-pressure reading is one Observation: the LOINC 85354-9 panel with systolic 8480-6 and diastolic 8462-4 in mm[Hg], vital-signs", () => {
    const form = spec("observation");
    const values = { ...initialValues(form, "2026-11-30"), measure: "blood-pressure", systolic: "128", diastolic: "82", date: "2026-11-30 08:15" };
    expect(shownFields(form, values, false).map((field) => field.name)).toEqual(["measure", "systolic", "diastolic", "date"]);
    expect(validate(form, values, context)).toEqual({});
    const reading = newResource(form, values, context);
    expect(reading).toMatchObject({
      resourceType: "Observation",
      status: "final",
      category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
      code: { coding: [{ system: "http://loinc.org", code: "85354-9" }] },
      effectiveDateTime: "2026-11-30T08:15:00+01:00",
      component: [
        {
          code: { coding: [{ system: "http://loinc.org", code: "8480-6" }] },
          valueQuantity: { value: 128, unit: "mmHg", system: "http://unitsofmeasure.org", code: "mm[Hg]" },
        },
        {
          code: { coding: [{ system: "http://loinc.org", code: "8462-4" }] },
          valueQuantity: { value: 82, unit: "mmHg", system: "http://unitsofmeasure.org", code: "mm[Hg]" },
        },
      ],
    });
    expect(Object.keys(reading).filter((key) => key.startsWith("value"))).toEqual([]);
    expect(form.read(reading)).toMatchObject({ measure: "blood-pressure", systolic: "128", diastolic: "82" });
    const edited = edit(reading, { diastolic: "79" }).resource;
    expect(changedKeys(reading, edited)).toEqual(["component"]);
    expect((edited.component as Array<{ valueQuantity: { value: number } }>).map((each) => each.valueQuantity.value)).toEqual([128, 79]);
    expect(validate(form, { ...values, systolic: "80", diastolic: "120" }, context).diastolic).toMatch(/swapped/);
    expect(validate(form, { ...values, systolic: "1280" }, context).systolic).toMatch(/between 40 and 300/);
  });

  it("a unit from the UCUM list is stored with its code; any other unit as typed, with no code made up", () => {
    const form = spec("observation");
    const base = { measure: "result", name: "Glucose", value: "5.4", date: "2026-11-01", category: "laboratory" };
    expect(newResource(form, { ...base, unit: "mmol/L" }, context).valueQuantity).toEqual({
      value: 5.4,
      unit: "mmol/L",
      system: "http://unitsofmeasure.org",
      code: "mmol/L",
    });
    expect(newResource(form, { ...base, unit: "mmHg" }, context).valueQuantity).toMatchObject({ unit: "mmHg", code: "mm[Hg]" });
    expect(newResource(form, { ...base, unit: "10^3/uL" }, context).valueQuantity).toMatchObject({ unit: "10³/µL", code: "10*3/uL" });
    expect(newResource(form, { ...base, unit: "drops" }, context).valueQuantity).toEqual({ value: 5.4, unit: "drops" });
    expect(quantityUnit("MG/DL")).toEqual({ unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" });
    expect(quantityUnit("°F")).toMatchObject({ code: "[degF]" });
  });
});

describe("records no form writes", () => {
  it("a prescription, a dispense or a procedure has no edit form, and the person is told why", () => {
    for (const resource of [
      { resourceType: "MedicationRequest", status: "active", intent: "order" },
      { resourceType: "MedicationDispense", status: "completed" },
      { resourceType: "Procedure", status: "completed" },
    ]) {
      const document = { kind: kindOf(resource)!, resource };
      expect(editFormFor(document)).toBeUndefined();
      expect(notEditableReason(document)).toMatch(/kept exactly as they came.*add a note instead/);
    }
    expect(notEditableReason({ kind: "medication", resource: { resourceType: "MedicationStatement" } })).toBeUndefined();
  });
});

describe("editing a note", () => {
  it("a changed title touches only the description; a changed text only the inline data, keeping an imported note's type, status, date and attachment", () => {
    const imported: FhirResource = {
      ...noteResource({ title: "Discharge letter", text: "Home on day 3." }),
      type: { coding: [{ system: "http://loinc.org", code: "34109-9" }] },
      status: "superseded",
      date: "2020-01-01T10:00:00Z",
      author: [{ display: "Dr A" }],
    };
    (imported.content as Array<{ attachment: Record<string, unknown> }>)[0]!.attachment = {
      ...(imported.content as Array<{ attachment: Record<string, unknown> }>)[0]!.attachment,
      contentType: "text/plain; charset=utf-8",
      language: "en",
      size: 14,
      hash: "c29tZWhhc2g=",
    };
    const before = { title: "Discharge letter", text: "Home on day 3." };
    expect(editNoteResource(imported, before, before)).toEqual(imported);
    const retitled = editNoteResource(imported, before, { ...before, title: "Letter" });
    expect(changedKeys(imported, retitled)).toEqual(["description"]);
    const rewritten = editNoteResource(imported, before, { ...before, text: "Home on day 4 — fine." });
    expect(changedKeys(imported, rewritten)).toEqual(["content"]);
    expect(noteAttachmentText(rewritten as { content?: fhir4.DocumentReferenceContent[] })).toBe("Home on day 4 — fine.");
    const attachment = (rewritten.content as Array<{ attachment: Record<string, unknown> }>)[0]!.attachment;
    expect(attachment).toMatchObject({
      contentType: "text/plain; charset=utf-8",
      language: "en",
      size: new TextEncoder().encode("Home on day 4 — fine.").length,
    });
    expect(attachment).not.toHaveProperty("hash");
  });
});

describe("properties", () => {
  const text = fc.string({ minLength: 1, maxLength: 20 }).filter((value) => value.trim() === value && value.length > 0);
  const concept = fc.oneof(
    text.map((value) => ({ text: value })),
    fc.record({
      coding: fc.array(fc.record({ system: fc.constant("http://snomed.info/sct"), code: fc.stringMatching(/^\d{4,8}$/), display: text }), {
        minLength: 1,
        maxLength: 2,
      }),
    }),
  );
  const fhirDate = fc.oneof(
    fc.integer({ min: 1900, max: 2025 }).map(String),
    fc.date({ min: new Date("1950-01-01"), max: new Date("2025-12-31"), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
    fc.date({ min: new Date("1950-01-01"), max: new Date("2025-12-31"), noInvalidDate: true }).map((date) => date.toISOString().replace(/\.\d{3}Z$/, "+00:00")),
  );
  const dateChoice = (base: string) =>
    fc.oneof(
      fhirDate.map((value) => ({ [`${base}DateTime`]: value })),
      fc.record({ start: fhirDate }, { requiredKeys: [] }).map((period) => ({ [`${base}Period`]: period })),
      text.map((value) => ({ [`${base}String`]: value })),
      fc.constant({}),
    );
  const extras = fc.record(
    {
      identifier: fc.array(fc.record({ system: fc.constant("urn:oid:1.2.3"), value: text }), { maxLength: 2 }),
      note: fc.array(fc.record({ text }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  const resources: Record<string, fc.Arbitrary<FhirResource>> = {
    condition: fc
      .tuple(concept, fc.constantFrom("active", "resolved", "remission"), dateChoice("onset"), extras)
      .map(([code, status, onset, more]) => ({ resourceType: "Condition", id: "c", code, clinicalStatus: { coding: [{ code: status }] }, ...onset, ...more })),
    medication: fc
      .tuple(
        fc.oneof(
          concept.map((value) => ({ medicationCodeableConcept: value })),
          text.map((display) => ({ medicationReference: { display } })),
        ),
        fc.constantFrom("active", "completed", "intended", "unknown"),
        dateChoice("effective"),
        fc.option(fc.array(fc.record({ text, sequence: fc.nat(3) }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
        extras,
      )
      .map(([medication, status, effective, dosage, more]) => ({
        resourceType: "MedicationStatement",
        id: "m",
        status,
        ...medication,
        ...effective,
        ...(dosage ? { dosage } : {}),
        ...more,
      })),
    allergy: fc
      .tuple(concept, fc.option(fc.constantFrom("low", "high", "unable-to-assess"), { nil: undefined }), fc.option(concept, { nil: undefined }), extras)
      .map(([code, criticality, manifestation, more]) => ({
        resourceType: "AllergyIntolerance",
        id: "a",
        code,
        ...(criticality ? { criticality } : {}),
        ...(manifestation ? { reaction: [{ manifestation: [manifestation], severity: "mild" }] } : {}),
        ...more,
      })),
    immunization: fc
      .tuple(concept, dateChoice("occurrence"), fc.option(text, { nil: undefined }), extras)
      .map(([vaccineCode, occurrence, lotNumber, more]) => ({
        resourceType: "Immunization",
        id: "i",
        status: "completed",
        vaccineCode,
        ...occurrence,
        ...(lotNumber ? { lotNumber } : {}),
        ...more,
      })),
    observation: fc
      .tuple(
        concept,
        fc.oneof(
          fc
            .record({ value: fc.double({ min: -1000, max: 1000, noNaN: true }), unit: text, system: fc.constant("http://unitsofmeasure.org"), code: text })
            .map((quantity) => ({
              valueQuantity: quantity,
            })),
          fc.integer().map((value) => ({ valueInteger: value })),
          text.map((value) => ({ valueString: value })),
          fc.boolean().map((value) => ({ valueBoolean: value })),
          fc.constant({ dataAbsentReason: { text: "not asked" } }),
        ),
        dateChoice("effective"),
        extras,
      )
      .map(([code, value, effective, more]) => ({ resourceType: "Observation", id: "o", status: "final", code, ...value, ...effective, ...more })),
  };

  it.each(clinicalForms.map((form) => [form.kind, form] as [string, FormSpec]))("%s: editing nothing gives back an equal resource", (kind, form) => {
    fc.assert(
      fc.property(resources[kind]!, (resource) => {
        const initial = form.read(resource);
        expect(editResource(form, resource, initial, initial, context)).toEqual(resource);
        expect(validate(form, initial, { ...context, initial })).toEqual({});
      }),
    );
  });

  const selectOf = (form: FormSpec) =>
    form.fields.find((field) => field.type === "select" && !field.newOnly && !field.when) as
      Extract<FormSpec["fields"][number], { type: "select" }> | undefined;
  it.each(clinicalForms.filter((form) => selectOf(form)).map((form) => [form.kind, form] as [string, FormSpec]))(
    "%s: changing the status or other choice alone changes only that element",
    (_kind, form) => {
      const select = selectOf(form);
      fc.assert(
        fc.property(resources[form.kind]!, fc.nat(), (resource, pick) => {
          const initial = form.read(resource);
          const others = select!.options.filter(([option]) => option !== initial[select!.name]);
          const values = { ...initial, [select!.name]: others[pick % others.length]![0] };
          const edited = editResource(form, resource, values, initial, context);
          expect(changedKeys(resource, edited).length).toBe(1);
          expectOneChoiceEach(edited);
        }),
      );
    },
  );

  it("a partial date typed into any form's date field reads back as typed", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...clinicalForms.filter((form) => form.fields.some((field) => field.type === "date"))),
        fhirDate.filter((value) => !value.includes("T")),
        (form, date) => {
          const field = form.fields.find((each) => each.type === "date")!;
          const values = { ...initialValues(form, "2026-11-30"), name: "x", vaccine: "x", substance: "x", value: "1", unit: "kg", [field.name]: date };
          expect(validate(form, values, context)).toEqual({});
          expect(form.read(newResource(form, values, context))[field.name]).toBe(date);
        },
      ),
    );
  });
});
