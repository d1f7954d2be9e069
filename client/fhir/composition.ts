/**
 * A received summary (FHIR R4 Composition, e.g. an IPS document) read as its table of
 * contents: each section's title, the records it lists (named by the chart's records whose
 * imported fullUrl, or "Type/id", is the entry's reference), why it is empty, and its
 * narrative as plain text.
 */
import { conceptText, resourceTypeWords } from "./names";
import { narrativeText } from "./narrative";
import { summarize } from "./summary";
import { isObject, type FhirResource } from "./types";

export interface SectionView {
  title: string;
  /** The records the section lists, by their titles; "A … not in this chart" for one that is not. */
  entries: string[];
  /** Section.emptyReason in words ("No information available"), or null. */
  emptyReason: string | null;
  /** Section.text's narrative as plain text (never HTML), or null. */
  text: string | null;
  sections: SectionView[];
}

/** FHIR R4 list-empty-reason codes (http://terminology.hl7.org/CodeSystem/list-empty-reason) in words. */
const emptyReasons: Record<string, string> = {
  nilknown: "Nil known",
  notasked: "Not asked",
  withheld: "Information withheld",
  unavailable: "No information available",
  notstarted: "Not started",
  closed: "Closed",
};

function emptyReasonText(value: unknown): string | null {
  if (!isObject(value)) return null;
  if (typeof value.text === "string" && value.text.trim()) return value.text;
  const coding: unknown = Array.isArray(value.coding) ? value.coding.find(isObject) : undefined;
  const known = isObject(coding) && typeof coding.code === "string" ? emptyReasons[coding.code] : undefined;
  if (known) return known;
  return conceptText(value) ?? null;
}

/** Whether a reference points to a stored record: by the fullUrl it was imported with, or by "Type/id" (absolute or relative). */
export const referencesRecord = (reference: string, document: { resource: { resourceType: string; id?: unknown }; fullUrl?: string }): boolean =>
  document.fullUrl === reference ||
  (typeof document.resource.id === "string" &&
    (reference === `${document.resource.resourceType}/${document.resource.id}` ||
      reference.endsWith(`/${document.resource.resourceType}/${document.resource.id}`)));

/**
 * The sections of a Composition, nested as they are, each entry named by the chart record it
 * points to (`records`: the chart's or the shared records' documents).
 */
export function compositionSections(
  composition: FhirResource,
  records: ReadonlyArray<{ document: { resource: FhirResource; fullUrl?: string; context?: Parameters<typeof summarize>[1] } }>,
): SectionView[] {
  const read = (sections: unknown): SectionView[] =>
    (Array.isArray(sections) ? sections : []).filter(isObject).map((section) => {
      const entries = (Array.isArray(section.entry) ? section.entry : []).filter(isObject).map((entry) => {
        const reference = typeof entry.reference === "string" ? entry.reference : "";
        const record = reference ? records.find((candidate) => referencesRecord(reference, candidate.document)) : undefined;
        const title = record ? summarize(record.document.resource, record.document.context ?? [])?.title : undefined;
        if (title) return title;
        if (typeof entry.display === "string" && entry.display.trim()) return `${entry.display} (not in this chart)`;
        const type = /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+$/.exec(reference)?.[1];
        return `A ${type ? resourceTypeWords(type).toLowerCase() : "record"} not in this chart`;
      });
      const div = isObject(section.text) && typeof section.text.div === "string" ? narrativeText(section.text.div) : "";
      return {
        title: (typeof section.title === "string" && section.title.trim() ? section.title : conceptText(section.code)) ?? "Section",
        entries,
        emptyReason: emptyReasonText(section.emptyReason),
        text: div || null,
        sections: read(section.section),
      };
    });
  return read(composition.section);
}
