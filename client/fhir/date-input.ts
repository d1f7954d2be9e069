/**
 * Dates as people type them into a form, read into FHIR R4 partial dates and date-times
 * (FHIR R4 §2.24.0.1 `date` and `dateTime`: "2019", "2019-05", "2019-05-14",
 * "2019-05-14T10:30:00+02:00"), and back into text for editing.
 *
 * Nothing is guessed: "2019" is the year 2019 (a browser date input made it year 0009),
 * "05/06/2019" is refused (May or June?), a day that does not exist is refused, and so is a
 * time that did not happen where the person is (the clocks went forward). A date-time typed
 * without an offset is a wall-clock time where the person is, and keeps that place's offset
 * (FHIR requires a zone once there is a time).
 */

import { Temporal } from "temporal-polyfill";
import { formatCalendarDate, formatDateTime } from "../format";

/** How much of a date a value gives: FHIR's partial-date precisions, and a date-time. */
export type DatePrecision = "year" | "month" | "day" | "date-time";

export type DateInputResult =
  | { ok: true; value: string; precision: DatePrecision }
  /** `problem` is a sentence to show next to the field. */
  | { ok: false; problem: string };

export interface DateInputOptions {
  /** The FHIR element is a dateTime (a time may be given); a `date` element takes at most a day. */
  allowTime?: boolean;
  /** The element cannot be in the future (a date given, a result measured, an onset). */
  notFuture?: boolean;
  /** The earliest year taken; years before it are refused as typing mistakes. Default 1900. */
  earliestYear?: number;
  /** The person's IANA time zone; the browser's by default (a parameter for tests). */
  timeZone?: string;
  /** Now, as epoch milliseconds (a parameter for tests). */
  now?: number;
}

const months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** A month's number from its English name or its first three letters ("May", "sept", "Dec."), else undefined. */
function monthNumber(name: string): number | undefined {
  const word = name.toLowerCase().replace(/\.$/, "");
  if (word.length < 3) return undefined;
  const index = months.findIndex((month) => month.startsWith(word) || (word === "sept" && month === "september"));
  return index === -1 ? undefined : index + 1;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

const formatHint = (allowTime: boolean): string =>
  allowTime
    ? "Write a year (2019), a month (2019-05 or May 2019), a day (2019-05-14) or a day and time (2019-05-14 10:30)."
    : "Write a year (2019), a month (2019-05 or May 2019) or a day (2019-05-14).";

/** The hint shown under a date field: which forms it takes. */
export const dateInputHint = (allowTime: boolean): string => formatHint(allowTime);

interface Parts {
  year: number;
  month?: number;
  day?: number;
  time?: { hour: number; minute: number; second: number; fraction: string; offset?: string };
}

/** The parts of what was typed, or a problem when it is not one of the forms taken. */
function partsOf(text: string, allowTime: boolean): Parts | string {
  const written = text.trim().replace(/\s+/g, " ");
  let match: RegExpExecArray | null;
  if ((match = /^(\d+)$/.exec(written))) {
    return match[1]!.length === 4 ? { year: Number(match[1]) } : "Write the year with four digits, for example 2019.";
  }
  if ((match = /^(\d{4})-(\d{1,2})$/.exec(written))) return { year: Number(match[1]), month: Number(match[2]) };
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(written))) return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  // "May 2019", "May, 2019"
  if ((match = /^([A-Za-z]+\.?),? (\d{4})$/.exec(written))) {
    const month = monthNumber(match[1]!);
    return month ? { year: Number(match[2]), month } : `"${match[1]}" is not a month. ${formatHint(allowTime)}`;
  }
  // "14 May 2019", "May 14, 2019": the month is named, so neither order is ambiguous.
  if ((match = /^(\d{1,2}) ([A-Za-z]+\.?),? (\d{4})$/.exec(written)) || (match = /^([A-Za-z]+\.?) (\d{1,2}),? (\d{4})$/.exec(written))) {
    const [dayText, monthText] = /^\d/.test(match[1]!) ? [match[1]!, match[2]!] : [match[2]!, match[1]!];
    const month = monthNumber(monthText);
    return month ? { year: Number(match[3]), month, day: Number(dayText) } : `"${monthText}" is not a month. ${formatHint(allowTime)}`;
  }
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T| )(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)? ?(Z|[+-]\d{2}:?\d{2})?$/i.exec(written))) {
    if (!allowTime) return "Give the day without a time, for example 2019-05-14.";
    const offset = match[8] ? (match[8].toUpperCase() === "Z" ? "Z" : `${match[8].slice(0, 3)}:${match[8].slice(-2)}`) : undefined;
    return {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      time: { hour: Number(match[4]), minute: Number(match[5]), second: Number(match[6] ?? 0), fraction: match[7] ?? "", offset },
    };
  }
  if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test(written)) {
    return "Write the day as year-month-day, for example 2019-05-14: a date like 05/06/2019 can mean May or June.";
  }
  return `This is not a date we can read. ${formatHint(allowTime)}`;
}

/**
 * Reads a date typed into a form as a FHIR R4 date or dateTime value.
 * Takes "2019", "2019-05" (or "2019-5"), "May 2019", "2019-05-14", "14 May 2019", "May 14, 2019",
 * and with `allowTime` "2019-05-14 10:30", "2019-05-14T10:30:15", optionally with an offset
 * ("Z", "+02:00", "-0500"); a time without an offset takes the offset of `timeZone` at that moment.
 * @returns the FHIR value and its precision, or a problem sentence; never throws for any text
 * @throws RangeError only for an unknown `timeZone`
 */
export function parseDateInput(text: string, options: DateInputOptions = {}): DateInputResult {
  const { allowTime = false, notFuture = false, earliestYear = 1900, timeZone = Temporal.Now.timeZoneId(), now = Date.now() } = options;
  if (!text.trim()) return { ok: false, problem: "Enter the date." };
  const parts = partsOf(text, allowTime);
  if (typeof parts === "string") return { ok: false, problem: parts };
  const { year, month, day, time } = parts;
  if (year < earliestYear) return { ok: false, problem: `${year} is too long ago: enter a year from ${earliestYear} on, with four digits.` };
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, problem: `There is no month ${month}: a month is 1 to 12.` };
  if (day !== undefined) {
    try {
      Temporal.PlainDate.from({ year, month: month!, day }, { overflow: "reject" });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { ok: false, problem: `There is no day ${day} in ${formatCalendarDate(`${year}-${pad(month!)}`, { locale: "en" })}.` };
    }
  }
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(timeZone).toPlainDate();
  const future = "The date cannot be in the future.";
  if (!time) {
    const value = [pad(year, 4), month && pad(month), day && pad(day)].filter(Boolean).join("-");
    // A partial date is in the future only when all of it is: "2026" is fine on any day of 2026.
    const first = Temporal.PlainDate.from({ year, month: month ?? 1, day: day ?? 1 });
    if (notFuture && Temporal.PlainDate.compare(first, today) > 0) return { ok: false, problem: future };
    return { ok: true, value, precision: day ? "day" : month ? "month" : "year" };
  }
  if (time.hour > 23 || time.minute > 59 || time.second > 59)
    return { ok: false, problem: "That is not a time of day: write it as 24-hour hours and minutes, for example 14:30." };
  let offset = time.offset;
  if (offset && offset !== "Z" && !/^[+-](0\d|1[0-3]):[0-5]\d$|^\+14:00$|^-14:00$/.test(offset)) {
    return { ok: false, problem: `${offset} is not a time-zone offset: they run from -14:00 to +14:00.` };
  }
  const wallClock = Temporal.PlainDateTime.from({ year, month: month!, day: day!, hour: time.hour, minute: time.minute, second: time.second });
  if (!offset) {
    let zoned: Temporal.ZonedDateTime;
    try {
      zoned = wallClock.toZonedDateTime(timeZone, { disambiguation: "reject" });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const earlier = wallClock.toZonedDateTime(timeZone, { disambiguation: "earlier" });
      return {
        ok: false,
        problem:
          Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), wallClock) === 0
            ? "That time happened twice here (the clocks went back): add the offset, for example 02:30 +02:00."
            : "That time did not happen here (the clocks went forward): check the time.",
      };
    }
    offset = zoned.offset;
  }
  const value = `${pad(year, 4)}-${pad(month!)}-${pad(day!)}T${pad(time.hour)}:${pad(time.minute)}:${pad(time.second)}${time.fraction}${offset}`;
  if (notFuture && Temporal.Instant.from(value).epochMilliseconds > now) return { ok: false, problem: "The date cannot be in the future." };
  return { ok: true, value, precision: "date-time" };
}

/**
 * A stored FHIR date or dateTime as text for a form field: a partial date as it is, a
 * date-time as the wall-clock time where the person is ("2019-05-14 10:30", with seconds when
 * it has them), which parseDateInput reads back to the same instant. Anything else (text an
 * import put there) is returned as it is.
 */
export function dateInputText(stored: string, timeZone: string = Temporal.Now.timeZoneId()): string {
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(stored)) return stored;
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(stored);
  if (!zoned) return stored.replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:00)?$/, "$1 $2");
  let local: Temporal.PlainDateTime;
  try {
    local = Temporal.Instant.from(stored).toZonedDateTimeISO(timeZone).toPlainDateTime();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stored;
  }
  const seconds = local.second || local.millisecond ? `:${pad(local.second)}${local.millisecond ? `.${pad(local.millisecond, 3)}` : ""}` : "";
  return `${local.toPlainDate().toString()} ${pad(local.hour)}:${pad(local.minute)}${seconds}`;
}

/** A FHIR date or dateTime in words, to the precision it has ("May 2019", "14 May 2019, 10:30"), for a field's "reads as" line. */
export function dateInWords(value: string, options: { locale?: string; timeZone?: string } = {}): string {
  return value.includes("T") ? formatDateTime(value, options) : formatCalendarDate(value, options);
}
