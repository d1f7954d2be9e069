"use client";

import { useMemo } from "react";
import { essentialKinds } from "@/client/emergency-card/emergency-set";
import { kindLabel, kindOf } from "@/client/fhir/kinds";
import type { RecordKind } from "@/client/fhir/types";
import { summarizeRecords } from "@/client/records/record-groups";
import type { OkEntry } from "@/client/records/records";

/**
 * The choice of an emergency set, as the emergency card and emergency contacts both make it:
 * kinds of records (the essentials first, then the kinds the chart holds), every record of
 * which joins now and later, and other records added by name (those of kinds not chosen).
 */
export function EmergencySetFields({
  entries,
  kinds,
  onKinds,
  named,
  onNamed,
  kindsLegend,
}: {
  entries: readonly OkEntry[];
  kinds: RecordKind[];
  onKinds: (kinds: RecordKind[]) => void;
  named: ReadonlySet<string>;
  onNamed: (named: Set<string>) => void;
  kindsLegend: string;
}) {
  const offered = useMemo(() => {
    const present = new Set(entries.map((entry) => kindOf(entry.document.resource)).filter((kind): kind is RecordKind => kind !== null));
    return [...essentialKinds, ...[...present].filter((kind) => !essentialKinds.includes(kind))];
  }, [entries]);
  const others = useMemo(() => summarizeRecords(entries.filter((entry) => !kinds.includes(kindOf(entry.document.resource) ?? "other"))), [entries, kinds]);
  return (
    <>
      <fieldset className="choices">
        <legend>{kindsLegend}</legend>
        {offered.map((kind) => (
          <label key={kind} className="check-row">
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={(event) => onKinds(event.target.checked ? [...kinds, kind] : kinds.filter((other) => other !== kind))}
            />{" "}
            {kindLabel(kind)}
          </label>
        ))}
      </fieldset>
      {others.length > 0 && (
        <fieldset className="choices">
          <legend>Other records to add by name</legend>
          {others.map(({ item, summary }) => (
            <label key={item.id} className="check-row">
              <input
                type="checkbox"
                checked={named.has(item.id)}
                onChange={(event) => {
                  const next = new Set(named);
                  if (event.target.checked) next.add(item.id);
                  else next.delete(item.id);
                  onNamed(next);
                }}
              />{" "}
              {summary?.title ?? "Record"}
            </label>
          ))}
        </fieldset>
      )}
    </>
  );
}
