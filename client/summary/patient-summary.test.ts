import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { availableExtras, buildPatientSummary, extraKinds, noInformation, revealedIdentity, type SummaryInput } from "./patient-summary";
import { readFileSync } from "node:fs";
import { planImport } from "../fhir/import-bundle";

/** A real-world fixture's planned records (fixtures/real-world, a document Bundle), as the chart holds them. */
const fixtureRecords = (name: string) => planImport(JSON.parse(readFileSync(`fixtures/real-world/${name}`, "utf8"))).records;

beforeAll(cryptoReady);

const pinned = { locale: "en-GB", timeZone: "Europe/Paris" };
const made = new Date("2026-11-30T09:00:00Z");
const summary = (records: SummaryInput["records"], extras: SummaryInput["extras"] = []) =>
  buildPatientSummary({ records, extras, patient: { name: "Martha", birthDate: "1972-05-14", shared: false }, madeAt: made }, pinned);
const section = (built: ReturnType<typeof summary>, key: string) => built.sections.find((candidate) => candidate.key === key)!;

describe("the patient summary", () => {
  it("puts fixture 04's records in the IPS sections, in order, with dates as written and statuses", () => {
    const built = summary(fixtureRecords("04-ips-with-immunization.json"));
    expect(built.sections.map((candidate) => candidate.heading)).toEqual([
      "Problems",
      "Medications",
      "Allergies and intolerances",
      "Immunizations",
      "Results",
      "Procedures",
    ]);
    expect(built.patient).toBe("Martha, born 14 May 1972");
    expect(built.made).toBe("Made on 30 Nov 2026");
    expect(section(built, "problems").lines).toMatchObject([
      { title: "Malignant tumor of breast", date: "Jan 2015", status: "Remission", referenceRange: null, interpretation: null },
      { title: "Menopausal flushing (finding)", date: "2015", status: "Active", referenceRange: null, interpretation: null },
    ]);
    expect(section(built, "medications").lines.map((line) => [line.title, line.date])).toEqual([
      ["Black Cohosh Extract herbal supplement", "from Jan 2016"],
      ["Product containing anastrozole (medicinal product)", "from Mar 2015"],
    ]);
    expect(section(built, "immunizations").lines[0]).toMatchObject({ title: "Vaccin anti diphtérie-coqueluche-tétanos-poliomyélite", status: "Completed" });
    expect(section(built, "results").lines).toHaveLength(7);
    expect(section(built, "results").lines[0]).toMatchObject({
      title: "Bacteria identified in Isolate: Methicillin resistant Staphylococcus aureus",
      status: "Final",
    });
    expect(section(built, "procedures")).toMatchObject({ lines: [], statements: [] });
  });

  it("shows a 'no known' allergy as a statement, not as an allergy", () => {
    const allergies = section(summary(fixtureRecords("04-ips-with-immunization.json")), "allergies");
    expect(allergies.statements).toEqual(["No known food allergy"]);
    expect(allergies.lines.map((line) => line.title)).toEqual(["Substance with penicillin structure (substance)"]);
  });

  it("states refuted, not-done and not-taken records as such", () => {
    const built = summary([
      { resource: { resourceType: "Condition", code: { text: "Asthma" }, verificationStatus: { coding: [{ code: "refuted" }] } } },
      { resource: { resourceType: "Immunization", status: "not-done", vaccineCode: { text: "Measles vaccine" }, occurrenceDateTime: "2020" } },
      { resource: { resourceType: "MedicationStatement", status: "not-taken", medicationCodeableConcept: { text: "Aspirin" } } },
      {
        resource: {
          resourceType: "MedicationStatement",
          status: "active",
          medicationCodeableConcept: {
            coding: [{ system: "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips", code: "no-known-medications", display: "No known medications" }],
          },
        },
      },
    ]);
    expect(section(built, "problems")).toMatchObject({ lines: [], statements: ["Ruled out: Asthma"] });
    expect(section(built, "immunizations")).toMatchObject({ lines: [], statements: ["Not done: Measles vaccine"] });
    expect(section(built, "medications")).toMatchObject({ lines: [], statements: ["No known medications", "Not taken: Aspirin"] });
  });

  it("gives results their reference range and interpretation", () => {
    const built = summary([
      {
        resource: {
          resourceType: "Observation",
          status: "final",
          code: { text: "Potassium" },
          valueQuantity: { value: 5.9, unit: "mmol/L" },
          effectiveDateTime: "2024-03-02",
          referenceRange: [{ low: { value: 3.5, unit: "mmol/L" }, high: { value: 5.1, unit: "mmol/L" } }],
          interpretation: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: "H" }] }],
        },
      },
      { resource: { resourceType: "Observation", status: "final", code: { text: "eGFR" }, referenceRange: [{ low: { value: 60, unit: "mL/min" } }] } },
      { resource: { resourceType: "Observation", status: "final", code: { text: "CRP" }, referenceRange: [{ text: "under 5 mg/L" }] } },
    ]);
    expect(section(built, "results").lines).toMatchObject([
      { title: "Potassium: 5.9 mmol/L", date: "2 Mar 2024", status: "Final", referenceRange: "ref 3.5–5.1 mmol/L", interpretation: "High (H)" },
      { title: "CRP", date: null, status: "Final", referenceRange: "ref under 5 mg/L", interpretation: null },
      { title: "eGFR", date: null, status: "Final", referenceRange: "ref ≥60 mL/min", interpretation: null },
    ]);
  });

  it("adds only the extras chosen, after the IPS sections, and says when one is empty", () => {
    const records = [
      { resource: { resourceType: "CarePlan", status: "active", title: "Diabetes plan" } },
      { resource: { resourceType: "Device", status: "active" } },
    ];
    const built = summary(records, ["care-plan", "family-history"]);
    expect(built.sections.slice(6).map((candidate) => [candidate.key, candidate.heading])).toEqual([
      ["care-plan", "Care plans"],
      ["family-history", "Family history"],
    ]);
    expect(section(built, "care-plan").lines).toHaveLength(1);
    expect(section(built, "family-history")).toMatchObject({ lines: [], statements: [] });
    expect(summary(records).sections).toHaveLength(6);
    expect(availableExtras([...records, { resource: { resourceType: "Condition", code: { text: "Asthma" } } }])).toEqual([
      { kind: "care-plan", count: 1 },
      { kind: "device", count: 1 },
    ]);
    expect(extraKinds).toEqual(expect.arrayContaining(["care-plan", "device", "family-history", "note", "document", "encounter"]));
    expect(extraKinds).not.toContain("condition");
    expect(noInformation).toBe("No information");
  });

  it("says an empty section of a clinician's summary was not shared, never that there is none", () => {
    const records = [{ resource: { resourceType: "Condition", code: { text: "Asthma" } } }];
    const own = buildPatientSummary({ records, extras: [], patient: { name: "Martha", shared: false }, madeAt: made }, pinned);
    const shared = buildPatientSummary({ records, extras: [], patient: { name: "Martha", shared: true }, madeAt: made }, pinned);
    expect(own.empty).toBe("No information");
    expect(shared.empty).toBe("None shared with you");
  });

  it("names the patient as revealed, with a partial birth date never given a made-up day", () => {
    expect(revealedIdentity("Paul Proof", "1957-07", true, pinned)).toBe("Shared by Paul Proof, born Jul 1957");
    expect(revealedIdentity("Paul Proof", "1957", true, pinned)).toBe("Shared by Paul Proof, born 1957");
    expect(revealedIdentity("Paul Proof", "1957-07-06", false, pinned)).toBe("Paul Proof, born 6 Jul 1957");
    expect(revealedIdentity("Paul Proof", null, true, pinned)).toBe("Shared by Paul Proof");
  });
});
