import { describe, expect, it } from "vitest";
import { ChartPageCache, entryOverheadChars } from "./chart-page-cache";

const page = (chars: number, fingerprint = "f") => ({ fingerprint, records: "x".repeat(chars) });

describe("the chart page cache", () => {
  it("keys a page by session, cursor and size (no cursor and an empty one are the first page alike)", () => {
    const keys = [
      ChartPageCache.key("aa", undefined, 21),
      ChartPageCache.key("aa", "", 21),
      ChartPageCache.key("aa", "c1", 21),
      ChartPageCache.key("aa", undefined, 11),
      ChartPageCache.key("ab", undefined, 21),
    ];
    expect(new Set(keys).size).toBe(keys.length - 1);
    expect(ChartPageCache.key("aa", undefined, 21)).toBe(ChartPageCache.key("aa", "", 21));
  });

  it("keeps at most its size, dropping the least recently used entries first", () => {
    // Each entry costs its key, fingerprint, JSON and the overhead: 1 + 1 + 1,000 + 512 here.
    const cache = new ChartPageCache(3500);
    cache.set("a", page(1000));
    cache.set("b", page(1000));
    expect(cache.get("a")).toBeDefined();
    cache.set("c", page(1000));
    // "b" was used least recently: "a" was read after it was kept.
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.records).toHaveLength(1000);
    expect(cache.get("c")?.records).toHaveLength(1000);
    expect(cache.size).toBe(2);
  });

  it("counts keys and each entry's overhead, so many small pages cannot hold more than the bound", () => {
    // A session asking for many distinct cursors of empty pages: the JSON is "[]", the key long.
    const maxChars = 100_000;
    const cache = new ChartPageCache(maxChars);
    const cursor = "c".repeat(256);
    for (let index = 0; index < 1000; index++)
      cache.set(ChartPageCache.key("a".repeat(64), `${cursor}${index}`, 21), { fingerprint: "f".repeat(64), records: "[]" });
    const entryChars = 64 + 1 + 256 + 3 + 1 + 2 + 64 + 2 + entryOverheadChars;
    expect(cache.size).toBeLessThanOrEqual(Math.floor(maxChars / entryChars));
    expect(cache.size).toBeGreaterThan(0);
  });

  it("keeps no entry larger than its size, and replaces an entry under the same key", () => {
    const cache = new ChartPageCache(3500);
    cache.set("a", page(100, "one"));
    cache.set("big", page(4000));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.get("a")?.fingerprint).toBe("one");
    cache.set("a", page(100, "two"));
    expect(cache.get("a")?.fingerprint).toBe("two");
    expect(cache.size).toBe(1);
  });

  it("offers an entry no longer than its time to live", async () => {
    const cache = new ChartPageCache(3500, 40);
    cache.set("a", page(10));
    expect(cache.get("a")).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(cache.get("a")).toBeUndefined();
  });
});
