import { describe, expect, it } from "vitest";
import { randomBytes, randomChunks } from "./random";
import { toBase64url } from "./encoding";
import { expectCryptoError } from "./test-helpers";

describe("randomBytes", () => {
  it("gives fresh bytes of the length asked, small (pooled) and large, never the same twice", () => {
    const seen = new Set<string>();
    for (let round = 0; round < 2000; round++) {
      for (const length of [16, 24, 32, 64]) {
        const bytes = randomBytes(length);
        expect(bytes.length).toBe(length);
        const text = toBase64url(bytes);
        expect(seen.has(text)).toBe(false);
        seen.add(text);
      }
    }
    expect(randomBytes(0).length).toBe(0);
    expect(randomBytes(100_000).length).toBe(100_000);
  });

  it("hands out arrays of their own: changing one leaves the next draws alone", () => {
    const first = randomBytes(32);
    const second = randomBytes(32);
    first.fill(0);
    expect(second.some((byte) => byte !== 0)).toBe(true);
    expect(first.buffer).not.toBe(second.buffer);
    expect(first.buffer.byteLength).toBe(32);
  });

  it("spreads its bytes evenly (no byte value far from 1/256 over 1 MiB of small draws)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let draw = 0; draw < 32_768; draw++) for (const byte of randomBytes(32)) counts[byte]! += 1;
    const expected = (32_768 * 32) / 256;
    for (const count of counts) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.1);
  });

  it("refuses lengths that are not non-negative safe integers", () => {
    for (const bad of [-1, 1.5, Number.NaN]) expectCryptoError(() => randomBytes(bad), "invalid-argument");
    expectCryptoError(() => randomChunks(1, 0), "invalid-argument");
  });
});
