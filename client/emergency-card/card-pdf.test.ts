import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsQR from "jsqr";
import { pdfPageTexts } from "@/client/pdf-text-test-helpers";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, encodeShlink, newShlKey } from "@/crypto";
import { planImport } from "../fhir/import-bundle";
import type { OkEntry } from "../records/records";
import type { SummaryFonts } from "../summary/summary-pdf";
import { buildCardPdf, cardContent, cardLines, cardQrMatrix, passcodeTitle } from "./card-pdf";

const require = createRequire(import.meta.url);
const testFonts = (): SummaryFonts => ({
  regular: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  bold: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
});

/** Fixture 04 (an IPS document) as chart entries, plus a blood group Observation (LOINC 882-1). */
function chart(): OkEntry[] {
  const records = planImport(JSON.parse(readFileSync("fixtures/real-world/04-ips-with-immunization.json", "utf8"))).records;
  const bloodGroup = {
    resourceType: "Observation",
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code: "882-1", display: "ABO and Rh group [Type] in Blood" }] },
    effectiveDateTime: "2020-03-01",
    valueCodeableConcept: { text: "A Rh positive" },
  };
  return [...records, { resource: bloodGroup }].map(
    (record, index) =>
      ({
        status: "ok",
        id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
        version: 1,
        document: { v: 1, kind: "fhir", ...record },
      }) as unknown as OkEntry,
  );
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

describe("the emergency card", () => {
  it("says the set's allergies, medications and problems, the blood group from anywhere in the chart, and the contacts", () => {
    const content = cardContent(chart(), { kinds: ["allergy", "medication", "condition"], recordIds: [] }, patient);
    expect(content.problems).toContain("Malignant tumor of breast");
    expect(content.allergies).toEqual(expect.arrayContaining(["No known food allergy"]));
    expect(content.medications.length).toBeGreaterThan(0);
    expect(content.bloodType).toBe("A Rh positive");
    const lines = cardLines(content);
    expect(lines[0]).toBe("Martha DeLarosa, born 1972-05");
    expect(lines).toContain("Blood type: A Rh positive");
    expect(lines).toContain("Emergency contacts: Paul (husband) +33 6 12 34 56 78");
  });

  it("leaves out kinds not chosen: problems alone say no allergy or medication", () => {
    const lines = cardLines(cardContent(chart(), { kinds: ["condition"], recordIds: [] }, { ...patient, contacts: "" }));
    expect(lines).toContain("Allergies: None recorded");
    expect(lines).toContain("Medications: None recorded");
    expect(lines).toContain("Emergency contacts: None given");
  });

  it("is a PDF whose first page has the card's text and whose second page has only the passcode", async () => {
    const content = cardContent(chart(), { kinds: ["allergy", "medication", "condition"], recordIds: [] }, patient);
    const bytes = await buildCardPdf(content, "https://hsc.example/links/open#shlink:/eyJ4IjoxfQ", "horse-battery-7", testFonts());
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
  });

  it("has one page when the card has no passcode", async () => {
    const content = cardContent(chart(), { kinds: ["condition"], recordIds: [] }, patient);
    expect(await pdfPageTexts(await buildCardPdf(content, "https://hsc.example/links/open#shlink:/eyJ4IjoxfQ", null, testFonts()), "words")).toHaveLength(1);
  });

  it("draws a QR code that a decoder reads back as the exact link text", () => {
    const link = `https://hsc.example/links/open#${encodeShlink({ url: `https://hsc.example/api/shl/${"a".repeat(43)}`, key: newShlKey(), exp: 1_900_000_000, flag: "LP", label: "Emergency card", v: 1 })}`;
    const { data, size } = rasterize(cardQrMatrix(link), 4);
    expect(jsQR(data, size, size)?.data).toBe(link);
  });
});
