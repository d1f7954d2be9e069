"use client";

import { Field } from "@/app/_components/field";

export type SharePermission = "read" | "contribute";

/**
 * The terms of a share, the same for a clinician and a care team: the permission (read-only by
 * default) and an optional last day (a date input, at the earliest `today` where the person is).
 * `idPrefix` keeps the two forms' ids apart.
 */
export function ShareTermsFields({
  idPrefix,
  permission,
  onPermission,
  until,
  onUntil,
  today,
}: {
  idPrefix: string;
  permission: SharePermission;
  onPermission: (permission: SharePermission) => void;
  until: string;
  onUntil: (until: string) => void;
  today: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-permission`}>Permission</label>
        <select id={`${idPrefix}-permission`} value={permission} onChange={(event) => onPermission(event.target.value as SharePermission)}>
          <option value="read">Read only</option>
          <option value="contribute">Read and add notes</option>
        </select>
      </div>
      <Field id={`${idPrefix}-until`} label="Until (optional)" type="date" min={today} value={until} onChange={(event) => onUntil(event.target.value)} />
    </>
  );
}
