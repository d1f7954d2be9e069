import { encode } from "uqr";
import { describe, expect, it } from "vitest";
import { maxScanSide, qrTextOf, scanSize } from "./open-qr";

/** RGBA pixels of a QR code, `scale` pixels a module, black on white (or inverted). */
function pixelsOf(text: string, scale: number, inverted = false) {
  const { data } = encode(text, { ecc: "M", border: 4 });
  const size = data.length * scale;
  const pixels = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dark = data[Math.floor(y / scale)]![Math.floor(x / scale)]! !== inverted;
      pixels.fill(dark ? 0 : 255, (y * size + x) * 4, (y * size + x) * 4 + 3);
      pixels[(y * size + x) * 4 + 3] = 255;
    }
  }
  return { pixels, size };
}

describe("QR decoding", () => {
  it("reads a link from a QR code, also light on dark", () => {
    const link = "https://hsc.example/links/open#shlink:/eyJ1cmwiOiJodHRwczovL2hzYy5leGFtcGxlL2FwaS9zaGwvYWJjIiwia2V5IjoieCJ9";
    for (const inverted of [false, true]) {
      const { pixels, size } = pixelsOf(link, 4, inverted);
      expect(qrTextOf(pixels, size, size)).toBe(link);
    }
  });

  it("finds nothing in a blank image", () => {
    expect(qrTextOf(new Uint8ClampedArray(100 * 100 * 4).fill(255), 100, 100)).toBeNull();
  });

  it("scales large photos down, never small ones up", () => {
    expect(scanSize(4000, 3000)).toEqual({ width: maxScanSide, height: 1200 });
    expect(scanSize(300, 200)).toEqual({ width: 300, height: 200 });
  });
});
