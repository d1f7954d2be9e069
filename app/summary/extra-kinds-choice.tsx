"use client";

import { kindLabel } from "@/client/fhir";
import type { RecordKind } from "@/client/fhir/types";

/** Checkboxes for the record kinds to add to a summary beyond its IPS sections, each with its count. */
export function ExtraKindsChoice({
  available,
  chosen,
  onChange,
}: {
  available: Array<{ kind: RecordKind; count: number }>;
  chosen: readonly RecordKind[];
  onChange: (next: RecordKind[]) => void;
}) {
  if (available.length === 0) return null;
  return (
    <fieldset className="choices summary-extras">
      <legend>Also include</legend>
      {available.map(({ kind, count }) => (
        <label key={kind} className="check-row">
          <input
            type="checkbox"
            checked={chosen.includes(kind)}
            onChange={(event) => onChange(event.target.checked ? [...chosen, kind] : chosen.filter((other) => other !== kind))}
          />{" "}
          {kindLabel(kind)} ({count})
        </label>
      ))}
    </fieldset>
  );
}
