import { criticalityWords } from "../emergency-card/card-content";
import { kindOf } from "../fhir/kinds";
import { summarize } from "../fhir/summary";
import type { FhirResource, RecordKind } from "../fhir/types";
import type { RecordDocument } from "../records/records";

/** The groups an opened emergency set is read in, in this order: what emergency staff need first comes first. */
export const emergencyGroups = [
  { key: "allergy", heading: "Allergies" },
  { key: "medication", heading: "Medications" },
  { key: "condition", heading: "Problems" },
  { key: "immunization", heading: "Immunizations" },
  { key: "other", heading: "Other records" },
] as const;
export type EmergencyGroupKey = (typeof emergencyGroups)[number]["key"];

/** One record of an opened set as its group lists it: the title, and an allergy's criticality, shown without opening it. */
export interface GroupedRecord<T> {
  record: T;
  title: string;
  /** "high criticality", "low criticality", "criticality not assessed"; null when none is recorded or not an allergy. */
  criticality: string | null;
  /** A "no known …" or negated statement (shown as such, listed after what is recorded). */
  statement: boolean;
}

const criticalityRank = (words: string | null) => (words === "high criticality" ? 0 : words === null || words === "criticality not assessed" ? 1 : 2);

const groupOf = (kind: RecordKind | null): EmergencyGroupKey =>
  kind === "allergy" || kind === "medication" || kind === "condition" || kind === "immunization" ? kind : "other";

/**
 * An opened emergency set in groups: allergies, medications, problems, immunizations, then any
 * other record the patient named; empty groups left out. Within a group, recorded entries come
 * before "no known" statements; allergies of high criticality come first, then those not rated
 * or not assessed, then low. Otherwise the set's order is kept. Does not throw.
 */
export function groupEmergencySet<T extends { document: RecordDocument }>(
  records: readonly T[],
): Array<{ key: EmergencyGroupKey; heading: string; records: GroupedRecord<T>[] }> {
  const grouped = new Map<EmergencyGroupKey, GroupedRecord<T>[]>();
  for (const record of records) {
    const resource = record.document.resource as FhirResource;
    const kind = kindOf(resource);
    const summary = summarize(resource, record.document.context ?? []);
    const key = groupOf(kind);
    const entry: GroupedRecord<T> = {
      record,
      title: summary?.title ?? resource.resourceType,
      criticality: kind === "allergy" ? criticalityWords(resource) : null,
      statement: Boolean(summary?.statement),
    };
    grouped.set(key, [...(grouped.get(key) ?? []), entry]);
  }
  return emergencyGroups.flatMap(({ key, heading }) => {
    const entries = grouped.get(key);
    if (!entries) return [];
    const ordered = entries
      .map((entry, index) => ({ entry, index }))
      .sort(
        (a, b) =>
          Number(a.entry.statement) - Number(b.entry.statement) ||
          (key === "allergy" ? criticalityRank(a.entry.criticality) - criticalityRank(b.entry.criticality) : 0) ||
          a.index - b.index,
      )
      .map(({ entry }) => entry);
    return [{ key, heading, records: ordered }];
  });
}
