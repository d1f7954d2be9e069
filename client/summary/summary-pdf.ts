import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { lineDetails, type PatientSummary } from "./patient-summary";
import { drawable, fontCoverage, printable, unprintedNotice, wrap } from "./pdf-text";

/** The TrueType fonts the PDF embeds (subsets of): DejaVu Sans and DejaVu Sans Bold by default. */
export interface SummaryFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** Said at the top of a PDF where some text was replaced by a fallback. */
export const fallbackNotice = `${unprintedNotice} The summary page in Health Safe Cloud shows it in full, and prints it.`;

// A4 in PDF points (1/72 inch), ISO 216.
const pageWidth = 595.28;
const pageHeight = 841.89;
const margin = 56;
const footerY = 30;
const textWidth = pageWidth - 2 * margin;
const ink = rgb(0.1, 0.1, 0.12);
const muted = rgb(0.35, 0.35, 0.4);

/** Lays text out top to bottom, starting a new page where the next block would not fit. */
class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;

  constructor(private readonly pdf: PDFDocument) {
    this.newPage();
  }

  newPage() {
    this.page = this.pdf.addPage([pageWidth, pageHeight]);
    this.pages.push(this.page);
    this.y = pageHeight - margin;
  }

  /** Makes room for `height` points, on a new page if this one has less left. */
  ensure(height: number) {
    if (this.y - height < margin + 10) this.newPage();
  }

  text(lines: string[], font: PDFFont, size: number, color = ink, indent = 0) {
    const leading = size * 1.35;
    for (const line of lines) {
      this.ensure(leading);
      this.y -= leading;
      this.page.drawText(line, { x: margin + indent, y: this.y, size, font, color });
    }
  }

  gap(points: number) {
    this.y -= points;
  }

  rule() {
    this.page.drawLine({ start: { x: margin, y: this.y - 4 }, end: { x: pageWidth - margin, y: this.y - 4 }, thickness: 0.6, color: muted });
    this.y -= 8;
  }
}

/** Loads the default fonts (DejaVu Sans, shipped in the dejavu-fonts-ttf package) from this app's own origin. */
async function defaultFonts(): Promise<SummaryFonts> {
  const { loadSummaryFonts } = await import("./summary-fonts");
  return loadSummaryFonts();
}

/**
 * The patient summary as a PDF (ISO 32000 via pdf-lib), made in the browser, never on the
 * server: the "FHIR-rendered PDF" a SMART Health Link can carry. A4 pages with a header (the
 * title, who it is about as revealed, the day it was made and that it is not a verified
 * clinical document), the summary's sections in order (each record's title, then its date,
 * status and, for results, reference range and interpretation; statements as sentences; "No
 * information" for an empty section), and "Page n of N" on every page. All text is real text
 * (DejaVu Sans subset embedded with a ToUnicode map: selectable and searchable); a record's
 * title the font cannot draw (Chinese, Japanese, Korean) prints as the display name of its
 * codes where it has one; any other such characters are replaced by a visible marker and a
 * note at the top says so.
 *
 * @param summary from `buildPatientSummary`
 * @param fonts TrueType bytes to embed; by default DejaVu Sans fetched from this app's origin
 *   (only in a browser; tests pass them)
 * @returns the PDF file's bytes (starting "%PDF-")
 * @throws Error from pdf-lib for font bytes that are not a usable TrueType/OpenType font
 */
export async function buildSummaryPdf(summary: PatientSummary, fonts?: SummaryFonts): Promise<Uint8Array> {
  const fontBytes = fonts ?? (await defaultFonts());
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(fontBytes.regular, { subset: true });
  const bold = await pdf.embedFont(fontBytes.bold, { subset: true });
  const covered = fontCoverage(regular, bold);
  const replaced = { any: false };
  const shown = (text: string) => drawable(text, covered, replaced);

  // Every text made drawable first, so the note about replaced text can lead the document.
  const header = { title: shown(summary.title), patient: shown(summary.patient), made: shown(summary.made), notice: shown(summary.notice) };
  const sections = summary.sections.map((section) => ({
    heading: shown(section.heading),
    // A title the fonts cannot draw prints as its coded name where the record has one (the emergency card's rule).
    lines: section.lines.map((line) => ({ title: printable([line.title, ...line.codedTitles], covered, replaced), details: shown(lineDetails(line)) })),
    statements: section.statements.map(shown),
  }));

  pdf.setTitle(`${summary.title}: ${summary.patient}`);
  pdf.setSubject(summary.notice);
  pdf.setCreator("Health Safe Cloud");
  pdf.setProducer("Health Safe Cloud (pdf-lib)");
  pdf.setLanguage("en");

  const layout = new Layout(pdf);
  layout.text(wrap(header.title, bold, 20, textWidth), bold, 20);
  layout.gap(4);
  layout.text(wrap(header.patient, bold, 12, textWidth), bold, 12);
  layout.text(wrap(header.made, regular, 10, textWidth), regular, 10, muted);
  layout.text(wrap(header.notice, regular, 10, textWidth), regular, 10, muted);
  if (replaced.any) layout.text(wrap(fallbackNotice, regular, 9, textWidth), regular, 9, muted);

  for (const section of sections) {
    // A heading is never left alone at the foot of a page: it goes with its first line.
    layout.gap(12);
    layout.ensure(16 * 1.35 + 8 + 2 * 11 * 1.35);
    layout.text(wrap(section.heading, bold, 14, textWidth), bold, 14);
    layout.rule();
    if (section.lines.length === 0 && section.statements.length === 0) layout.text([summary.empty], regular, 10.5, muted);
    for (const statement of section.statements) layout.text(wrap(statement, regular, 10.5, textWidth), regular, 10.5);
    for (const line of section.lines) {
      const title = wrap(line.title, bold, 10.5, textWidth);
      const details = line.details ? wrap(line.details, regular, 9.5, textWidth - 12) : [];
      // A record's title and details stay on one page.
      layout.ensure((title.length * 10.5 + details.length * 9.5) * 1.35 + 4);
      layout.gap(3);
      layout.text(title, bold, 10.5);
      if (details.length) layout.text(details, regular, 9.5, muted, 12);
    }
  }

  const footerName = shown(summary.patient);
  layout.pages.forEach((page, index) => {
    const label = `Page ${index + 1} of ${layout.pages.length}`;
    page.drawText(label, { x: pageWidth - margin - regular.widthOfTextAtSize(label, 8.5), y: footerY, size: 8.5, font: regular, color: muted });
    const left = wrap(`${header.title} · ${footerName}`, regular, 8.5, textWidth - 90)[0]!;
    page.drawText(left, { x: margin, y: footerY, size: 8.5, font: regular, color: muted });
  });
  return pdf.save();
}
