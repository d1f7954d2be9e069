import { readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { kindOf, type FhirResource } from "@/client/fhir";
import type { RecordDocument } from "@/client/records/records";
import { ReadableRecord } from "./readable-record";

const entries = (name: string) =>
  (
    JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world", name), "utf8")) as {
      entry: Array<{ fullUrl?: string; resource: FhirResource }>;
    }
  ).entry;

const documentOf = (resource: FhirResource, extra: Partial<RecordDocument> = {}): RecordDocument => ({
  v: 1,
  kind: kindOf(resource) ?? "other",
  resource,
  ...extra,
});

/** The rendered text (tags out), as a reader sees it. */
const render = (document: RecordDocument, records: Array<{ document: RecordDocument }> = []) =>
  renderToStaticMarkup(createElement(ReadableRecord, { document, records }));
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;/g, "'");

describe("the readable record", () => {
  const values = entries("10-values-and-dates.json");

  it("shows every value kind of fixture 10 readably, never a raw field name or [object Object]", () => {
    for (const { resource } of values) {
      const html = render(documentOf(resource));
      expect(html).not.toMatch(/valueQuantity|valueRange|valueRatio|onsetAge|occurrenceString|medicationReference|\[object Object\]/);
    }
    const shown = (id: string) => text(render(documentOf(values.find((entry) => entry.resource.id === id)!.resource)));
    expect(shown("lab-1")).toContain("<5 mg/L");
    expect(shown("lab-2")).toContain("≥90 mL/min/{1.73_m2}");
    expect(shown("lab-3")).toContain("0–2 /[HPF]");
    expect(shown("lab-4")).toContain("1/128");
    expect(shown("lab-6")).toContain("Not recorded: error");
    expect(shown("lab-5")).toMatch(/When\s+May–Jun 2019/);
    expect(shown("c-age")).toMatch(/Onset\s+7 years/);
    expect(shown("c-period")).toMatch(/Onset\s+from Apr 2001/);
    expect(shown("imm-string")).toMatch(/Date given\s+childhood, exact date unknown/);
    expect(shown("ms-display-only")).toMatch(/Medication\s+lisinopril 10 mg tablet/);
  });

  it("names references through the record's context", () => {
    const resource: FhirResource = {
      resourceType: "Immunization",
      status: "completed",
      vaccineCode: { text: "MMR" },
      performer: [{ actor: { reference: "urn:uuid:p1" } }],
    };
    const context = [{ fullUrl: "urn:uuid:p1", resource: { resourceType: "Practitioner", name: [{ given: ["Ana"], family: "Lima" }] } }];
    expect(text(render(documentOf(resource, { context })))).toContain("Ana Lima");
    expect(text(render(documentOf(resource)))).toContain("A linked record");
  });

  it("shows a received summary's sections, the records they list and why the others are empty, its narrative only as text", () => {
    const bundle = entries("02-ips-no-info.json");
    const records = bundle
      .filter((entry) => entry.resource.resourceType === "Immunization")
      .map((entry) => ({ document: documentOf(entry.resource, { fullUrl: entry.fullUrl }) }));
    const html = render(documentOf(bundle[0]!.resource, { fullUrl: bundle[0]!.fullUrl }), records);
    const shown = text(html);
    expect(shown).toContain("Allergies and Intolerances");
    expect(shown).toContain("No information available");
    expect(shown).toContain("Influenza, seasonal, injectable");
    expect(html).not.toContain("<table");
    expect(html).not.toContain("xmlns");
  });

  it("says that a no-known statement is one", () => {
    const allergy = entries("04-ips-with-immunization.json").find((entry) => entry.resource.id?.startsWith("c7781f44"))!.resource;
    expect(text(render(documentOf(allergy)))).toContain("A statement that there is none known");
  });

  it("shows a blood-pressure panel with its numbers, and its visit by the visit record's title", () => {
    const bundle = entries("05-synthea-transaction.json");
    const panel = bundle.find((entry) => entry.resource.resourceType === "Observation")!.resource;
    expect(text(render(documentOf(panel)))).toContain("134/82 mmHg");
    const visit = bundle.find((entry) => entry.resource.resourceType === "Encounter")!;
    expect(text(render(documentOf(panel), [{ document: documentOf(visit.resource, { fullUrl: visit.fullUrl }) }]))).toMatch(/Visit\s+Outpatient visit/);
  });
});

describe("a dosage in the detail view", () => {
  it("reads as one sentence, not nested timing fields", () => {
    const statement = entries("01-ips-minimal.json").find((entry) => entry.resource.resourceType === "MedicationStatement")!.resource;
    const shown = text(render(documentOf(statement)));
    expect(shown).toContain("1 tablet, once daily, by mouth");
    expect(shown).not.toMatch(/Number of times|Period in days/);
  });
});

describe("codes and targets in a document's details", () => {
  it("shows 01's Composition confidentiality, relatesTo and event codes in words, and no bare target id", () => {
    const composition = entries("01-ips-minimal.json").find((entry) => entry.resource.resourceType === "Composition")!.resource;
    const shown = text(render(documentOf(composition)));
    expect(shown).toMatch(/Confidentiality\s+Normal/);
    expect(shown).toMatch(/Code\s+Appends/);
    expect(shown).toMatch(/Code\s+Care provision/);
    expect(shown).toContain("Another document");
    expect(shown).not.toContain("20e12ce3-857f-49c0-b888-cb670597f191");
    expect(shown).not.toMatch(/Confidentiality\s+N\b|\bPCPR\b/);
  });

  it("an observation category without a display reads in words", () => {
    const observation: FhirResource = {
      resourceType: "Observation",
      status: "final",
      category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }],
      code: { text: "Heart rate" },
    };
    expect(text(render(documentOf(observation)))).toMatch(/Category\s+Vital signs/);
  });
});
