import { describe, expect, it } from "vitest";
import { recordPageSize } from "@/contract/pages";
import { AppError } from "@/lib/errors";
import { decodeCursor, encodeCursor, pageBytes, pageWithin, rowsToRead } from "./pages";
import { z } from "zod";

const rows = (count: number, size: number) => Array.from({ length: count }, (_, index) => ({ index, size }));

describe("a page of a record list", () => {
  it("reads one row more than it serves, within the most a request may ask for", () => {
    expect(rowsToRead(undefined)).toBe(recordPageSize.default + 1);
    expect(rowsToRead(7)).toBe(8);
    expect(rowsToRead(recordPageSize.max * 10)).toBe(recordPageSize.max + 1);
  });

  it("serves up to the limit and says whether more follow", () => {
    expect(pageWithin(rows(8, 10), 7, (row) => row.size)).toEqual({ page: rows(7, 10), more: true });
    expect(pageWithin(rows(5, 10), 7, (row) => row.size)).toEqual({ page: rows(5, 10), more: false });
    expect(pageWithin([], 7, (row: { size: number }) => row.size)).toEqual({ page: [], more: false });
  });

  it("stops before the byte budget, but always serves one record", () => {
    const quarter = pageBytes / 4;
    const cut = pageWithin(rows(10, quarter + 1), 100, (row) => row.size);
    expect(cut.page).toHaveLength(3);
    expect(cut.more).toBe(true);
    const huge = pageWithin(rows(2, pageBytes * 2), 100, (row) => row.size);
    expect(huge.page).toHaveLength(1);
    expect(huge.more).toBe(true);
  });

  it("reads back the key a cursor was made from, and refuses anything else as invalid input", () => {
    const schema = z.strictObject({ r: z.string() });
    expect(decodeCursor(encodeCursor({ r: "x" }), schema)).toEqual({ r: "x" });
    for (const cursor of ["", "%%%", Buffer.from("[1]").toString("base64url"), encodeCursor({ r: "x", s: "y" })]) {
      expect(() => decodeCursor(cursor, schema)).toThrow(AppError);
    }
  });
});
