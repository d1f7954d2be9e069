import { describe, expect, it } from "vitest";
import { countOf, durationInWords, formatBytes, formatCalendarDate, formatDateTime, formatDay, formatProgress, listOf, localDayKey, pluralOf } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 bytes"],
    [1, "1 byte"],
    [999, "999 bytes"],
    [1000, "1 kB"],
    [12_345, "12.3 kB"],
    [123_456, "123 kB"],
    [999_999, "1 MB"],
    [1_048_576, "1 MB"],
    [52_428_800, "52.4 MB"],
    [3_200_000_000, "3.2 GB"],
  ])("%d bytes read %s", (bytes, text) => {
    expect(formatBytes(bytes, "en-US")).toBe(text);
  });

  it("never says 0.0 MB for a small file, and follows the locale's digits", () => {
    expect(formatProgress(0, 12_000, "en-US")).toBe("0 bytes of 12 kB");
    expect(formatBytes(12_345, "de-DE")).toBe("12,3 kB");
  });

  it("refuses what is not a size", () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe("counts", () => {
  it("puts the noun in the form the count needs", () => {
    expect(countOf(1, "shared record", undefined, "en-US")).toBe("1 shared record");
    expect(countOf(0, "record", undefined, "en-US")).toBe("0 records");
    expect(countOf(1234, "record", undefined, "en-US")).toBe("1,234 records");
    expect(countOf(2, "was", "were")).toBe("2 were");
    expect(pluralOf(1, "is", "are")).toBe("is");
    expect(pluralOf(3, "is", "are")).toBe("are");
  });

  it("lists a few names and counts the rest", () => {
    expect(listOf(["A"])).toBe("A");
    expect(listOf(["A", "B"])).toBe("A and B");
    expect(listOf(["A", "B", "C", "D", "E"], { locale: "en-US" })).toBe("A, B, C, and 2 more");
  });
});

describe("durationInWords", () => {
  it("says a wait in the largest plain unit, rounded up, in the form its count needs", () => {
    expect(durationInWords(1)).toBe("1 second");
    expect(durationInWords(45)).toBe("45 seconds");
    expect(durationInWords(60)).toBe("1 minute");
    expect(durationInWords(61)).toBe("2 minutes");
    expect(durationInWords(540)).toBe("9 minutes");
    expect(durationInWords(3600)).toBe("1 hour");
    expect(durationInWords(3900)).toBe("1 hour and 5 minutes");
    expect(() => durationInWords(-1)).toThrow(RangeError);
  });
});

describe("dates", () => {
  const instant = "2026-11-29T23:30:00.000Z";

  it("shows an instant in the given time zone, never as ISO", () => {
    expect(formatDateTime(instant, { locale: "en-GB", timeZone: "UTC" })).toBe("29 Nov 2026, 23:30");
    expect(formatDateTime(instant, { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe("30 Nov 2026, 08:30");
    expect(formatDay(instant, { locale: "en-US", timeZone: "America/New_York" })).toBe("Nov 29, 2026");
    expect(formatDateTime(instant, { locale: "en-GB", timeZone: "UTC", seconds: true })).toBe("29 Nov 2026, 23:30:00");
  });

  it("keeps a calendar date on its day whatever the zone, at the precision it has", () => {
    expect(formatCalendarDate("2024-03-05", { locale: "en-GB", timeZone: "Pacific/Honolulu" })).toBe("5 Mar 2024");
    expect(formatCalendarDate("2024-03", { locale: "en-GB" })).toBe("March 2024");
    expect(formatCalendarDate("2024", { locale: "en-GB" })).toBe("2024");
    expect(formatCalendarDate("not a date")).toBe("not a date");
  });

  it("gives the local day of an instant, as a date input holds it", () => {
    expect(localDayKey(instant, "UTC")).toBe("2026-11-29");
    expect(localDayKey(instant, "Asia/Tokyo")).toBe("2026-11-30");
  });
});
