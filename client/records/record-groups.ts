/**
 * Records grouped as a clinician reads a chart: one group per kind in `recordKinds` order,
 * newest first with the undated last, negated and "no known" statements kept apart from (and
 * not counted with) what the person has; and the search both the patient's chart and the
 * clinician's view use. Shared so the two views can never group or find differently.
 */
import { recordKinds, summarize, type RecordKind, type RecordSummary } from "../fhir";
import { countOf } from "../format";
import type { RecordDocument } from "./records";

/** One record with its summary (null for a resource that is no record). */
export interface RecordRow<T> {
  item: T;
  summary: RecordSummary | null;
}

export interface RecordGroup<T> {
  kind: RecordKind;
  /** The group's heading ("Allergies"). */
  heading: string;
  /** What the person has, had or was given: these are counted. */
  rows: Array<RecordRow<T>>;
  /** Negated and "no known" statements ("No known food allergy"): shown, never counted. */
  statements: Array<RecordRow<T>>;
}

/** Summarizes each record with its own context resources (RecordDocument.context). */
export function summarizeRecords<T extends { document: RecordDocument }>(items: readonly T[]): Array<RecordRow<T>> {
  return items.map((item) => ({ item, summary: summarize(item.document.resource, item.document.context ?? []) }));
}

const folded = (text: string): string => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * Whether a record matches a search: every word of the query is somewhere in its search
 * text (names, codes "system|code", values, people), ignoring case and accents. An empty
 * query matches everything.
 */
export function matchesSearch(summary: RecordSummary | null, query: string): boolean {
  const words = folded(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = folded(summary?.text ?? "");
  return words.every((word) => text.includes(word));
}

/** Newest first by the start of each date ("2015" sorts as its first day), undated last, then by title. */
export function byDateNewestFirst<T>(a: RecordRow<T>, b: RecordRow<T>): number {
  const left = a.summary?.sortKey ?? null;
  const right = b.summary?.sortKey ?? null;
  if (left !== right) {
    if (left === null) return 1;
    if (right === null) return -1;
    return right.localeCompare(left);
  }
  return (a.summary?.title ?? "").localeCompare(b.summary?.title ?? "");
}

/**
 * The records matching `query`, grouped by kind in `recordKinds` order, each group sorted by
 * date (newest first, undated last). Empty groups are left out.
 */
export function groupRecords<T>(rows: ReadonlyArray<RecordRow<T>>, query = ""): Array<RecordGroup<T>> {
  const found = rows.filter((row) => matchesSearch(row.summary, query)).sort(byDateNewestFirst);
  return recordKinds.flatMap(({ kind, plural }) => {
    const inKind = found.filter((row) => row.summary?.kind === kind);
    if (inKind.length === 0) return [];
    return [{ kind, heading: plural, rows: inKind.filter((row) => !row.summary?.statement), statements: inKind.filter((row) => row.summary?.statement) }];
  });
}

/** The rows of the groups in the order they are shown (counted rows, then statements, group by group). */
export const shownOrder = <T>(groups: ReadonlyArray<RecordGroup<T>>): Array<RecordRow<T>> => groups.flatMap((group) => [...group.rows, ...group.statements]);

/**
 * A group's count as every choice of records words it: "2", or "2 and 1 statement" when the
 * group holds statements ("No known food allergy"), which are named apart and never counted with
 * what the person has (the chart's own rule, `RecordGroup.statements`).
 */
export function groupCountWords(group: Pick<RecordGroup<unknown>, "rows" | "statements">, locale?: string): string {
  const counted = new Intl.NumberFormat(locale).format(group.rows.length);
  return group.statements.length > 0 ? `${counted} and ${countOf(group.statements.length, "statement", undefined, locale)}` : counted;
}
