import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/**
 * Every page's text of a PDF as pdf.js reads it back, one string per page: what a person reads
 * off a printed card or summary. Tests only (unit and e2e), never shipped to a page.
 * - `"lines"`: each drawn run on a line of its own;
 * - `"words"`: runs joined by one space, wrapped lines joined again (where lines break does not matter).
 * The bytes are copied first, as pdf.js detaches the buffer it is given.
 */
export async function pdfPageTexts(bytes: Uint8Array, join: "lines" | "words"): Promise<string[]> {
  const document = await getDocument({ data: bytes.slice(), isEvalSupported: false, useSystemFonts: false, disableFontFace: true }).promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const runs = (await (await document.getPage(number)).getTextContent()).items.map((item) => ("str" in item ? item.str : ""));
      pages.push(join === "lines" ? runs.join("\n") : runs.join(" ").replace(/\s+/g, " "));
    }
    return pages;
  } finally {
    await document.destroy();
  }
}
