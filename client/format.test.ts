import { describe, expect, it } from "vitest";
import {
  countOf,
  durationInWords,
  formatBytes,
  formatCalendarDate,
  formatDateTime,
  formatDay,
  formatProgress,
  listOf,
  localDayKey,
  pluralOf,
  today,
  endOfDay,
} from "./format";

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
    expect(formatCalendarDate("2024-02-30", { locale: "en-GB" })).toBe("2024-02-30");
    // In every zone, including those far from UTC (the old code built a UTC midnight).
    for (const timeZone of ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
      expect(formatCalendarDate("2024-03-05", { locale: "en-GB", timeZone })).toBe("5 Mar 2024");
  });

  it("gives the local day of an instant, as a date input holds it", () => {
    expect(localDayKey(instant, "UTC")).toBe("2026-11-29");
    expect(localDayKey(instant, "Asia/Tokyo")).toBe("2026-11-30");
  });

  // Kiritimati is UTC+14, Pago Pago UTC-11: near midnight, a day there is not the UTC day.
  describe("far from UTC, near midnight", () => {
    const kiritimati = "Pacific/Kiritimati";
    const pagoPago = "Pacific/Pago_Pago";

    it("today is the day where the person is, not in UTC", () => {
      // 10:30 UTC on 29 November is 00:30 on the 30th in Kiritimati.
      expect(today(kiritimati, "2026-11-29T10:30:00Z")).toBe("2026-11-30");
      expect(today(kiritimati, "2026-11-29T09:59:59Z")).toBe("2026-11-29");
      // 10:30 UTC on 30 November is 23:30 on the 29th in Pago Pago.
      expect(today(pagoPago, "2026-11-30T10:30:00Z")).toBe("2026-11-29");
      expect(today(pagoPago, "2026-11-30T11:00:00Z")).toBe("2026-11-30");
      expect(today("UTC", "2026-11-30T10:30:00Z")).toBe("2026-11-30");
    });

    it("an event's day is its day where the person is (history filters)", () => {
      expect(localDayKey("2026-11-29T23:59:00Z", kiritimati)).toBe("2026-11-30");
      expect(localDayKey("2026-12-01T00:01:00Z", pagoPago)).toBe("2026-11-30");
    });

    it("a day ends at its own midnight where the person is (a share's end date)", () => {
      expect(endOfDay("2026-11-30", kiritimati).toISOString()).toBe("2026-11-30T09:59:59.000Z");
      expect(endOfDay("2026-11-30", pagoPago).toISOString()).toBe("2026-12-01T10:59:59.000Z");
      expect(endOfDay("2026-11-30", "UTC").toISOString()).toBe("2026-11-30T23:59:59.000Z");
      // A day daylight saving shortens still ends at the next midnight (Europe/Berlin, 29 March 2026 has 23 hours).
      expect(endOfDay("2026-03-29", "Europe/Berlin").toISOString()).toBe("2026-03-29T21:59:59.000Z");
      expect(() => endOfDay("2026-02-30", "UTC")).toThrow(RangeError);
    });
  });
});
