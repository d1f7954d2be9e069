import type { PDFFont } from "pdf-lib";

/**
 * Text in the PDFs this app makes in the browser (the patient summary, the emergency card):
 * what the embedded fonts (DejaVu Sans: Latin, Greek, Cyrillic; no Chinese, Japanese or
 * Korean) can draw, what stands for what they cannot, and line wrapping.
 */

/** What stands for a run of Chinese, Japanese or Korean text the embedded font has no glyphs for. */
export const cjkFallback = "[CJK text not shown]";
/** What stands for a run of any other text the embedded font has no glyphs for. */
export const otherFallback = "[text not shown]";
/** Said in a PDF where some text was replaced by a fallback (each PDF adds where to read it in full). */
export const unprintedNotice = `Some text is in a script this PDF's font cannot show and is marked ${cjkFallback} or ${otherFallback}.`;

const isCjk = (codePoint: number) =>
  (codePoint >= 0x2e80 && codePoint <= 0x9fff) ||
  (codePoint >= 0xac00 && codePoint <= 0xd7af) ||
  (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
  (codePoint >= 0xff00 && codePoint <= 0xffef) ||
  (codePoint >= 0x20000 && codePoint <= 0x3ffff);

/**
 * The code points both fonts have glyphs for: text made of these draws the same in regular and
 * bold, so whichever a PDF draws it in, no character becomes a blank box.
 */
export function fontCoverage(regular: PDFFont, bold: PDFFont): Set<number> {
  const boldSet = new Set(bold.getCharacterSet());
  return new Set(regular.getCharacterSet().filter((codePoint) => boldSet.has(codePoint)));
}

/**
 * Text as the embedded fonts can draw it: whitespace runs made single spaces, and each run of
 * characters either font lacks (spaces inside the run included) replaced by a visible marker,
 * so no character silently becomes a blank box. Notes in `replaced` that it happened.
 */
export function drawable(text: string, covered: Set<number>, replaced: { any: boolean }): string {
  let out = "";
  let missing: { cjk: boolean } | null = null;
  let pendingSpace = "";
  const flush = () => {
    if (!missing) return;
    out += missing.cjk ? cjkFallback : otherFallback;
    replaced.any = true;
    missing = null;
  };
  for (const char of text.replace(/\s+/g, " ").trim()) {
    const codePoint = char.codePointAt(0)!;
    if (char === " ") {
      pendingSpace += " ";
      continue;
    }
    if (covered.has(codePoint)) {
      flush();
      out += pendingSpace + char;
    } else {
      if (!missing) {
        out += pendingSpace;
        missing = { cjk: false };
      }
      missing.cjk ||= isCjk(codePoint);
    }
    pendingSpace = "";
  }
  flush();
  return out;
}

/** Whether the fonts draw every character of a text (whitespace aside), and it is not blank. */
export const drawsWhole = (text: string, covered: Set<number>): boolean => {
  const chars = [...text.replace(/\s+/g, "")];
  return chars.length > 0 && chars.every((char) => covered.has(char.codePointAt(0)!));
};

/**
 * One text to print out of several that say the same thing, best first (a record's own words,
 * then the display names of its codes): the first the fonts draw whole, so a diagnosis written
 * in Chinese prints as its coded name ("Diabetes mellitus type 2 (disorder)") rather than as a
 * marker. When none draws whole, the first, its undrawable runs marked as `drawable` does (and
 * noted in `replaced`). Blank wordings are skipped; "" when all are blank.
 */
export function printable(wordings: readonly string[], covered: Set<number>, replaced: { any: boolean }): string {
  const candidates = wordings.filter((wording) => wording.trim());
  const whole = candidates.find((wording) => drawsWhole(wording, covered));
  return drawable(whole ?? candidates[0] ?? "", covered, replaced);
}

/** Splits text into lines no wider than `width` at `size`, at spaces, or inside a word too long for a line. */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  const fits = (candidate: string) => font.widthOfTextAtSize(candidate, size) <= width;
  for (const word of text.split(" ")) {
    const candidate = current ? `${current} ${word}` : word;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = "";
    for (const char of word) {
      if (fits(current + char)) current += char;
      else {
        lines.push(current);
        current = char;
      }
    }
  }
  if (current) lines.push(current);
  return lines.length ? lines : [""];
}
