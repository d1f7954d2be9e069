"use client";

import { useEffect, useRef, useState } from "react";
import { ApiError } from "@/client/transport/api";
import type { KeyChangedError } from "@/client/sharing/contacts";
import { summarize } from "@/client/fhir";
import { countOf, formatDateTime, formatDay } from "@/client/format";
import type { ChartEntry } from "@/client/records/records";
import { useGrants } from "@/client/sharing/grants-store";
import type { GrantSummary } from "@/client/sharing/sharing";
import { recordRemovedMessage, remainingAccess, shareChangedMessage, shareEndedMessage, type ShareAccess } from "./access-wording";
import { GrantEditor } from "./grant-editor";
import { TeamKeyComparison, useRenewalsToCompare } from "./team-key-comparison";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

const day = (iso: string) => formatDay(iso);
const moment = (iso: string) => formatDateTime(iso);

function statusOf(grant: GrantSummary): "active" | "expired" | "revoked" {
  if (grant.revokedAt) return grant.expiresAt && new Date(grant.expiresAt) <= new Date(grant.revokedAt) ? "expired" : "revoked";
  if (grant.expiresAt && new Date(grant.expiresAt) <= new Date()) return "expired";
  return "active";
}

/**
 * Who can see what: per clinician the records, permission, end date and last access, with
 * revoke per clinician or per record, and an in-place form to change a share. Every message
 * says what ended or changed and what the clinician can still open.
 */
export function GrantsDashboard({
  grants,
  entries,
  onChanged,
  onKeyChanged,
}: {
  grants: GrantSummary[];
  entries: OkEntry[];
  onChanged: (message: string) => Promise<void>;
  onKeyChanged: (error: KeyChangedError) => void;
}) {
  const [expanded, setExpanded] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  // Where focus goes back to once the form closes: the Edit button that opened it.
  const [returnFocus, setReturnFocus] = useState<string | null>(null);
  useEffect(() => {
    if (!returnFocus || editing) return;
    editButtons.current.get(returnFocus)?.focus();
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setReturnFocus(null);
  }, [returnFocus, editing]);
  const closeEditor = (grantId: string) => {
    setEditing(null);
    setReturnFocus(grantId);
  };
  // A revoke that could not be sent is said so plainly: the clinician still has access.
  const revoking = async (revoke: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await revoke();
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught.message);
      return;
    }
    await onChanged(done);
  };
  const titleOf = (recordId: string) => {
    const entry = entries.find((candidate) => candidate.id === recordId);
    return entry ? (summarize(entry.document.resource, entry.document.context)?.title ?? "Record") : "A record no longer in your chart";
  };
  const sharedIds = (grant: GrantSummary) =>
    grant.scope === "all" ? entries.map((entry) => entry.id).filter((id) => !grant.excludedRecordIds.includes(id)) : grant.recordIds;

  const active = grants.filter((grant) => statusOf(grant) === "active");
  const ended = grants.filter((grant) => statusOf(grant) !== "active");
  const access = (grant: GrantSummary): ShareAccess => ({ id: grant.id, clinicianId: grant.clinicianId, recordIds: sharedIds(grant) });
  const activeAccess = active.map(access);
  const renewals = useRenewalsToCompare(active.filter((grant) => grant.awaitingRenewal).map((grant) => grant.id));

  return (
    <section className="card" aria-labelledby="grants-title">
      <h2 id="grants-title">Who can see what</h2>
      <p className="hint">
        Revoking cuts access at once, and your browser then moves the records to new keys. What a clinician already opened or downloaded cannot be recalled.
      </p>
      {active.length === 0 && <p>You are not sharing anything right now.</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {renewals.problem && (
        <p className="form-error" role="alert">
          {renewals.problem}
        </p>
      )}
      <ul className="list">
        {active.map((grant) => {
          const ids = sharedIds(grant);
          // Two shares with one clinician need controls a screen reader can tell apart.
          const sameClinician = active.filter((other) => other.clinicianId === grant.clinicianId);
          const which =
            sameClinician.length > 1 ? ` (share ${sameClinician.indexOf(grant) + 1} of ${sameClinician.length}: ${countOf(ids.length, "record")})` : "";
          return (
            <li key={grant.id} className="list-row grant-row" data-testid="grant-row">
              <div>
                <strong>{grant.clinicianName}</strong>
                {grant.clinicianDisabled && (
                  <p className="form-error" data-testid="clinician-disabled">
                    This clinician&apos;s account is disabled by an administrator: they cannot open anything you share until it is enabled again.
                  </p>
                )}
                <p className="hint">
                  {grant.scope === "all" ? "All records, including future ones" : countOf(ids.length, "record")} ·{" "}
                  {grant.permission === "read" ? "read only" : "read and add notes"} · {grant.expiresAt ? `until ${day(grant.expiresAt)}` : "no end date"} ·
                  active
                </p>
                <p className="hint" data-testid="last-opened">
                  {grant.lastOpenedAt ? `Last opened ${moment(grant.lastOpenedAt)}` : "Not opened yet"}
                </p>
                {(grant.renewedAt || grant.awaitingRenewal) && !renewals.toCompare.has(grant.id) && (
                  <p className="hint" data-testid="share-renewal">
                    {grant.awaitingRenewal
                      ? "A member left this team: your browser will give the share a new key the moment the team has its new key."
                      : `Renewed ${day(grant.renewedAt!)} with a new key after a member left the team.`}
                  </p>
                )}
                {renewals.toCompare.has(grant.id) && <TeamKeyComparison item={renewals.toCompare.get(grant.id)!} onConfirmed={renewals.reload} />}
                {editing === grant.id && (
                  <GrantEditor
                    grant={grant}
                    sharedIds={ids}
                    entries={entries}
                    titleOf={titleOf}
                    onKeyChanged={onKeyChanged}
                    onCancel={() => closeEditor(grant.id)}
                    onSaved={async (result, plan) => {
                      const after =
                        plan.all && grant.scope === "all"
                          ? ids
                          : plan.all
                            ? entries.map((entry) => entry.id)
                            : ids.filter((id) => !result.removed.includes(id)).concat(result.added);
                      const message = shareChangedMessage(
                        grant.clinicianName,
                        {
                          added: result.added.length,
                          removed: result.removed.length,
                          ...(result.permissionChanged ? { permission: plan.permission } : {}),
                          ...(result.endDateChanged ? { endsOn: plan.expiresAt ? formatDay(plan.expiresAt) : null } : {}),
                        },
                        { ...access(grant), recordIds: after },
                        activeAccess,
                      );
                      closeEditor(grant.id);
                      await onChanged(message);
                    }}
                  />
                )}
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={expanded === grant.id}
                  onClick={() => setExpanded(expanded === grant.id ? null : grant.id)}
                >
                  {expanded === grant.id ? "Hide records" : "Show records"}
                </button>
                {expanded === grant.id && (
                  <ul className="list">
                    {ids.map((recordId) => (
                      <li key={recordId} className="list-row">
                        <span>{titleOf(recordId)}</span>
                        <button
                          type="button"
                          className="button button-small button-secondary"
                          aria-label={`Stop sharing ${titleOf(recordId)} with ${grant.clinicianName}`}
                          onClick={async () => {
                            if (
                              !window.confirm(`Stop sharing "${titleOf(recordId)}" with ${grant.clinicianName}? What they already opened cannot be recalled.`)
                            )
                              return;
                            await revoking(
                              () => useGrants.getState().revokeRecord(grant.id, recordId),
                              recordRemovedMessage(grant.clinicianName, titleOf(recordId), recordId, access(grant), activeAccess),
                            );
                          }}
                        >
                          Stop sharing
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              <div className="actions">
                {/* A share with a care team that lost a member is renewed first (a new share key): it is changed after that. */}
                {!grant.awaitingRenewal && (
                  <button
                    type="button"
                    className="button button-small button-secondary"
                    ref={(element) => {
                      if (element) editButtons.current.set(grant.id, element);
                      else editButtons.current.delete(grant.id);
                    }}
                    aria-label={`Edit the share with ${grant.clinicianName}${which}`}
                    aria-expanded={editing === grant.id}
                    onClick={() => (editing === grant.id ? closeEditor(grant.id) : setEditing(grant.id))}
                  >
                    Edit
                  </button>
                )}
                <button
                  type="button"
                  className="button button-small button-secondary"
                  aria-label={`Revoke ${grant.clinicianName}${which}`}
                  onClick={async () => {
                    if (!window.confirm(`Stop sharing with ${grant.clinicianName}? What they already opened cannot be recalled.`)) return;
                    await revoking(() => useGrants.getState().revoke(grant.id), shareEndedMessage(grant.clinicianName, access(grant), activeAccess));
                  }}
                >
                  Revoke
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {ended.length > 0 && (
        <details>
          <summary>Ended shares ({ended.length})</summary>
          <ul className="list">
            {ended.map((grant) => (
              <li key={grant.id} className="list-row" data-testid="ended-grant-row">
                <span>
                  {grant.clinicianName} · {statusOf(grant)} {grant.revokedAt ? day(grant.revokedAt) : grant.expiresAt ? day(grant.expiresAt) : ""}
                  {grant.lastOpenedAt ? ` · last opened ${moment(grant.lastOpenedAt)}` : ""}
                  <br />
                  <span className="hint" data-testid="remaining-access">
                    {remainingAccess(grant.clinicianName, access(grant), activeAccess)}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
