import { describe, expect, it } from "vitest";
import { batchesWithin } from "./request-batches";

const bodyBytes = (key: string, batch: unknown[]) => new TextEncoder().encode(JSON.stringify({ [key]: batch })).byteLength;

describe("batchesWithin", () => {
  it("keeps everything in one batch when it fits", () => {
    const items = [{ a: 1 }, { a: 2 }];
    expect(batchesWithin(items, "records", bodyBytes("records", items))).toEqual([items]);
  });

  it("splits in order so that every request body fits the limit exactly or below", () => {
    const items = Array.from({ length: 50 }, (_, index) => ({ id: index, text: "é".repeat(index * 7) }));
    const limit = 2000;
    const batches = batchesWithin(items, "records", limit);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(items);
    for (const batch of batches) expect(bodyBytes("records", batch)).toBeLessThanOrEqual(limit);
    // Greedy: no batch could have taken the next batch's first item.
    for (let index = 0; index + 1 < batches.length; index++) {
      expect(bodyBytes("records", [...batches[index]!, batches[index + 1]![0]])).toBeGreaterThan(limit);
    }
  });

  it("refuses an item that no request could carry", () => {
    expect(() => batchesWithin([{ text: "x".repeat(100) }], "records", 50)).toThrow(RangeError);
  });
});
