/**
 * FHIR R4 dates and the `[x]` choice elements that carry a time (onset[x], effective[x],
 * occurrence[x], performed[x], abatement[x]...), as a clinician reads them: to the precision
 * they were written with, never with a made-up day. `date` (YYYY, YYYY-MM, YYYY-MM-DD) is a
 * calendar date and is never shifted by a time zone; `dateTime`/`instant` with a time is a
 * moment, shown in the viewer's time zone (client/format.ts conventions, Temporal).
 */
import { Temporal } from "temporal-polyfill";
import { formatDateTime, localDayKey } from "@/client/format";
import { isObject } from "./types";
import { formatQuantity } from "./values";

export interface DateOptions {
  locale?: string;
  timeZone?: string;
}

const partial = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;
const moment = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A FHIR date's parts when it is a valid (possibly partial) calendar date, else null. */
function plainParts(value: string): { date: Temporal.PlainDate; precision: "year" | "month" | "day" } | null {
  const match = partial.exec(value);
  if (!match) return null;
  const [, year, month, day] = match;
  try {
    const date = Temporal.PlainDate.from({ year: Number(year), month: Number(month ?? 1), day: Number(day ?? 1) }, { overflow: "reject" });
    return { date, precision: day ? "day" : month ? "month" : "year" };
  } catch (error) {
    // "2024-13" or "2024-02-30": not a date.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * A FHIR `date`, `dateTime` or `instant` (FHIR R4 §2.24.0.1) as shown: "2015" as "2015",
 * "2015-03" as "Mar 2015", "2015-03-05" as the locale's medium date ("5 Mar 2015"), a
 * date-time with a time as date and time in the viewer's zone. Text that is none of these is
 * shown as written (an imported file's own wording).
 */
export function formatFhirDate(value: string, options: DateOptions = {}): string {
  const plain = plainParts(value);
  if (plain) {
    const parts: Intl.DateTimeFormatOptions =
      plain.precision === "day" ? { dateStyle: "medium" } : plain.precision === "month" ? { year: "numeric", month: "short" } : { year: "numeric" };
    return plain.date.toLocaleString(options.locale, parts);
  }
  if (moment.test(value) && !Number.isNaN(new Date(value).getTime())) return formatDateTime(value, options);
  return value;
}

/**
 * A sort key for a FHIR date: a partial date sorts by its start ("2015" as 2015-01-01), a
 * moment by its UTC instant; ISO text, so keys compare as strings. Null for text that is no
 * date (an onsetString), which sorts with the undated.
 */
export function dateSortKey(value: string): string | null {
  const plain = plainParts(value);
  if (plain) return plain.date.toString();
  if (moment.test(value)) {
    const time = new Date(value).getTime();
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }
  return null;
}

/**
 * A FHIR Period (start/end, either may be absent) in words: "Mar–May 2015" when both ends are
 * months of one year, "2001–2004", "from Apr 2001", "until 5 Mar 2015", "3 Mar 2015 – 9 Mar 2015".
 */
export function formatPeriod(period: { start?: unknown; end?: unknown }, options: DateOptions = {}): string | null {
  const start = typeof period.start === "string" ? period.start : undefined;
  const end = typeof period.end === "string" ? period.end : undefined;
  if (start && end) {
    const a = plainParts(start);
    const b = plainParts(end);
    if (a && b && a.precision === "month" && b.precision === "month" && a.date.year === b.date.year) {
      const month = (date: Temporal.PlainDate) => date.toLocaleString(options.locale, { month: "short" });
      return `${month(a.date)}–${month(b.date)} ${a.date.toLocaleString(options.locale, { year: "numeric" })}`;
    }
    if (a && b && a.precision === "year" && b.precision === "year") return `${start}–${end}`;
    if (start === end) return formatFhirDate(start, options);
    // Two moments of one day where the viewer is (a visit, a procedure): the day once.
    if (
      moment.test(start) &&
      moment.test(end) &&
      dateSortKey(start) &&
      dateSortKey(end) &&
      localDayKey(start, options.timeZone) === localDayKey(end, options.timeZone)
    ) {
      const time = new Intl.DateTimeFormat(options.locale, { timeStyle: "short", timeZone: options.timeZone }).format(new Date(end));
      return `${formatFhirDate(start, options)}–${time}`;
    }
    return `${formatFhirDate(start, options)} – ${formatFhirDate(end, options)}`;
  }
  if (start) return `from ${formatFhirDate(start, options)}`;
  if (end) return `until ${formatFhirDate(end, options)}`;
  return null;
}

/** When something happened, read from one choice element: the text shown and the date it sorts by. */
export interface ChoiceTime {
  /** As shown: "Mar 2015", "at age 7 years", "teenage years". */
  text: string;
  /** The FHIR date it starts at (as written, for sorting through dateSortKey), or null when it has none. */
  date: string | null;
}

/** An Age or Range of ages as "at age 45 years" or "between ages 40 and 45 years". */
function ageText(value: Record<string, unknown>, choice: "Age" | "Range"): string | null {
  if (choice === "Age") {
    const quantity = formatQuantity(value, { ageUnits: true });
    return quantity ? `at age ${quantity}` : null;
  }
  const low = isObject(value.low) ? formatQuantity(value.low, { ageUnits: true }) : null;
  const high = isObject(value.high) ? formatQuantity(value.high, { ageUnits: true }) : null;
  if (low && high) return `between ages ${low.replace(/ .*$/, "")} and ${high}`;
  if (low) return `from age ${low}`;
  if (high) return `by age ${high}`;
  return null;
}

/**
 * The time a choice element `base[x]` carries (FHIR R4 onset[x], effective[x], occurrence[x],
 * performed[x], abatement[x], deceased[x], timing[x], served[x]...): dateTime, date, instant,
 * Period, Age, Range, String, Boolean or Timing (its first event). Null when the resource has
 * none of them.
 */
export function choiceTime(resource: Record<string, unknown>, base: string, options: DateOptions = {}): ChoiceTime | null {
  for (const suffix of ["DateTime", "Date", "Instant"]) {
    const value = resource[`${base}${suffix}`];
    if (typeof value === "string" && value) return { text: formatFhirDate(value, options), date: value };
  }
  const period = resource[`${base}Period`];
  if (isObject(period)) {
    const text = formatPeriod(period, options);
    if (text) return { text, date: typeof period.start === "string" ? period.start : typeof period.end === "string" ? period.end : null };
  }
  for (const choice of ["Age", "Range"] as const) {
    const value = resource[`${base}${choice}`];
    const text = isObject(value) ? ageText(value, choice) : null;
    if (text) return { text, date: null };
  }
  const string = resource[`${base}String`];
  if (typeof string === "string" && string.trim()) return { text: string, date: null };
  const boolean = resource[`${base}Boolean`];
  if (typeof boolean === "boolean") return { text: boolean ? "Yes" : "No", date: null };
  const timing = resource[`${base}Timing`];
  if (isObject(timing) && Array.isArray(timing.event) && typeof timing.event[0] === "string") {
    return { text: formatFhirDate(timing.event[0], options), date: timing.event[0] };
  }
  return null;
}
