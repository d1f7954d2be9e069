import { describe, expect, it } from "vitest";
import { dateInputText, dateInWords, parseDateInput } from "./date-input";

// 2026-11-30 12:00 UTC: Kiritimati (UTC+14) is already in December 1.
const now = Date.UTC(2026, 10, 30, 12, 0, 0);
const read = (text: string, options: Parameters<typeof parseDateInput>[1] = {}) => parseDateInput(text, { timeZone: "Europe/Paris", now, ...options });
const value = (text: string, options: Parameters<typeof parseDateInput>[1] = {}) => {
  const result = read(text, options);
  return result.ok ? result.value : `problem: ${result.problem}`;
};

describe("parseDateInput", () => {
  it.each([
    ["2019", "2019", "year"],
    ["2019-05", "2019-05", "month"],
    ["2019-5", "2019-05", "month"],
    ["May 2019", "2019-05", "month"],
    ["sept 2019", "2019-09", "month"],
    ["2019-05-14", "2019-05-14", "day"],
    ["2019-5-4", "2019-05-04", "day"],
    ["14 May 2019", "2019-05-14", "day"],
    ["May 14, 2019", "2019-05-14", "day"],
    ["  2019  ", "2019", "year"],
  ])("reads %j as the FHIR date %s (%s)", (text, expected, precision) => {
    expect(read(text)).toEqual({ ok: true, value: expected, precision });
  });

  it("never reads a year as year 0009, and refuses a year no one means", () => {
    expect(value("0009")).toMatch(/^problem: 9 is too long ago/);
    expect(value("19")).toBe("problem: Write the year with four digits, for example 2019.");
    expect(value("1899")).toMatch(/^problem: 1899 is too long ago/);
  });

  it.each([
    ["2019-02-30", "There is no day 30 in February 2019."],
    ["2019-13", "There is no month 13: a month is 1 to 12."],
    ["2020-02-30", "There is no day 30 in February 2020."],
    ["Mai 2019", `"Mai" is not a month.`],
    ["05/06/2019", "can mean May or June"],
    ["yesterday", "This is not a date we can read."],
    ["", "Enter the date."],
  ])("refuses %j and says why", (text, problem) => {
    const result = read(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problem).toContain(problem);
  });

  it("takes 29 February in a leap year only", () => {
    expect(value("2024-02-29")).toBe("2024-02-29");
    expect(value("2023-02-29")).toBe("problem: There is no day 29 in February 2023.");
  });

  it("refuses the future where the element cannot be in it, counting a partial date as all of its span", () => {
    expect(value("2027", { notFuture: true })).toBe("problem: The date cannot be in the future.");
    expect(value("2026-12", { notFuture: true })).toMatch(/future/);
    expect(value("2026", { notFuture: true })).toBe("2026");
    expect(value("2026-11", { notFuture: true })).toBe("2026-11");
    expect(value("2026-11-30", { notFuture: true })).toBe("2026-11-30");
    expect(value("2026-12-01", { notFuture: true })).toMatch(/future/);
    // Where it is already 1 December, that day is today.
    expect(value("2026-12-01", { notFuture: true, timeZone: "Pacific/Kiritimati" })).toBe("2026-12-01");
    expect(value("2027", { notFuture: false })).toBe("2027");
    expect(value("2026-11-30 12:30", { notFuture: true, allowTime: true })).toBe("2026-11-30T12:30:00+01:00");
    expect(value("2026-11-30 12:30", { notFuture: true, allowTime: true, timeZone: "UTC" })).toBe("problem: The date cannot be in the future.");
  });

  it("gives a date-time typed without an offset the offset of the viewer's time zone at that moment", () => {
    expect(value("2019-05-14 10:30", { allowTime: true })).toBe("2019-05-14T10:30:00+02:00");
    expect(value("2019-01-14T10:30", { allowTime: true })).toBe("2019-01-14T10:30:00+01:00");
    expect(value("2019-05-14 10:30", { allowTime: true, timeZone: "America/New_York" })).toBe("2019-05-14T10:30:00-04:00");
    expect(value("2019-05-14 10:30:15", { allowTime: true })).toBe("2019-05-14T10:30:15+02:00");
  });

  it("keeps an offset that is typed, and refuses one that is not an offset", () => {
    expect(value("2019-05-14 10:30 +0530", { allowTime: true })).toBe("2019-05-14T10:30:00+05:30");
    expect(value("2019-05-14T10:30:00Z", { allowTime: true })).toBe("2019-05-14T10:30:00Z");
    expect(value("2019-05-14T10:30:00.250-03:00", { allowTime: true })).toBe("2019-05-14T10:30:00.250-03:00");
    expect(value("2019-05-14 10:30 +15:00", { allowTime: true })).toMatch(/not a time-zone offset/);
  });

  it("matches the FHIR R4 dateTime pattern for every value it gives", () => {
    const fhirDateTime =
      /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
    for (const text of ["2019", "2019-5", "May 2019", "2019-05-14", "2019-05-14 10:30", "2019-05-14 23:59:59 -1400", "2019-05-14 00:00 Z"]) {
      expect(value(text, { allowTime: true })).toMatch(fhirDateTime);
    }
  });

  it("refuses a time where only a date is taken, a time that is no time, and wall-clock times a clock change skipped or repeated", () => {
    expect(value("2019-05-14 10:30")).toBe("problem: Give the day without a time, for example 2019-05-14.");
    expect(value("2019-05-14 24:30", { allowTime: true })).toMatch(/not a time of day/);
    expect(value("2019-03-31 02:30", { allowTime: true })).toMatch(/did not happen here/);
    expect(value("2019-10-27 02:30", { allowTime: true })).toMatch(/happened twice here/);
    expect(value("2019-10-27 02:30 +02:00", { allowTime: true })).toBe("2019-10-27T02:30:00+02:00");
  });
});

describe("dateInputText", () => {
  it("shows a partial date as it is and a date-time at the viewer's wall clock, which reads back to the same instant", () => {
    expect(dateInputText("2019", "Europe/Paris")).toBe("2019");
    expect(dateInputText("2019-05", "Europe/Paris")).toBe("2019-05");
    expect(dateInputText("2020-06-15T08:00:00+02:00", "Europe/Paris")).toBe("2020-06-15 08:00");
    expect(dateInputText("2021-01-10T07:00:00Z", "Asia/Tokyo")).toBe("2021-01-10 16:00");
    expect(dateInputText("2021-01-10T07:00:05.5Z", "UTC")).toBe("2021-01-10 07:00:05.500");
    const text = dateInputText("2020-06-15T08:00:00+02:00", "America/New_York");
    expect(value(text, { allowTime: true, timeZone: "America/New_York" })).toBe("2020-06-15T02:00:00-04:00");
    expect(dateInputText("in childhood")).toBe("in childhood");
  });

  it("puts a value in words at its precision", () => {
    expect(dateInWords("2019", { locale: "en-GB" })).toBe("2019");
    expect(dateInWords("2019-05", { locale: "en-GB" })).toBe("May 2019");
    expect(dateInWords("2019-05-14T10:30:00+02:00", { locale: "en-GB", timeZone: "Europe/Paris" })).toBe("14 May 2019, 10:30");
  });
});
