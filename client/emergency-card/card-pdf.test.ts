import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsQR from "jsqr";
import { pdfPageTexts } from "@/client/pdf-text-test-helpers";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, encodeShlink, newShlKey } from "@/crypto";
import { planImport } from "../fhir/import-bundle";
import type { OkEntry } from "../records/records";
import type { FhirResource } from "../fhir/types";
import { cjkFallback, unprintedNotice } from "../summary/pdf-text";
import type { SummaryFonts } from "../summary/summary-pdf";
import { cardContent, cardLines, type CardContent } from "./card-content";
import { buildCardPdf, cardQrMatrix, passcodeTitle, unprintedPasscodeWords } from "./card-pdf";

const require = createRequire(import.meta.url);
const testFonts = (): SummaryFonts => ({
  regular: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  bold: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
});

/** A real-world fixture's records (fixtures/real-world), each resource passed through `edit` (a copy), as chart entries. */
function fixtureEntries(name: string, edit: (resource: FhirResource) => FhirResource = (resource) => resource): OkEntry[] {
  const records = planImport(JSON.parse(readFileSync(`fixtures/real-world/${name}`, "utf8"))).records;
  return records.map(
    (record, index) =>
      ({
        status: "ok",
        id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
        version: 1,
        document: {
          v: 1,
          ...record,
          resource: edit(structuredClone(record.resource)),
          context: record.context?.map((entry) => ({ ...entry, resource: edit(structuredClone(entry.resource)) })),
        },
      }) as unknown as OkEntry,
  );
}

/** Fixture 04 (an IPS document) as chart entries, plus a blood group Observation (LOINC 882-1). */
function chart(): OkEntry[] {
  const bloodGroup = {
    resourceType: "Observation",
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code: "882-1", display: "ABO and Rh group [Type] in Blood" }] },
    effectiveDateTime: "2020-03-01",
    valueCodeableConcept: { text: "A Rh positive" },
  };
  const entries = fixtureEntries("04-ips-with-immunization.json");
  return [
    ...entries,
    { ...entries[0]!, id: "00000000-0000-4000-8000-999999999999", document: { v: 1, kind: "fhir", resource: bloodGroup } } as unknown as OkEntry,
  ];
}

/** A QR matrix drawn as RGBA pixels (`scale` pixels a module), as a camera would see it printed. */
function rasterize(modules: boolean[][], scale: number): { data: Uint8ClampedArray; size: number } {
  const size = modules.length * scale;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy += 1)
        for (let dx = 0; dx < scale; dx += 1) data.fill(0, ((y * scale + dy) * size + x * scale + dx) * 4, ((y * scale + dy) * size + x * scale + dx) * 4 + 3);
    }),
  );
  return { data, size };
}

beforeAll(cryptoReady);

const patient = { name: "Martha DeLarosa", birthDate: "1972-05", contacts: "Paul (husband) +33 6 12 34 56 78" };

const allThree = { kinds: ["allergy", "medication", "condition"] as const, recordIds: [] };
const link = "https://hsc.example/links/open#shlink:/eyJ4IjoxfQ";
/** The card's lines as text, each recorded text in its own words. */
const linesOf = (content: CardContent) => cardLines(content).map((line) => line.text);
/** The card page's text, as pdf.js reads it back, run by run ("lines") or joined ("words"). */
const cardPage = async (content: CardContent, join: "lines" | "words" = "words") =>
  (await pdfPageTexts(await buildCardPdf(content, link, null, testFonts()), join))[0]!;

describe("the emergency card", () => {
  it("says the set's allergies, medications and problems, the blood group from anywhere in the chart, and the contacts", () => {
    const lines = linesOf(cardContent(chart(), allThree, patient));
    expect(lines[0]).toBe("Martha DeLarosa, born 1972-05");
    expect(lines).toContain("• Malignant tumor of breast");
    expect(lines).toContain("• No known food allergy");
    expect(lines).toContain("Blood type: A Rh positive");
    expect(lines).toEqual(expect.arrayContaining(["Allergies:", "Medications:", "Problems:", "Emergency contacts:", "Paul (husband) +33 6 12 34 56 78"]));
  });

  it("prints an allergy's criticality and a medication's dose, as fixture 04 records them", async () => {
    const lines = linesOf(cardContent(chart(), allThree, patient));
    // AllergyIntolerance.criticality "high"; MedicationStatement.dosage doseAndRate 1 tablet, timing once a day, oral route.
    expect(lines).toContain("• Substance with penicillin structure (substance) — high criticality");
    expect(lines).toContain("• Product containing anastrozole (medicinal product) — 1 tablet, once daily, by mouth");
    // "No known" statements have no details.
    expect(lines).toContain("• No known food allergy");
    const card = await cardPage(cardContent(chart(), allThree, patient));
    expect(card).toContain("high criticality");
    expect(card).toContain("1 tablet, once daily, by mouth");
  });

  it("prints each reaction with its severity, and a dosage's own words where it has them", async () => {
    const entries = fixtureEntries("04-ips-with-immunization.json", (resource) => {
      if (resource.resourceType === "AllergyIntolerance" && resource.criticality === "high")
        return {
          ...resource,
          reaction: [
            {
              manifestation: [{ text: "Hives" }, { coding: [{ system: "http://snomed.info/sct", code: "41291007", display: "Angioedema" }] }],
              severity: "severe",
            },
            { manifestation: [{ text: "Nausea" }], severity: "mild" },
          ],
        };
      if (resource.resourceType === "MedicationStatement" && JSON.stringify(resource).includes("doseAndRate"))
        return { ...resource, dosage: [{ ...(resource.dosage as object[])[0], text: "One tablet every morning" }] };
      return resource;
    });
    const card = await cardPage(cardContent(entries, allThree, patient));
    expect(card).toContain("Substance with penicillin structure (substance) — high criticality; reaction: Hives, Angioedema (severe); reaction: Nausea (mild)");
    expect(card).toContain("Product containing anastrozole (medicinal product) — One tablet every morning");
  });

  it("keeps the contacts' lines as typed, so each number stays with its name", async () => {
    const contacts = "Paul (husband) +33 6 12 34 56 78\r\n\n  Anna (daughter) +46 70 123 45 67\nDr Weil, GP +33 1 40 00 00 00";
    const content = cardContent(chart(), allThree, { ...patient, contacts });
    expect(content.contacts).toEqual(["Paul (husband) +33 6 12 34 56 78", "Anna (daughter) +46 70 123 45 67", "Dr Weil, GP +33 1 40 00 00 00"]);
    const runs = (await cardPage(content, "lines")).split("\n");
    for (const line of content.contacts) expect(runs).toContain(line);
  });

  it("prints a diagnosis its font cannot draw by its coded name (fixture 07: 2型糖尿病), with nothing marked", async () => {
    const content = cardContent(fixtureEntries("07-everything-searchset.json"), allThree, patient);
    const card = await cardPage(content);
    expect(card).toContain("Problems: • Diabetes mellitus type 2 (disorder)");
    expect(card).not.toContain(cjkFallback);
    expect(card).not.toContain(unprintedNotice.slice(0, 40));
  });

  it("prints every recorded text by the same rule: allergies, reactions, medications, doses and blood type by their coded names", async () => {
    const chinese = (concept: unknown, text: string) => ({ ...(concept as object), text });
    const entries = fixtureEntries("04-ips-with-immunization.json", (resource) => {
      switch (resource.resourceType) {
        case "AllergyIntolerance":
          return resource.criticality === "high"
            ? {
                ...resource,
                code: chinese(resource.code, "青霉素"),
                reaction: [
                  {
                    manifestation: [{ text: "荨麻疹", coding: [{ system: "http://snomed.info/sct", code: "126485001", display: "Urticaria" }] }],
                    severity: "severe",
                  },
                ],
              }
            : resource;
        case "Medication":
          return { ...resource, code: chinese(resource.code, "阿那曲唑") };
        case "MedicationStatement":
          return JSON.stringify(resource).includes("doseAndRate")
            ? { ...resource, dosage: [{ ...(resource.dosage as object[])[0], text: "每日一片" }] }
            : resource;
        case "Observation":
          return JSON.stringify(resource.code).includes("882-1")
            ? { ...resource, valueCodeableConcept: chinese(resource.valueCodeableConcept, "A型 Rh阳性") }
            : resource;
        default:
          return resource;
      }
    });
    const content = cardContent(entries, allThree, patient);
    // As recorded, the card's content has the Chinese words (a font that draws them would print them).
    expect(linesOf(content).join("\n")).toContain("青霉素");
    const card = await cardPage(content);
    expect(card).toContain("Substance with penicillin structure (substance) — high criticality; reaction: Urticaria (severe)");
    expect(card).toContain("Product containing anastrozole (medicinal product) — 1 tablet, once daily, by mouth");
    expect(card).toContain("Blood type: Blood group A Rh(D) positive");
    expect(card).not.toContain(cjkFallback);
    expect(card).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it("says plainly what it could not print where a text has no coded name: a problem, the name, the contacts", async () => {
    const uncoded = fixtureEntries("07-everything-searchset.json", (resource) =>
      resource.resourceType === "Condition" ? { ...resource, code: { text: (resource.code as { text: string }).text } } : resource,
    );
    const content = cardContent(uncoded, allThree, { name: "王芳", birthDate: "1972-05", contacts: "丈夫 +86 138 0000 0000" });
    const card = await cardPage(content);
    expect(card).toContain(`${cjkFallback}, born 1972-05`);
    expect(card).toContain(`• 2${cjkFallback}`);
    expect(card).toContain(`Emergency contacts: ${cjkFallback} +86 138 0000 0000`);
    expect(card).toContain(unprintedNotice);
    expect(card).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it("prints the named emergency contacts, with how to reach them, before the typed ones", async () => {
    const namedContacts = [
      { name: "Ann Carter", reach: "+44 161 496 0000" },
      { name: "Dr Bob Jones", reach: null },
    ];
    const content = cardContent(chart(), allThree, { ...patient, namedContacts });
    const lines = linesOf(content);
    const at = lines.indexOf("Emergency contacts:");
    expect(lines.slice(at + 1, at + 4)).toEqual(["Ann Carter — +44 161 496 0000", "Dr Bob Jones", "Paul (husband) +33 6 12 34 56 78"]);
    expect(await cardPage(content)).toContain("Ann Carter — +44 161 496 0000");
  });

  it("leaves out kinds not chosen: problems alone say no allergy or medication", () => {
    const lines = linesOf(cardContent(chart(), { kinds: ["condition"], recordIds: [] }, { ...patient, contacts: "" }));
    expect(lines).toContain("Allergies: None recorded");
    expect(lines).toContain("Medications: None recorded");
    expect(lines).toContain("Emergency contacts: None given");
  });

  it("goes on over a second page when the set is too long for one, every entry printed", async () => {
    const many = Array.from({ length: 30 }, (_, index) => [[`Medication number ${index + 1} with a name long enough to wrap once at least`]]);
    const content: CardContent = { ...cardContent(chart(), allThree, patient), medications: many };
    const [first, second, ...rest] = await pdfPageTexts(await buildCardPdf(content, link, null, testFonts()), "words");
    expect(rest).toEqual([]);
    expect(first).toContain("Medication number 1 with");
    expect(second).toContain("Emergency card (continued)");
    expect(second).toContain("Medication number 30 with");
    expect(second).toContain("Emergency contacts: Paul (husband) +33 6 12 34 56 78");
  });

  it("marks a passcode its font cannot draw, and says to write it by hand", async () => {
    const content = cardContent(chart(), { kinds: ["condition"], recordIds: [] }, patient);
    const [, slip] = await pdfPageTexts(await buildCardPdf(content, link, "长城-horse-42", testFonts()), "words");
    expect(slip).toContain(`${cjkFallback}-horse-42`);
    expect(slip).toContain(unprintedPasscodeWords);
  });

  it("is a PDF whose first page has the card's text and whose second page has only the passcode", async () => {
    const content = cardContent(chart(), allThree, patient);
    const bytes = await buildCardPdf(content, link, "horse-battery-7", testFonts());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const [card, slip, ...rest] = await pdfPageTexts(bytes, "words");
    expect(rest).toEqual([]);
    expect(card).toContain("Emergency card");
    expect(card).toContain("Martha DeLarosa, born 1972-05");
    expect(card).toContain("Malignant tumor of breast");
    expect(card).toContain("Blood type: A Rh positive");
    expect(card).toContain("Paul (husband) +33 6 12 34 56 78");
    expect(card).not.toContain("horse-battery-7");
    expect(slip).toContain(passcodeTitle);
    expect(slip).toContain("horse-battery-7");
    expect(slip).not.toContain("Malignant");
    expect(slip).not.toContain(unprintedPasscodeWords);
  });

  it("has one page when the card has no passcode", async () => {
    const content = cardContent(chart(), { kinds: ["condition"], recordIds: [] }, patient);
    expect(await pdfPageTexts(await buildCardPdf(content, link, null, testFonts()), "words")).toHaveLength(1);
  });

  it("draws a QR code that a decoder reads back as the exact link text", () => {
    const link = `https://hsc.example/links/open#${encodeShlink({ url: `https://hsc.example/api/shl/${"a".repeat(43)}`, key: newShlKey(), exp: 1_900_000_000, flag: "LP", label: "Emergency card", v: 1 })}`;
    const { data, size } = rasterize(cardQrMatrix(link), 4);
    expect(jsQR(data, size, size)?.data).toBe(link);
  });
});
