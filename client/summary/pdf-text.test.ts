import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { cjkFallback, drawable, fontCoverage, otherFallback, printable } from "./pdf-text";

const require = createRequire(import.meta.url);
let covered: Set<number>;

beforeAll(async () => {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")), { subset: true });
  const bold = await pdf.embedFont(readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")), { subset: true });
  covered = fontCoverage(regular, bold);
});

describe("text the PDFs' fonts can draw", () => {
  it("marks each run the fonts lack, CJK or other, and notes that it did", () => {
    const replaced = { any: false };
    expect(drawable("2型糖尿病  and  Ελληνικά", covered, replaced)).toBe(`2${cjkFallback} and Ελληνικά`);
    expect(replaced.any).toBe(true);
    expect(drawable("नमस्ते ok", covered, replaced)).toBe(`${otherFallback} ok`);
  });

  it("prints the first wording drawn whole, so a coded name stands for a Chinese text, and marks only when none is", () => {
    const replaced = { any: false };
    expect(printable(["2型糖尿病", "Diabetes mellitus type 2 (disorder)"], covered, replaced)).toBe("Diabetes mellitus type 2 (disorder)");
    expect(printable(["Hémoglobine glyquée", "Hemoglobin A1c"], covered, replaced)).toBe("Hémoglobine glyquée");
    expect(printable(["  ", "Penicillin"], covered, replaced)).toBe("Penicillin");
    expect(replaced.any).toBe(false);
    expect(printable(["2型糖尿病", "二型糖尿病"], covered, replaced)).toBe(`2${cjkFallback}`);
    expect(replaced.any).toBe(true);
    expect(printable([], covered, replaced)).toBe("");
  });
});
