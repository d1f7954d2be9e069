import type { ReactNode } from "react";
import type { RecordSummary } from "@/client/fhir";
import type { RecordGroup, RecordRow } from "@/client/records/record-groups";

/** What a list row says beside a record's title: its date, interpretation flags and reference range ("2 Mar 2023 · High (H) · ref 4–10"). */
export const rowFacts = (summary: RecordSummary | null): string =>
  summary ? [summary.dateText, ...summary.flags, ...summary.ranges].filter(Boolean).join(" · ") : "";

/**
 * Records grouped by kind (client/records/record-groups.ts), as the patient's chart and the
 * clinician's view both show them: a heading with the count of what the person has, the
 * rows, then the group's statements ("No known food allergy") under their own label. `idPrefix`
 * keeps heading ids unique when one page shows several charts (one per patient).
 */
export function RecordGroups<T>({
  groups,
  renderRow,
  idPrefix = "group",
  level = 2,
}: {
  groups: ReadonlyArray<RecordGroup<T>>;
  renderRow: (row: RecordRow<T>) => ReactNode;
  idPrefix?: string;
  /** The heading level of each group: 2 in the chart, 3 under a patient's heading. */
  level?: 2 | 3;
}) {
  const Heading = `h${level}` as const;
  return (
    <>
      {groups.map((group) => (
        <section
          key={group.kind}
          // Under a patient's own region (level 3) a group is a group, not a landmark: two patients' "Problems" would be two landmarks of one name.
          role={level === 3 ? "group" : undefined}
          aria-labelledby={`${idPrefix}-${group.kind}`}
          className="record-group"
          data-testid={`group-${group.kind}`}
        >
          <Heading id={`${idPrefix}-${group.kind}`}>
            {group.heading} <span className="count">({group.rows.length.toLocaleString()})</span>
          </Heading>
          {group.rows.length > 0 && <ul className="list">{group.rows.map(renderRow)}</ul>}
          {group.statements.length > 0 && (
            <>
              <p className="hint hsc-statements-label" id={`${idPrefix}-${group.kind}-statements`}>
                Statements (not counted)
              </p>
              <ul className="list hsc-statements" aria-labelledby={`${idPrefix}-${group.kind}-statements`} data-testid={`statements-${group.kind}`}>
                {group.statements.map(renderRow)}
              </ul>
            </>
          )}
        </section>
      ))}
    </>
  );
}

/** The search box over grouped records: a labelled search input. */
export function RecordSearch({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (value: string) => void }) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={value} onChange={(event) => onChange(event.target.value)} placeholder="Name, code, value or text" />
    </>
  );
}
