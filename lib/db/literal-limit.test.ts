import { QueryBuilder } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { records } from "@/drizzle/schema";
import { limitText, literalLimit } from "./literal-limit";

describe("a LIMIT in the statement's text", () => {
  it("is written into drizzle's text, not sent as a parameter", () => {
    const query = new QueryBuilder().select({ id: records.id }).from(records).limit(literalLimit(21)).toSQL();
    expect(query.sql).toMatch(/ limit 21$/);
    expect(query.params).toEqual([]);
  });

  it("takes only a positive safe integer", () => {
    expect(limitText(1)).toBe("1");
    expect(limitText(8 * 1024 * 1024)).toBe("8388608");
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => limitText(bad)).toThrow(RangeError);
      expect(() => literalLimit(bad)).toThrow(RangeError);
    }
  });
});
