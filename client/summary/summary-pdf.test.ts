import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pdfPageTexts } from "@/client/pdf-text-test-helpers";
import { planImport } from "../fhir/import-bundle";
import { isObject, type FhirResource } from "../fhir/types";
import type { SummaryFonts } from "./summary-pdf";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { buildPatientSummary } from "./patient-summary";
import { cjkFallback } from "./pdf-text";
import { buildSummaryPdf, fallbackNotice } from "./summary-pdf";

const require = createRequire(import.meta.url);

/** DejaVu Sans from the dejavu-fonts-ttf package, as the browser fetches it. Tests only. */
const testFonts = (): SummaryFonts => ({
  regular: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  bold: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
});

const fixture = (name: string): unknown => JSON.parse(readFileSync(`fixtures/real-world/${name}`, "utf8"));

/** A real-world fixture's planned records (fixtures/real-world, a document or collection Bundle), as the chart holds them. */
const fixtureRecords = (name: string) => planImport(fixture(name)).records;

/**
 * Every entry's resource of a fixture Bundle of any type (07 is a searchset, which the import
 * on this branch does not plan yet): the summary leaves out what is no record (the Patient).
 */
const fixtureResources = (name: string): Array<{ resource: FhirResource }> => {
  const bundle = fixture(name);
  const entries: unknown[] = isObject(bundle) && Array.isArray(bundle.entry) ? bundle.entry : [];
  return entries.flatMap((entry) => (isObject(entry) && isObject(entry.resource) ? [{ resource: entry.resource as FhirResource }] : []));
};

beforeAll(cryptoReady);

const summaryOf = (records: Array<{ resource: FhirResource }>) =>
  buildPatientSummary(
    {
      records,
      extras: [],
      patient: { name: "Martha DeLarosa", birthDate: "1972-05", shared: true },
      madeAt: new Date("2026-11-30T09:00:00Z"),
    },
    { locale: "en-GB", timeZone: "Europe/Paris" },
  );

describe("the summary PDF", () => {
  it("is a PDF whose real text has the header, every section, the titles and the accents intact", async () => {
    const bytes = await buildSummaryPdf(summaryOf(fixtureRecords("04-ips-with-immunization.json")), testFonts());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const pages = await pdfPageTexts(bytes, "lines");
    const text = pages.join("\n");
    expect(text).toContain("Patient summary");
    expect(text).toContain("Shared by Martha DeLarosa, born May 1972");
    expect(text).toContain("Made on 30 Nov 2026");
    expect(text).toContain("Made from records in Health Safe Cloud, not a verified clinical document.");
    for (const heading of ["Problems", "Medications", "Allergies and intolerances", "Immunizations", "Results", "Procedures"]) {
      expect(text.split("\n")).toContain(heading);
    }
    expect(text).toContain("Vaccin anti diphtérie-coqueluche-tétanos-poliomyélite");
    expect(text).toContain("Malignant tumor of breast");
    expect(text).toContain("No known food allergy");
    expect(text).toContain("Hemoglobin A1c/Hemoglobin.total in Blood by HPLC: 7.5%");
    // No procedure in 04, and this PDF is a clinician's: the section says none was shared.
    expect(text).toContain("None shared with you");
    // Every page is numbered out of the total.
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${pages.length}`));
    expect(text).not.toContain(cjkFallback);
  });

  it("prints a title its font cannot draw as the record's coded name, and says nothing is missing", async () => {
    const pages = await pdfPageTexts(await buildSummaryPdf(summaryOf(fixtureResources("07-everything-searchset.json")), testFonts()), "lines");
    const text = pages.join("\n");
    // "2型糖尿病" (type 2 diabetes) is coded with SNOMED CT's display name, which the font draws.
    expect(text).toContain("Diabetes mellitus type 2 (disorder)");
    expect(text).not.toContain(cjkFallback);
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(text.replace(/\n/g, " ")).not.toContain(fallbackNotice.slice(0, 60));
    expect(text).toContain("Hemoglobin A1c/Hemoglobin.total in Blood");
  });

  it("marks CJK text it cannot draw and has no coded name for, visibly, and says so at the top", async () => {
    const uncoded = { resource: { resourceType: "Condition", code: { text: "2型糖尿病" }, clinicalStatus: { coding: [{ code: "active" }] } } as FhirResource };
    const pages = await pdfPageTexts(await buildSummaryPdf(summaryOf([uncoded]), testFonts()), "lines");
    const text = pages.join("\n");
    // The digit is kept, the rest marked, never blank boxes.
    expect(text).toContain(`2${cjkFallback}`);
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(text.replace(/\n/g, " ")).toContain(fallbackNotice.slice(0, 60));
  });

  it("runs onto more pages when long, numbering each, with every record on one of them", async () => {
    const many = Array.from({ length: 120 }, (_, index) => ({
      resource: {
        resourceType: "Condition",
        code: { text: `Condition number ${index + 1} with a rather long name that wraps across the width of the page at least once` },
        onsetDateTime: `20${String(10 + (index % 10))}`,
        clinicalStatus: { coding: [{ code: "active" }] },
      },
    }));
    const summary = buildPatientSummary({ records: many, extras: [], patient: { name: "Ana", shared: false }, madeAt: new Date("2026-11-30T09:00:00Z") });
    const pages = await pdfPageTexts(await buildSummaryPdf(summary, testFonts()), "lines");
    expect(pages.length).toBeGreaterThan(2);
    pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${pages.length}`));
    const text = pages.join(" ").replace(/\s+/g, " ");
    for (let index = 1; index <= 120; index += 1) expect(text).toContain(`Condition number ${index} with`);
  });
});
