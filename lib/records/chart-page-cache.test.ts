import { describe, expect, it } from "vitest";
import { ChartPageCache } from "./chart-page-cache";

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

  it("keeps at most its size in text, dropping the least recently used entries first", () => {
    const cache = new ChartPageCache(1000);
    cache.set("a", page(400));
    cache.set("b", page(400));
    expect(cache.get("a")).toBeDefined();
    cache.set("c", page(400));
    // "b" was used least recently: "a" was read after it was kept.
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.records).toHaveLength(400);
    expect(cache.get("c")?.records).toHaveLength(400);
    expect(cache.size).toBe(2);
  });

  it("keeps no entry larger than its size, and replaces an entry under the same key", () => {
    const cache = new ChartPageCache(1000);
    cache.set("a", page(100, "one"));
    cache.set("big", page(2000));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.get("a")?.fingerprint).toBe("one");
    cache.set("a", page(100, "two"));
    expect(cache.get("a")?.fingerprint).toBe("two");
    expect(cache.size).toBe(1);
  });

  it("offers an entry no longer than its time to live", async () => {
    const cache = new ChartPageCache(1000, 40);
    cache.set("a", page(10));
    expect(cache.get("a")).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(cache.get("a")).toBeUndefined();
  });
});
