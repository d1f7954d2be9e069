import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { contextResourceTypes } from "./kinds";
import { summarize, type RecordSummary } from "./summary";
import { compositionSections } from "./composition";
import type { ContextEntry, FhirResource } from "./types";

interface Entry {
  fullUrl?: string;
  resource: FhirResource;
}

// A note's inline text is base64, which crypto/ decodes once libsodium is loaded.
beforeAll(() => cryptoReady());

/** A fixture's entries, and the context resources (never the Patient) as the import keeps them beside each record. */
function fixture(name: string): { entries: Entry[]; context: ContextEntry[] } {
  const bundle = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world", name), "utf8")) as { entry: Entry[] };
  const context = bundle.entry
    .filter((entry) => contextResourceTypes.has(entry.resource.resourceType) && entry.resource.resourceType !== "Patient")
    .map((entry) => ({ ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}), resource: entry.resource }));
  return { entries: bundle.entry, context };
}

const options = { locale: "en-GB", timeZone: "UTC" };

function summaries(name: string): Array<RecordSummary & { id?: string; fullUrl?: string }> {
  const { entries, context } = fixture(name);
  return entries.flatMap((entry) => {
    const summary = summarize(entry.resource, context, options);
    return summary ? [{ ...summary, id: entry.resource.id, fullUrl: entry.fullUrl }] : [];
  });
}

const byId = (list: ReturnType<typeof summaries>, id: string) => {
  const found = list.find((summary) => summary.id === id);
  if (!found) throw new Error(`no record ${id}`);
  return found;
};

describe("summaries of fixtures/real-world/10 (values and dates)", () => {
  const list = summaries("10-values-and-dates.json");

  it.each([
    ["lab-1", "C reactive protein [Mass/volume] in Serum or Plasma: <5 mg/L"],
    ["lab-2", "Creatinine [Mass/volume] in Serum or Plasma: ≥90 mL/min/{1.73_m2}"],
    ["lab-3", "Leukocytes [#/area] in Urine sediment by Microscopy high power field: 0–2 /[HPF]"],
    ["lab-4", "Rubella virus Ab [Titer] in Serum: 1/128"],
    ["lab-5", "ABO and Rh group [Type] in Blood: A positive"],
    ["lab-6", "Glucose [Mass/volume] in Serum or Plasma: Not recorded: error"],
    ["lab-7", "Carbon dioxide in blood: Yes"],
    ["lab-8", "Body temperature: 37"],
  ])("titles %s with its value as written: %s", (id, title) => {
    expect(byId(list, id).title).toBe(title);
  });

  it.each([
    ["c-period", "from Apr 2001", "2001-04"],
    ["c-age", "at age 7 years", null],
    ["c-string", "teenage years", null],
    ["imm-string", "childhood, exact date unknown", null],
    ["lab-5", "May–Jun 2019", "2019-05"],
    ["ms-display-only", "5 Nov 2022", "2022-11-05"],
    // 23:30 on 1 March in UTC-8 is 07:30 on 2 March in UTC: a moment is shown where the viewer is.
    ["lab-1", "2 Mar 2023, 07:30", "2023-03-01T23:30:00-08:00"],
  ])("shows every onset, effective and occurrence of %s: %s", (id, text, date) => {
    const summary = byId(list, id);
    expect(summary.dateText).toBe(text);
    expect(summary.date).toBe(date);
  });

  it("names a medication known only by its reference's display, and finds it by search", () => {
    const medication = byId(list, "ms-display-only");
    expect(medication.title).toBe("lisinopril 10 mg tablet");
    expect(medication.kind).toBe("medication");
    expect(medication.text.toLowerCase()).toContain("lisinopril");
  });

  it("searches codes as system|code and every display", () => {
    const creatinine = byId(list, "lab-2");
    expect(creatinine.text).toContain("http://loinc.org|2160-0");
    expect(creatinine.text).toContain("≥90 mL/min/{1.73_m2}");
    expect(byId(list, "lab-1").text).toContain("laboratory");
  });

  it("never titles anything 'Untitled'", () => {
    expect(list.every((summary) => summary.title && !/untitled/i.test(summary.title))).toBe(true);
  });
});

describe("summaries of the IPS and Synthea fixtures", () => {
  it("shows 01's partial dates as written, never with a made-up day, and names the referenced Medication", () => {
    const list = summaries("01-ips-minimal.json");
    const condition = list.find((summary) => summary.kind === "condition")!;
    const medication = list.find((summary) => summary.kind === "medication")!;
    expect(condition.dateText).toBe("2015");
    expect(medication.dateText).toBe("from Mar 2015");
    expect(medication.title).toBe("Product containing anastrozole (medicinal product)");
    // Searchable by every coding of the Medication, not only the one shown.
    expect(medication.text).toContain("ANASTROZOL 1MG TABLET");
  });

  it("titles 05's blood-pressure panel with its numbers, systolic first", () => {
    const list = summaries("05-synthea-transaction.json");
    const panel = list.find((summary) => summary.kind === "observation")!;
    expect(panel.title).toBe("Blood pressure 134/82 mmHg");
    expect(panel.value).toBe("134/82 mmHg");
    expect(list.find((summary) => summary.kind === "encounter")?.title).toBe("Outpatient visit");
    expect(list.find((summary) => summary.kind === "procedure")?.dateText).toContain("14 Feb 2019");
  });

  it("makes 04's 'No known food allergy' a statement, not an allergy", () => {
    const list = summaries("04-ips-with-immunization.json");
    const allergies = list.filter((summary) => summary.kind === "allergy");
    const statement = allergies.find((summary) => summary.statement);
    expect(statement?.title).toBe("No known food allergy");
    expect(statement?.statement).toBe("none-known");
    expect(allergies.filter((summary) => !summary.statement).map((summary) => summary.title)).toEqual(["Substance with penicillin structure (substance)"]);
  });

  it("gives 07's Chinese-titled condition its coded name to print instead, and 01's medication every coded name but the title", () => {
    const condition = summaries("07-everything-searchset.json").find((summary) => summary.kind === "condition")!;
    expect(condition.title).toBe("2型糖尿病");
    expect(condition.codedTitles).toEqual(["Diabetes mellitus type 2 (disorder)"]);
    const medication = summaries("01-ips-minimal.json").find((summary) => summary.kind === "medication")!;
    expect(medication.codedTitles).not.toContain(medication.title);
    expect(medication.codedTitles).toContain("ANASTROZOL 1MG TABLET");
    // A statement's coded names are worded as the statement is.
    const statement = summaries("04-ips-with-immunization.json").find((summary) => summary.statement)!;
    expect(statement.codedTitles).toEqual([]);
  });

  it("reads 02's composition sections, naming the records they list and why the others are empty", () => {
    const { entries } = fixture("02-ips-no-info.json");
    const records = entries.filter((entry) => entry.resource.resourceType === "Immunization").map((entry) => ({ document: entry }));
    const sections = compositionSections(entries[0]!.resource, records);
    expect(sections.map((section) => section.title)).toEqual(["Allergies and Intolerances", "Problem List", "Medication Summary", "Immunizations"]);
    expect(sections.slice(0, 3).map((section) => section.emptyReason)).toEqual([
      "No information available",
      "No information available",
      "No information available",
    ]);
    expect(sections[3]!.entries).toHaveLength(2);
    expect(sections[3]!.entries.every((title) => title.startsWith("Influenza"))).toBe(true);
    // The narrative is text, never markup.
    expect(sections[0]!.text).toBe("There is no information available regarding the subject's allergy conditions.");
    expect(sections.every((section) => !(section.text ?? "").includes("<"))).toBe(true);
  });
});

describe("statements and generic titles", () => {
  const statement = (resource: FhirResource) => summarize(resource, [], options);

  it.each<[FhirResource, string, string]>([
    [{ resourceType: "Condition", code: { text: "Asthma" }, verificationStatus: { coding: [{ code: "refuted" }] } }, "refuted", "Ruled out: Asthma"],
    [{ resourceType: "Procedure", status: "not-done", code: { text: "Colonoscopy" } }, "not-done", "Not done: Colonoscopy"],
    [{ resourceType: "Immunization", status: "not-done", vaccineCode: { text: "MMR" } }, "not-done", "Not done: MMR"],
    [{ resourceType: "MedicationStatement", status: "not-taken", medicationCodeableConcept: { text: "Aspirin" } }, "not-taken", "Not taken: Aspirin"],
    [
      {
        resourceType: "MedicationStatement",
        status: "active",
        medicationCodeableConcept: {
          coding: [
            { system: "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips", code: "no-medication-info", display: "No information about medications" },
          ],
        },
      },
      "unknown",
      "No information about medications",
    ],
    [
      { resourceType: "Condition", code: { coding: [{ system: "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips", code: "no-known-problems" }] } },
      "none-known",
      "no-known-problems",
    ],
    [{ resourceType: "AllergyIntolerance", code: { coding: [{ system: "http://snomed.info/sct", code: "409137002" }] } }, "none-known", "409137002"],
    [{ resourceType: "FamilyMemberHistory", status: "health-unknown", relationship: { text: "Father" } }, "unknown", "Father: health unknown"],
  ])("says what %j states", (resource, kind, title) => {
    expect(statement(resource)?.statement).toBe(kind);
    expect(statement(resource)?.title).toBe(title);
  });

  it("does not make an allergy a statement", () => {
    expect(statement({ resourceType: "AllergyIntolerance", code: { text: "Peanut" } })?.statement).toBeNull();
  });

  it("titles every kind by what names it", () => {
    expect(statement({ resourceType: "CarePlan", title: "Diabetes plan", period: { start: "2020-01" } })?.title).toBe("Diabetes plan");
    expect(statement({ resourceType: "FamilyMemberHistory", relationship: { text: "Mother" }, condition: [{ code: { text: "Diabetes" } }] })?.title).toBe(
      "Mother: Diabetes",
    );
    expect(statement({ resourceType: "Goal", description: { text: "Lose 5 kg" } })?.title).toBe("Lose 5 kg");
    expect(statement({ resourceType: "ServiceRequest", doNotPerform: true, code: { text: "MRI" } })?.title).toBe("Do not give or do: MRI");
    expect(statement({ resourceType: "QuestionnaireResponse", status: "completed" })?.title).toBe("Questionnaire response (completed)");
    expect(statement({ resourceType: "RiskAssessment", code: { text: "Fall risk" } })?.title).toBe("Risk assessment: Fall risk");
    expect(
      summarize(
        { resourceType: "DeviceUseStatement", device: { reference: "urn:uuid:d1" } },
        [{ fullUrl: "urn:uuid:d1", resource: { resourceType: "Device", deviceName: [{ name: "Insulin pump", type: "user-friendly-name" }] } }],
        options,
      )?.title,
    ).toBe("Insulin pump");
  });

  it("shows reference ranges and interpretation flags with their letters", () => {
    const summary = statement({
      resourceType: "Observation",
      status: "final",
      code: { text: "WBC" },
      valueQuantity: { value: 12.5, unit: "10*9/L" },
      referenceRange: [{ low: { value: 4, unit: "10*9/L" }, high: { value: 10, unit: "10*9/L" } }],
      interpretation: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: "H" }] }],
    });
    expect(summary?.title).toBe("WBC: 12.5 10*9/L");
    expect(summary?.ranges).toEqual(["ref 4–10 10*9/L"]);
    expect(summary?.flags).toEqual(["High (H)"]);
    expect(summary?.text).toContain("High (H)");
  });

  it("lists the components of a panel that is not a blood pressure", () => {
    const summary = statement({
      resourceType: "Observation",
      status: "final",
      code: { text: "Apgar" },
      component: [
        { code: { text: "1 minute" }, valueInteger: 8 },
        { code: { text: "5 minutes" }, valueInteger: 9 },
      ],
    });
    expect(summary?.details).toEqual(["1 minute: 8", "5 minutes: 9"]);
  });
});

describe("a note's title", () => {
  it("is its description, else its type, else its text's first line (05's note is a 'History and physical note', not '2019-02-14')", () => {
    const note = byId(summaries("05-synthea-transaction.json"), "00000000-0000-0000-0000-000000000007");
    expect(note.kind).toBe("note");
    expect(note.title).toBe("History and physical note");
    const { entries } = fixture("05-synthea-transaction.json");
    const resource = entries.find((entry) => entry.resource.id === "00000000-0000-0000-0000-000000000007")!.resource;
    expect(summarize({ ...resource, description: "Annual check" }, [], options)?.title).toBe("Annual check");
    expect(summarize({ ...resource, type: { text: "Clinic letter" } }, [], options)?.title).toBe("Clinic letter");
    const { type: _type, ...untyped } = resource;
    expect(summarize(untyped as FhirResource, [], options)?.title).toBe("2019-02-14");
  });
});
