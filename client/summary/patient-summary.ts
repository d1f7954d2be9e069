import { kindLabel, kindOf, recordKinds } from "../fhir/kinds";
import { summarize } from "../fhir/summary";
import type { ContextEntry, FhirResource, RecordKind } from "../fhir/types";
import { formatDay } from "../format";
import { formatFhirDate } from "../fhir/fhir-dates";
import { statusText, type SummaryLocale } from "./summary-values";

/** One record in a summary, its words ready to show or print. */
export interface SummaryLine {
  title: string;
  /** The display names of the record's codes, best first: what a PDF prints where its fonts cannot draw `title` (pdf-text `printable`). */
  codedTitles: string[];
  /** The record's date as a person reads it ("2015", "Mar 2015", "10 Oct 2015"); null when undated. */
  date: string | null;
  /** "Active", "Completed", "Final"...; null when the record states none. */
  status: string | null;
  /** Results only: "ref 4–10 mmol/L"; null when none is given. */
  referenceRange: string | null;
  /** Results only: "High (H)"; null when none is given. */
  interpretation: string | null;
}

/** One section of the summary: the IPS sections first, then the extras the person chose. */
export interface SummarySection {
  /** Stable key: an IPS section name ("problems", "results"...) or the extra's record kind. */
  key: string;
  heading: string;
  /** Records, newest first, undated last. */
  lines: SummaryLine[];
  /** Negated and "no known" statements ("No known food allergy"), shown as sentences, never as lines. */
  statements: string[];
}

/**
 * A patient summary made in the browser from decrypted records: every word already formatted,
 * so the page and the PDF (buildSummaryPdf) say exactly the same. A section with neither
 * lines nor statements reads `empty`: "No information" in the patient's own summary,
 * "None shared with you" in a clinician's (what was not shared is not known to be absent).
 */
export interface PatientSummary {
  title: string;
  /** Who it is about, as revealed: "Paul Proof, born Jul 1957", or "Shared by Paul Proof, born Jul 1957". */
  patient: string;
  /** "Made on 30 Nov 2026". */
  made: string;
  /** That this is not a verified clinical document. */
  notice: string;
  sections: SummarySection[];
  /** What an empty section reads (see above). */
  empty: string;
}

export const noInformation = "No information";
export const noneShared = "None shared with you";
export const summaryNotice = "Made from records in Health Safe Cloud, not a verified clinical document.";

/**
 * The International Patient Summary sections (HL7 IPS IG, R4: Problems, Medication Summary,
 * Allergies and Intolerances, Immunizations, Results, History of Procedures), in its order,
 * with the record kinds each gathers.
 */
export const ipsSections: ReadonlyArray<{ key: string; heading: string; kinds: readonly RecordKind[] }> = [
  { key: "problems", heading: "Problems", kinds: ["condition"] },
  { key: "medications", heading: "Medications", kinds: ["medication"] },
  { key: "allergies", heading: "Allergies and intolerances", kinds: ["allergy"] },
  { key: "immunizations", heading: "Immunizations", kinds: ["immunization"] },
  { key: "results", heading: "Results", kinds: ["observation", "report"] },
  { key: "procedures", heading: "Procedures", kinds: ["procedure"] },
];

const ipsKinds = new Set(ipsSections.flatMap((section) => section.kinds));

/** The record kinds a person may add to a summary beyond the IPS sections, in the chart's order. */
export const extraKinds: readonly RecordKind[] = recordKinds.map((entry) => entry.kind).filter((kind) => !ipsKinds.has(kind));

/** The extra kinds some records hold, with how many of each, in the chart's order: what a person may add to their summary. */
export function availableExtras(records: ReadonlyArray<{ resource: FhirResource }>): Array<{ kind: RecordKind; count: number }> {
  const counts = new Map<RecordKind, number>();
  for (const { resource } of records) {
    const kind = kindOf(resource);
    if (kind && !ipsKinds.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return extraKinds.flatMap((kind) => (counts.has(kind) ? [{ kind, count: counts.get(kind)! }] : []));
}

/**
 * Who a summary is about, in the words the clinician's view uses too: "Shared by Paul Proof,
 * born Jul 1957" (`shared`), or "Paul Proof, born 6 Jul 1957"; the birth date only when one
 * was revealed (a FHIR date, partial allowed).
 */
export function revealedIdentity(name: string, birthDate: string | null | undefined, shared: boolean, options: SummaryLocale = {}): string {
  const born = birthDate ? `, born ${formatFhirDate(birthDate, options)}` : "";
  return `${shared ? "Shared by " : ""}${name}${born}`;
}

/** What a summary is made from: the records' resources (a chart's or a grant's), and whose they are. */
export interface SummaryInput {
  records: ReadonlyArray<{ resource: FhirResource; context?: readonly ContextEntry[] }>;
  /** Kinds beyond the IPS sections to add, each as its own section (see `extraKinds`). */
  extras: readonly RecordKind[];
  patient: { name: string; birthDate?: string | null; shared: boolean };
  /** When it is made (shown as a day). */
  madeAt: Date;
}

interface Summarized {
  kind: RecordKind;
  sortDate: string;
  line: SummaryLine;
  statement: string | null;
}

function summarized({ resource, context }: SummaryInput["records"][number], options: SummaryLocale): Summarized | null {
  // Titles, dates, ranges, flags and statements are client/fhir's, as the chart shows them.
  const summary = summarize(resource, context, options);
  if (!summary) return null;
  return {
    kind: summary.kind,
    sortDate: summary.sortKey ?? "",
    statement: summary.statement ? summary.title : null,
    line: {
      title: summary.title,
      codedTitles: summary.codedTitles,
      date: summary.dateText,
      status: statusText(resource),
      referenceRange: summary.ranges.length > 0 ? summary.ranges.join("; ") : null,
      interpretation: summary.flags.length > 0 ? summary.flags.join(", ") : null,
    },
  };
}

/**
 * The order of a summary's records: newest first by `sortKey` (fhir-dates `dateSortKey`, so
 * partial dates sort by their start), undated (null or "") last, then by title.
 */
export const newestFirst = (a: { sortKey: string | null; title: string }, b: { sortKey: string | null; title: string }): number => {
  const [dateA, dateB] = [a.sortKey ?? "", b.sortKey ?? ""];
  return dateA === dateB ? a.title.localeCompare(b.title) : dateA === "" ? 1 : dateB === "" ? -1 : dateB.localeCompare(dateA);
};

const byDate = (a: Summarized, b: Summarized): number =>
  newestFirst({ sortKey: a.sortDate, title: a.line.title }, { sortKey: b.sortDate, title: b.line.title });

/**
 * The patient summary of some records: the six IPS sections always (empty ones read "No
 * information"), then each chosen extra kind. Titles and dates are client/fhir `summarize`'s;
 * negated and "no known" records become statements of their section. Records of a kind in
 * neither are left out.
 */
export function buildPatientSummary(input: SummaryInput, options: SummaryLocale = {}): PatientSummary {
  const all = input.records.flatMap((record) => summarized(record, options) ?? []);
  const section = (key: string, heading: string, kinds: readonly RecordKind[]): SummarySection => {
    const items = all.filter((item) => kinds.includes(item.kind)).sort(byDate);
    return {
      key,
      heading,
      lines: items.filter((item) => item.statement === null).map((item) => item.line),
      statements: items.flatMap((item) => item.statement ?? []),
    };
  };
  const extras = extraKinds.filter((kind) => input.extras.includes(kind));
  return {
    title: "Patient summary",
    patient: revealedIdentity(input.patient.name, input.patient.birthDate, input.patient.shared, options),
    made: `Made on ${formatDay(input.madeAt, options)}`,
    notice: summaryNotice,
    empty: input.patient.shared ? noneShared : noInformation,
    sections: [...ipsSections.map(({ key, heading, kinds }) => section(key, heading, kinds)), ...extras.map((kind) => section(kind, kindLabel(kind), [kind]))],
  };
}

/** The details after a line's title, as one phrase: "10 Oct 2015 · Final · ref 4–10 mmol/L · High (H)". */
export const lineDetails = (line: SummaryLine): string =>
  [line.date, line.status, line.referenceRange, line.interpretation].filter((part): part is string => part !== null).join(" · ");
