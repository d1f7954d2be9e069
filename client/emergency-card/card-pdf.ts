import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb } from "pdf-lib";
import { encode } from "uqr";
import { formatElementValue } from "../fhir/values";
import { isObject } from "../fhir/types";
import type { OkEntry } from "../records/records";
import { buildPatientSummary, type SummarySection } from "../summary/patient-summary";
import { drawable, wrap, type SummaryFonts } from "../summary/summary-pdf";
import { emergencyEntries, type EmergencyChoice } from "./emergency-set";

/** What the printed card says, as text (the PDF draws exactly `cardLines` of it). */
export interface CardContent {
  name: string;
  birthDate: string | null;
  allergies: string[];
  medications: string[];
  problems: string[];
  /** The latest recorded ABO/Rh blood group, or null. */
  bloodType: string | null;
  contacts: string;
}

/** LOINC codes of a blood group: 882-1 ABO and Rh group, 883-9 ABO group, 10331-7 Rh type, 34474-7 ABO and Rh group (panel). */
export const bloodGroupCodes: ReadonlySet<string> = new Set(["882-1", "883-9", "10331-7", "34474-7"]);

const isBloodGroup = (resource: Record<string, unknown>) =>
  resource.resourceType === "Observation" &&
  isObject(resource.code) &&
  Array.isArray(resource.code.coding) &&
  resource.code.coding.some(
    (coding) => isObject(coding) && coding.system === "http://loinc.org" && typeof coding.code === "string" && bloodGroupCodes.has(coding.code),
  );

/** A section's words for the card: its "no known" statements and its records' titles. */
const wordsOf = (sections: readonly SummarySection[], key: string) => {
  const section = sections.find((candidate) => candidate.key === key);
  return section ? [...section.statements, ...section.lines.map((line) => line.title)] : [];
};

/**
 * The card's essentials from the decrypted chart: allergies, medications and problems of the
 * emergency set (titles as the summary words them), the newest blood group Observation (LOINC
 * 882-1 and related) anywhere in the chart, and the contacts the patient typed. Does not throw.
 */
export function cardContent(
  entries: readonly OkEntry[],
  choice: EmergencyChoice,
  patient: { name: string; birthDate: string | null; contacts: string },
): CardContent {
  const chosen = emergencyEntries(entries, choice);
  const summary = buildPatientSummary({
    records: chosen.map((entry) => ({ resource: entry.document.resource, context: entry.document.context })),
    extras: [],
    patient: { name: patient.name, birthDate: patient.birthDate, shared: false },
    madeAt: new Date(),
  });
  const groups = entries
    .map((entry) => entry.document.resource as Record<string, unknown>)
    .filter(isBloodGroup)
    .sort((a, b) => String(b.effectiveDateTime ?? "").localeCompare(String(a.effectiveDateTime ?? "")));
  return {
    name: patient.name,
    birthDate: patient.birthDate,
    allergies: wordsOf(summary.sections, "allergies"),
    medications: wordsOf(summary.sections, "medications"),
    problems: wordsOf(summary.sections, "problems"),
    bloodType: groups[0] ? formatElementValue(groups[0], (value) => value) : null,
    contacts: patient.contacts.trim(),
  };
}

const listed = (items: readonly string[]) => (items.length ? items.join("; ") : "None recorded");

/** The card's text, line by line as drawn (before wrapping): the PDF's first page says exactly these. */
export function cardLines(content: CardContent): string[] {
  return [
    `${content.name}${content.birthDate ? `, born ${content.birthDate}` : ""}`,
    `Allergies: ${listed(content.allergies)}`,
    `Medications: ${listed(content.medications)}`,
    `Problems: ${listed(content.problems)}`,
    `Blood type: ${content.bloodType ?? "Not recorded"}`,
    `Emergency contacts: ${content.contacts || "None given"}`,
  ];
}

export const cardTitle = "Emergency card";
export const scanWords = "Scan for my records (SMART Health Link). Made by me in Health Safe Cloud; not a verified clinical document.";
export const passcodeTitle = "Passcode for my emergency card";
export const passcodeWords = "Keep this slip apart from the card. Whoever scans the card's code needs this passcode to read my records.";

/** The QR code's modules of a link text (ISO/IEC 18004 via uqr, error correction M, quiet zone of 4), dark = true. */
export function cardQrMatrix(text: string): boolean[][] {
  return encode(text, { ecc: "M", border: 4 }).data;
}

const pageWidth = 595.28;
const pageHeight = 841.89;
const margin = 48;
const ink = rgb(0.1, 0.1, 0.12);
const alert = rgb(0.62, 0.05, 0.05);

/**
 * The printable emergency card as a PDF made in the browser (pdf-lib, DejaVu Sans embedded: real,
 * searchable text): page 1 holds the card (title, `cardLines`, the QR code of the link text and
 * what it is), to cut out along its border; with a passcode, page 2 is a separate slip with only
 * the passcode, so the two can be kept apart.
 * @param linkText the card's link (`<origin>/links/open#shlink:/…`), drawn as the QR code only
 * @param fonts TrueType bytes; by default DejaVu Sans fetched from this app's origin (browser only)
 * @throws Error from pdf-lib for unusable font bytes; SummaryFontError when the font does not load
 */
export async function buildCardPdf(content: CardContent, linkText: string, passcode: string | null, fonts?: SummaryFonts): Promise<Uint8Array> {
  const fontBytes = fonts ?? (await (await import("../summary/summary-fonts")).loadSummaryFonts());
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(fontBytes.regular, { subset: true });
  const bold = await pdf.embedFont(fontBytes.bold, { subset: true });
  const covered = new Set(regular.getCharacterSet());
  const replaced = { any: false };
  pdf.setTitle(`${cardTitle}: ${drawable(content.name, covered, replaced)}`);
  pdf.setCreator("Health Safe Cloud");
  pdf.setLanguage("en");

  const page = pdf.addPage([pageWidth, pageHeight]);
  const qrSize = 170;
  const boxTop = pageHeight - margin;
  const textWidth = pageWidth - 2 * margin - qrSize - 36;
  let y = boxTop - 34;
  page.drawText(cardTitle, { x: margin + 14, y, size: 20, font: bold, color: alert });
  for (const line of cardLines(content)) {
    const [head, ...rest] = drawable(line, covered, replaced).split(": ");
    const lines = wrap(rest.length ? `${head}: ${rest.join(": ")}` : head!, regular, 10.5, textWidth);
    y -= 8;
    for (const text of lines) {
      y -= 14;
      page.drawText(text, { x: margin + 14, y, size: 10.5, font: text === lines[0] && rest.length === 0 ? bold : regular, color: ink });
    }
  }
  const modules = cardQrMatrix(linkText);
  const cell = qrSize / modules.length;
  const qrX = pageWidth - margin - 14 - qrSize;
  const qrY = boxTop - 20 - qrSize;
  modules.forEach((row, rowIndex) =>
    row.forEach((dark, column) => {
      if (dark) page.drawRectangle({ x: qrX + column * cell, y: qrY + (modules.length - 1 - rowIndex) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }),
  );
  const scanLines = wrap(scanWords, regular, 8, qrSize);
  scanLines.forEach((text, index) => page.drawText(text, { x: qrX, y: qrY - 12 - index * 10, size: 8, font: regular, color: ink }));
  const bottom = Math.min(y, qrY - 12 - scanLines.length * 10) - 16;
  page.drawRectangle({ x: margin, y: bottom, width: pageWidth - 2 * margin, height: boxTop - bottom, borderColor: alert, borderWidth: 1.5 });

  if (passcode !== null) {
    const slip = pdf.addPage([pageWidth, pageHeight]);
    slip.drawText(passcodeTitle, { x: margin, y: pageHeight - margin - 20, size: 16, font: bold, color: ink });
    slip.drawText(passcode, { x: margin, y: pageHeight - margin - 60, size: 24, font: bold, color: ink });
    wrap(passcodeWords, regular, 10.5, pageWidth - 2 * margin).forEach((text, index) =>
      slip.drawText(text, { x: margin, y: pageHeight - margin - 90 - index * 14, size: 10.5, font: regular, color: ink }),
    );
  }
  return pdf.save();
}
