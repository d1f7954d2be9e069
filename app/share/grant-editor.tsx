"use client";

import { useEffect, useRef, useState } from "react";
import { ApiError } from "@/client/transport/api";
import { KeyChangedError } from "@/client/sharing/contacts";
import { summarize } from "@/client/fhir";
import type { ChartEntry } from "@/client/records/records";
import { isRollback } from "@/client/keystore/rollback-guard";
import { isIntegrityError } from "@/client/integrity";
import { useGrants } from "@/client/sharing/grants-store";
import type { GrantChangeResult, GrantSummary } from "@/client/sharing/sharing";
import { endOfDay, formatDay, localDayKey, today as todayWhereThePersonIs } from "@/client/format";
import { recordCount } from "./access-wording";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

const permissionWords = { read: "read only", contribute: "read and add notes" } as const;

/** What saving would change, worked out in the form so the patient sees it before saving. */
export interface PlannedChange {
  added: string[];
  removed: string[];
  all: boolean;
  scopeChanged: boolean;
  permission: "read" | "contribute";
  permissionChanged: boolean;
  expiresAt: Date | null;
  endDateChanged: boolean;
}

/**
 * The in-place form that changes one grant: records, permission and end date, prefilled
 * with the grant's current terms. It shows what will change before anything is saved, and
 * takes focus when it opens (the caller returns focus to its Edit button on close).
 */
export function GrantEditor({
  grant,
  sharedIds,
  entries,
  titleOf,
  onSaved,
  onCancel,
  onKeyChanged,
}: {
  grant: GrantSummary;
  sharedIds: string[];
  entries: OkEntry[];
  titleOf: (recordId: string) => string;
  onSaved: (result: GrantChangeResult, plan: PlannedChange) => Promise<void>;
  onCancel: () => void;
  onKeyChanged: (error: KeyChangedError) => void;
}) {
  const initialUntil = grant.expiresAt ? localDayKey(grant.expiresAt) : "";
  const [all, setAll] = useState(grant.scope === "all");
  const [selected, setSelected] = useState<Set<string>>(new Set(sharedIds));
  const [permission, setPermission] = useState(grant.permission);
  const [until, setUntil] = useState(initialUntil);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  const today = todayWhereThePersonIs();
  const idPrefix = `edit-${grant.id}`;

  useEffect(() => heading.current?.focus(), []);

  const before = new Set(sharedIds);
  const chosen = all ? (grant.scope === "all" ? sharedIds : entries.map((entry) => entry.id)) : [...selected];
  const plan: PlannedChange = {
    added: chosen.filter((id) => !before.has(id)),
    removed: sharedIds.filter((id) => !chosen.includes(id)),
    all,
    scopeChanged: all !== (grant.scope === "all"),
    permission,
    permissionChanged: permission !== grant.permission,
    // An untouched date keeps the grant's exact end moment.
    expiresAt: until === initialUntil ? (grant.expiresAt ? new Date(grant.expiresAt) : null) : until ? endOfDay(until) : null,
    endDateChanged: until !== initialUntil,
  };
  const changes = [
    ...(plan.scopeChanged ? [all ? "Share all your records, including future ones" : "Share only the records chosen below, not future ones"] : []),
    ...(plan.added.length ? [`Add ${recordCount(plan.added.length)}: ${plan.added.map(titleOf).join(", ")}`] : []),
    ...(plan.removed.length ? [`Stop sharing ${recordCount(plan.removed.length)}: ${plan.removed.map(titleOf).join(", ")}`] : []),
    ...(plan.permissionChanged ? [`Permission: ${permissionWords[grant.permission]} becomes ${permissionWords[permission]}`] : []),
    ...(plan.endDateChanged
      ? [`End date: ${grant.expiresAt ? formatDay(grant.expiresAt) : "none"} becomes ${plan.expiresAt ? formatDay(plan.expiresAt) : "no end date"}`]
      : []),
  ];

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  async function save() {
    setError(undefined);
    if (until && until !== initialUntil && until <= today) return setError("The end date must be after today.");
    if (!all && selected.size === 0) return setError("Choose at least one record, or revoke the share instead.");
    setBusy(true);
    try {
      const result = await useGrants.getState().change(grant, { recordIds: all ? "all" : [...selected], permission, expiresAt: plan.expiresAt });
      await onSaved(result, plan);
    } catch (caught) {
      if (caught instanceof KeyChangedError) {
        setError(
          `The keys of ${grant.clinicianName} have changed, so no records can be added to this share until you check them (see above). Nothing was changed.`,
        );
        onKeyChanged(caught);
      } else if (caught instanceof ApiError || isRollback(caught)) {
        setError(`${caught.message} Nothing was changed.`);
      } else if (isIntegrityError(caught)) {
        setError("Nothing was changed: your records could not be verified. Please try again.");
      } else {
        throw caught;
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="grant-editor" aria-labelledby={`${idPrefix}-title`} data-testid="grant-editor">
      <h3 id={`${idPrefix}-title`} ref={heading} tabIndex={-1}>
        Change what {grant.clinicianName} can see
      </h3>
      <fieldset>
        <legend>Records</legend>
        <label className="check-row">
          <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All my records, including future ones
        </label>
        {!all &&
          entries.map((entry) => (
            <label key={entry.id} className="check-row">
              <input type="checkbox" checked={selected.has(entry.id)} onChange={(event) => toggle(entry.id, event.target.checked)} />{" "}
              {summarize(entry.document.resource, entry.document.context)?.title ?? "Record"}
            </label>
          ))}
      </fieldset>
      <label htmlFor={`${idPrefix}-permission`}>Permission</label>
      <select id={`${idPrefix}-permission`} value={permission} onChange={(event) => setPermission(event.target.value as "read" | "contribute")}>
        <option value="read">Read only</option>
        <option value="contribute">Read and add notes</option>
      </select>
      <label htmlFor={`${idPrefix}-until`}>Until (leave empty for no end date)</label>
      <div className="actions">
        <input id={`${idPrefix}-until`} type="date" min={today} value={until} onChange={(event) => setUntil(event.target.value)} />
        {until && (
          <button type="button" className="button button-small button-secondary" onClick={() => setUntil("")}>
            No end date
          </button>
        )}
      </div>
      <div aria-live="polite" data-testid="grant-change-summary">
        {changes.length === 0 ? (
          <p className="hint">Nothing changes yet.</p>
        ) : (
          <>
            <p>Saving will:</p>
            <ul>
              {changes.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {plan.removed.length > 0 && <p className="hint">What {grant.clinicianName} already opened cannot be recalled.</p>}
          </>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="button button-small" onClick={save} disabled={busy || changes.length === 0}>
          {busy ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </section>
  );
}
