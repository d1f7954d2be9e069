import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type RGB } from "pdf-lib";
import { encode } from "uqr";
import { drawable, drawsWhole, fontCoverage, printable, unprintedNotice, wrap } from "../summary/pdf-text";
import type { SummaryFonts } from "../summary/summary-pdf";
import { cardLines, type CardContent } from "./card-content";

// What the card says is card-content's (no pdf-lib in it); app/emergency-card still imports it from here.
export { cardContent, type CardContent } from "./card-content";

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
const muted = rgb(0.35, 0.35, 0.4);

export const unprintedPasscodeWords = "This passcode has characters this PDF's font cannot show: write it on this slip by hand.";

/**
 * The printable emergency card as a PDF made in the browser (pdf-lib, DejaVu Sans embedded: real,
 * searchable text): page 1 holds the card (title, `cardLines`, the QR code of the link text and
 * what it is), to cut out along its border; a card too long for one page goes on over the
 * next ("continued"). Every recorded text is printed as pdf-text `printable` picks it: in its
 * own words, else by its codes' display names, else with the undrawable part marked and a
 * note on the card saying so. With a passcode, the last page is a separate slip with only the
 * passcode, so the two can be kept apart.
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
  const covered = fontCoverage(regular, bold);
  const replaced = { any: false };
  const lines = cardLines(content, (wording) => printable(wording, covered, replaced));
  pdf.setTitle(`${cardTitle}: ${printable([content.name], covered, replaced)}`);
  pdf.setCreator("Health Safe Cloud");
  pdf.setLanguage("en");

  const size = 10.5;
  const leading = 14;
  const qrSize = 170;
  const boxTop = pageHeight - margin;
  const textWidth = pageWidth - 2 * margin - qrSize - 36;
  const textX = margin + 14;
  let page = pdf.addPage([pageWidth, pageHeight]);
  let y = boxTop - 34;
  page.drawText(cardTitle, { x: textX, y, size: 20, font: bold, color: alert });

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

  // The lowest thing drawn on this page besides the text column: the box's border goes below both.
  let floor = qrY - 12 - scanLines.length * 10;
  const frame = () => {
    const bottom = Math.min(y, floor) - 16;
    page.drawRectangle({ x: margin, y: bottom, width: pageWidth - 2 * margin, height: boxTop - bottom, borderColor: alert, borderWidth: 1.5 });
  };
  const draw = (text: string, options: { font: PDFFont; size: number; leading: number; indent: number; color: RGB }) => {
    if (y - options.leading < margin + 16) {
      frame();
      page = pdf.addPage([pageWidth, pageHeight]);
      y = boxTop - 34;
      page.drawText(`${cardTitle} (continued)`, { x: textX, y, size: 20, font: bold, color: alert });
      floor = y;
    }
    y -= options.leading;
    page.drawText(text, { x: textX + options.indent, y, size: options.size, font: options.font, color: options.color });
  };
  for (const line of lines) {
    const font = line.kind === "name" ? bold : regular;
    const indent = line.kind === "entry" ? 10 : 0;
    // A bulleted entry's wrapped lines hang under its text, not under the bullet.
    const hang = line.text.startsWith("• ") ? regular.widthOfTextAtSize("• ", size) : 0;
    y -= line.kind === "entry" ? 2 : 8;
    wrap(line.text, font, size, textWidth - indent - hang).forEach((text, index) =>
      draw(text, { font, size, leading, indent: indent + (index > 0 ? hang : 0), color: ink }),
    );
  }
  if (replaced.any) {
    y -= 8;
    for (const text of wrap(unprintedNotice, regular, 8, textWidth)) draw(text, { font: regular, size: 8, leading: 10, indent: 0, color: muted });
  }
  frame();

  if (passcode !== null) {
    const slip = pdf.addPage([pageWidth, pageHeight]);
    slip.drawText(passcodeTitle, { x: margin, y: pageHeight - margin - 20, size: 16, font: bold, color: ink });
    // Drawn exactly as typed (spaces too) when the font has every character; else marked, and said.
    const whole = drawsWhole(passcode, covered);
    const codeLines = wrap(whole ? passcode : drawable(passcode, covered, { any: false }), bold, 24, pageWidth - 2 * margin);
    codeLines.forEach((text, index) => slip.drawText(text, { x: margin, y: pageHeight - margin - 60 - index * 30, size: 24, font: bold, color: ink }));
    const below = pageHeight - margin - 60 - codeLines.length * 30;
    const words = whole ? passcodeWords : `${unprintedPasscodeWords} ${passcodeWords}`;
    wrap(words, regular, 10.5, pageWidth - 2 * margin).forEach((text, index) =>
      slip.drawText(text, { x: margin, y: below - index * 14, size: 10.5, font: regular, color: ink }),
    );
  }
  return pdf.save();
}
