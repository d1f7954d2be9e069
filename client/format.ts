/**
 * Sizes, dates and counts as people read them: through Intl, in the browser's language for
 * numbers and dates and in its time zone, never raw ISO strings or "1 records". The words
 * around them are English, so plural forms follow English rules.
 *
 * Every function takes an optional `locale` and `timeZone` only so tests can pin them; the
 * app passes neither (the browser's own).
 */

import { Temporal } from "temporal-polyfill";

const englishPlurals = new Intl.PluralRules("en");

/**
 * "1 record", "7 records", "1,234 records": a count with the noun in the form English needs.
 * `plural` defaults to the singular with an "s".
 */
export function countOf(count: number, singular: string, plural = `${singular}s`, locale?: string): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${englishPlurals.select(count) === "one" ? singular : plural}`;
}

/** The singular or plural form alone, for sentences whose verb agrees too ("is"/"are"). */
export const pluralOf = (count: number, singular: string, plural = `${singular}s`): string => (englishPlurals.select(count) === "one" ? singular : plural);

/**
 * A wait as people say it, for "Try again in …": "45 seconds", "9 minutes", "1 hour",
 * "1 hour and 5 minutes". Rounded up (to whole minutes from a minute on), so the wait said is
 * never shorter than the Retry-After it comes from.
 * @param seconds a non-negative number of seconds
 */
export function durationInWords(seconds: number, locale?: string): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError("durationInWords takes a non-negative number of seconds.");
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return countOf(whole, "second", "seconds", locale);
  const minutes = Math.ceil(whole / 60);
  if (minutes < 60) return countOf(minutes, "minute", "minutes", locale);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? countOf(hours, "hour", "hours", locale) : `${countOf(hours, "hour", "hours", locale)} and ${countOf(rest, "minute", "minutes", locale)}`;
}

const byteUnits = ["kilobyte", "megabyte", "gigabyte", "terabyte"] as const;

/**
 * A size in bytes as "512 bytes", "12 kB", "3.4 MB" (decimal units, as Intl names them): at
 * most one decimal, none from 100 up, and never "0.0 MB" for a small file.
 * @param bytes a non-negative number of bytes
 */
export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError("formatBytes takes a non-negative number of bytes.");
  if (bytes < 1000) return new Intl.NumberFormat(locale, { style: "unit", unit: "byte", unitDisplay: "long" }).format(bytes);
  let value = bytes / 1000;
  let unit = 0;
  // Rounded first, so 999,999 bytes reads "1 MB", not "1,000 kB".
  while (unit < byteUnits.length - 1 && Number(value < 100 ? value.toFixed(1) : value.toFixed(0)) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, { style: "unit", unit: byteUnits[unit], unitDisplay: "short", maximumFractionDigits: value < 100 ? 1 : 0 }).format(
    value,
  );
}

/** "2,5 MB of 12 MB": a transfer's progress, both sides in the same words. */
export const formatProgress = (done: number, total: number, locale?: string): string => `${formatBytes(done, locale)} of ${formatBytes(total, locale)}`;

type Moment = string | number | Date;
const asDate = (value: Moment): Date => (value instanceof Date ? value : new Date(value));

/*
 * Calendar days. A day (a share's end date, a form's "date given", a history filter) is a
 * day where the person is, never the UTC day: near midnight the two differ by one for anyone
 * east or west of UTC (in Kiritimati, UTC+14, 09:00 UTC is already tomorrow). Every calendar
 * day in the browser is computed here, with Temporal (polyfilled); `timeZone` defaults to the
 * browser's and is a parameter only so that tests can pin it. Days travel as ISO 8601
 * "YYYY-MM-DD", which is what a date input holds and sorts as text.
 */

const zoneOf = (timeZone?: string): string => timeZone ?? Temporal.Now.timeZoneId();
const instantOf = (value: Moment): Temporal.Instant => Temporal.Instant.fromEpochMilliseconds(asDate(value).getTime());

/**
 * The day an instant falls on where the person is, as YYYY-MM-DD: what a date input holds,
 * so filters and "today" compare with what the person typed, not with the day in UTC.
 * @throws RangeError for a value that is not a valid instant, or an unknown time zone
 */
export function localDayKey(value: Moment, timeZone?: string): string {
  return instantOf(value).toZonedDateTimeISO(zoneOf(timeZone)).toPlainDate().toString();
}

/**
 * Today where the person is, as YYYY-MM-DD (`now` only for tests).
 * @throws RangeError for an unknown time zone
 */
export const today = (timeZone?: string, now: Moment = Date.now()): string => localDayKey(now, timeZone);

/**
 * The last moment of a calendar day where the person is: when something "until" that day
 * ends (a share's end date). The start of the next day less one second, so a day that a
 * daylight-saving change shortens or lengthens still ends at its own midnight.
 * @param day YYYY-MM-DD
 * @throws RangeError for a day that is not a valid ISO date, or an unknown time zone
 */
export function endOfDay(day: string, timeZone?: string): Date {
  const nextMidnight = Temporal.PlainDate.from(day, { overflow: "reject" })
    .add({ days: 1 })
    .toZonedDateTime({ timeZone: zoneOf(timeZone) });
  return new Date(nextMidnight.subtract({ seconds: 1 }).epochMilliseconds);
}

/** An instant as a date and time ("29 Nov 2026, 14:05"), in the browser's time zone. */
export function formatDateTime(value: Moment, options: { locale?: string; timeZone?: string; seconds?: boolean } = {}): string {
  return new Intl.DateTimeFormat(options.locale, { dateStyle: "medium", timeStyle: options.seconds ? "medium" : "short", timeZone: options.timeZone }).format(
    asDate(value),
  );
}

/** An instant's day ("29 Nov 2026"), in the browser's time zone. */
export function formatDay(value: Moment, options: { locale?: string; timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat(options.locale, { dateStyle: "medium", timeZone: options.timeZone }).format(asDate(value));
}

/**
 * A calendar date written as text, as FHIR keeps them ("2024", "2024-03", "2024-03-05", or a
 * full instant): shown to the precision it has. A plain date is a day, not a moment, so it is
 * never shifted into another day by a time zone. Text that is neither is shown as it is.
 */
export function formatCalendarDate(value: string, options: { locale?: string; timeZone?: string } = {}): string {
  const plain = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(value);
  if (!plain) {
    const instant = new Date(value);
    return Number.isNaN(instant.getTime()) ? value : formatDay(instant, options);
  }
  const [, year, month, day] = plain;
  let date: Temporal.PlainDate;
  try {
    date = Temporal.PlainDate.from({ year: Number(year), month: Number(month ?? 1), day: Number(day ?? 1) }, { overflow: "reject" });
  } catch (error) {
    // "2024-13" or "2024-02-30": not a date, so shown as written.
    if (error instanceof RangeError) return value;
    throw error;
  }
  const parts: Intl.DateTimeFormatOptions = day ? { dateStyle: "medium" } : month ? { year: "numeric", month: "long" } : { year: "numeric" };
  return date.toLocaleString(options.locale, parts);
}

/** "Thyroid panel, Insulin plan and 3 more": a few names, then how many are left out. */
export function listOf(names: readonly string[], { shown = 3, locale }: { shown?: number; locale?: string } = {}): string {
  const listed = names.length > shown ? [...names.slice(0, shown), `${new Intl.NumberFormat(locale).format(names.length - shown)} more`] : [...names];
  return new Intl.ListFormat("en", { style: "long", type: "conjunction" }).format(listed);
}
