import { describe, expect, it } from "vitest";
import { choiceTime, dateSortKey, formatFhirDate, formatPeriod } from "./fhir-dates";

const options = { locale: "en-GB", timeZone: "Europe/Paris" };

describe("FHIR dates to their own precision", () => {
  it("never makes up a day or a month", () => {
    expect(formatFhirDate("2015", options)).toBe("2015");
    expect(formatFhirDate("2015-03", options)).toBe("Mar 2015");
    expect(formatFhirDate("2015-03-05", options)).toBe("5 Mar 2015");
  });

  it("shows a moment in the viewer's zone, and a date never shifted by one", () => {
    expect(formatFhirDate("2015-03-05T23:30:00Z", options)).toBe("6 Mar 2015, 00:30");
    expect(formatFhirDate("2015-03-05", { locale: "en-GB", timeZone: "Pacific/Kiritimati" })).toBe("5 Mar 2015");
    expect(formatFhirDate("around Easter", options)).toBe("around Easter");
    expect(formatFhirDate("2015-13", options)).toBe("2015-13");
  });

  it("writes periods as people do", () => {
    expect(formatPeriod({ start: "2015-03", end: "2015-05" }, options)).toBe("Mar–May 2015");
    expect(formatPeriod({ start: "2001", end: "2004" }, options)).toBe("2001–2004");
    expect(formatPeriod({ start: "2001-04" }, options)).toBe("from Apr 2001");
    expect(formatPeriod({ end: "2001-04-02" }, options)).toBe("until 2 Apr 2001");
    expect(formatPeriod({ start: "2019-02-14T09:15:00-05:00", end: "2019-02-14T09:45:00-05:00" }, options)).toBe("14 Feb 2019, 15:15–15:45");
    expect(formatPeriod({ start: "2019-02-14T22:15:00Z", end: "2019-02-14T23:45:00Z" }, options)).toBe("14 Feb 2019, 23:15 – 15 Feb 2019, 00:45");
  });

  it("reads every kind of [x] time", () => {
    expect(choiceTime({ onsetAge: { value: 45, unit: "a", code: "a" } }, "onset", options)?.text).toBe("at age 45 years");
    expect(choiceTime({ onsetRange: { low: { value: 40, code: "a" }, high: { value: 45, code: "a" } } }, "onset", options)?.text).toBe(
      "between ages 40 and 45 years",
    );
    expect(choiceTime({ effectiveInstant: "2020-01-01T10:00:00Z" }, "effective", options)).toEqual({ text: "1 Jan 2020, 11:00", date: "2020-01-01T10:00:00Z" });
    expect(choiceTime({ occurrenceString: "as a child" }, "occurrence", options)).toEqual({ text: "as a child", date: null });
    expect(choiceTime({ performedPeriod: { start: "2019-05", end: "2019-06" } }, "performed", options)).toEqual({ text: "May–Jun 2019", date: "2019-05" });
    expect(choiceTime({}, "performed", options)).toBeNull();
  });

  it("sorts partial dates by their start, moments by their instant", () => {
    expect(dateSortKey("2015")).toBe("2015-01-01");
    expect(dateSortKey("2015-03")).toBe("2015-03-01");
    expect(dateSortKey("2019-02-14T09:15:00-05:00")).toBe("2019-02-14T14:15:00.000Z");
    expect(dateSortKey("teenage years")).toBeNull();
  });
});
