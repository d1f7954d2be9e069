"use client";

import { useEffect, useState } from "react";
import { buildAdminAuditBundle, readAdminTrail, type AdminTrailCheck } from "@/client/admin/admin-trail";
import { formatDateTime } from "@/client/format";
import { downloadText } from "@/client/records/download";
import { describeFailure } from "@/client/failures";

const loadWords = { accessEnded: "Please sign in again.", integrity: "The administration trail could not be read. Reload the page to try again." };

const actionWords = {
  "account-disabled": "disabled",
  "account-enabled": "enabled again",
  "directory-entry-verified": "verified the directory entry of",
  "directory-verification-withdrawn": "withdrew the verification of",
  "administrator-enrolled": "enrolled as an administrator",
  "organization-created": "created the organization",
} as const;

/** The administration trail, read whole and checked in this browser (hash chain), newest first, with its FHIR export. */
export function TrailSection({ version }: { version: number }) {
  const [trail, setTrail] = useState<AdminTrailCheck | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    readAdminTrail()
      .then((result) => live && (setTrail(result), setError(undefined)))
      .catch((caught: unknown) => live && setError(describeFailure(caught, loadWords)));
    return () => {
      live = false;
    };
  }, [version]);
  return (
    <section aria-labelledby="admin-trail-title">
      <h2 id="admin-trail-title">Administration trail</h2>
      <p className="hint">Every administrative action, in a hash chain this browser checks from its first link.</p>
      {error && <p role="alert">{error}</p>}
      {!error && trail === null && <p role="status">Checking the trail…</p>}
      {trail?.status === "tampered" && (
        <p role="alert" className="integrity-warning" data-testid="admin-trail-tampered">
          The administration trail does not check out from event {trail.brokenAtSeq} on: it was changed after it was written.
        </p>
      )}
      {trail?.status === "verified" && (
        <>
          <p data-testid="admin-trail-verified">
            {trail.events.length === 0
              ? "No administrative action yet."
              : trail.events.length === 1
                ? "The one event checks out."
                : `All ${trail.events.length} events check out.`}
          </p>
          {trail.events.length > 0 && (
            <button
              type="button"
              className="button button-small button-secondary"
              onClick={() =>
                // A few MiB of text at most: far below what a browser drops (client/records/download.ts).
                void downloadText(
                  `administration-trail-${new Date().toISOString().slice(0, 10)}.json`,
                  JSON.stringify(buildAdminAuditBundle(trail.events, new Date()), null, 2),
                )
              }
            >
              Export as FHIR AuditEvents
            </button>
          )}
          <ol className="list" reversed>
            {[...trail.events].reverse().map((event) => (
              <li key={event.seq} className="list-row" data-testid="admin-trail-event">
                <div>
                  <strong>
                    {event.actorName} {actionWords[event.action]}
                    {event.subjectId === event.actorId ? "" : ` ${event.subjectName}`}
                  </strong>
                  <p className="hint">
                    {formatDateTime(event.occurredAt)} · account {event.subjectId}
                  </p>
                </div>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
