"use client";

import { useCallback, useEffect, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { ApiError } from "@/lib/client/api";
import { summarize } from "@/lib/client/fhir-records";
import { loadChart, type ChartEntry } from "@/lib/client/records";
import { certifiedKeys, listGrants, revokeGrant, searchClinicians, shareRecords, type ClinicianEntry, type GrantSummary } from "@/lib/client/sharing";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

function Share() {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<ClinicianEntry[]>([]);
  const [chosen, setChosen] = useState<(ClinicianEntry & { safetyCode: string }) | null>(null);
  const [entries, setEntries] = useState<OkEntry[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const [permission, setPermission] = useState<"read" | "contribute">("read");
  const [until, setUntil] = useState("");
  const [grants, setGrants] = useState<GrantSummary[]>([]);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    setGrants(await listGrants());
    setEntries((await loadChart()).filter((entry): entry is OkEntry => entry.status === "ok"));
  }, []);
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
  }, [refresh]);

  async function choose(clinician: ClinicianEntry) {
    setError(undefined);
    try {
      const keys = await certifiedKeys(clinician.userId);
      setChosen({ ...clinician, safetyCode: keys.safetyCode.digits });
      setPermission("read");
    } catch {
      setError("This clinician's keys could not be verified, so nothing can be shared with them.");
    }
  }

  async function share() {
    if (!chosen) return;
    setError(undefined);
    try {
      await shareRecords({
        clinicianId: chosen.userId,
        recordIds: all ? "all" : [...selected],
        permission,
        expiresAt: until ? new Date(`${until}T23:59:59`) : null,
      });
      setMessage(`Shared with ${chosen.displayName}.`);
      setChosen(null);
      setSelected(new Set());
      await refresh();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "Nothing was shared. Please try again.");
    }
  }

  return (
    <>
      <section className="card" aria-labelledby="find-title">
        <h2 id="find-title">Find a clinician</h2>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setResults(await searchClinicians(query));
          }}
        >
          <label htmlFor="clinician-search">Name, specialty or organization</label>
          <input id="clinician-search" value={query} onChange={(event) => setQuery(event.target.value)} />
          <button type="submit" className="button button-small">
            Search
          </button>
        </form>
        <ul className="list">
          {results.map((clinician) => (
            <li key={clinician.userId} className="list-row">
              <div>
                <strong>{clinician.displayName}</strong>
                <p className="hint">
                  {clinician.role === "doctor" ? "Doctor" : "Nurse"} · {clinician.specialty} · {clinician.organization}
                  {clinician.verified ? " · verified" : ""}
                </p>
              </div>
              <button type="button" className="button button-small" onClick={() => choose(clinician)} aria-label={`Choose ${clinician.displayName}`}>
                Choose
              </button>
            </li>
          ))}
        </ul>
      </section>
      {chosen && (
        <section className="card" aria-labelledby="share-title" data-testid="share-form">
          <h2 id="share-title">Share with {chosen.displayName}</h2>
          <p>Before sharing, compare this safety code with the one {chosen.displayName} sees in their app:</p>
          <p className="safety-code" data-testid="clinician-safety-code">
            {chosen.safetyCode}
          </p>
          <fieldset>
            <legend>Records</legend>
            <label>
              <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All my records, including future ones
            </label>
            {!all &&
              entries.map((entry) => (
                <label key={entry.id} className="check-row">
                  <input
                    type="checkbox"
                    checked={selected.has(entry.id)}
                    onChange={(event) => {
                      const next = new Set(selected);
                      if (event.target.checked) next.add(entry.id);
                      else next.delete(entry.id);
                      setSelected(next);
                    }}
                  />{" "}
                  {summarize(entry.document.resource)?.title}
                </label>
              ))}
          </fieldset>
          <label htmlFor="share-permission">Permission</label>
          <select id="share-permission" value={permission} onChange={(event) => setPermission(event.target.value as "read" | "contribute")}>
            <option value="read">Read only</option>
            <option value="contribute">Read and add notes</option>
          </select>
          <label htmlFor="share-until">Until (optional)</label>
          <input id="share-until" type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
          <button type="button" className="button" onClick={share} disabled={!all && selected.size === 0}>
            Share
          </button>
        </section>
      )}
      <p role="status" aria-live="polite">
        {message}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <section className="card" aria-labelledby="grants-title">
        <h2 id="grants-title">Who can see what</h2>
        <p className="hint">Revoking cuts access at once. What a clinician already opened cannot be recalled.</p>
        <ul className="list">
          {grants.map((grant) => (
            <li key={grant.id} className="list-row" data-testid="grant-row">
              <div>
                <strong>{grant.clinicianName}</strong>
                <p className="hint">
                  {grant.scope === "all" ? "All records" : grant.recordIds.length === 1 ? "1 record" : `${grant.recordIds.length} records`} · {grant.permission === "read" ? "read only" : "read and add notes"}
                  {grant.expiresAt ? ` · until ${grant.expiresAt.slice(0, 10)}` : ""} · {grant.revokedAt ? "revoked" : "active"}
                </p>
              </div>
              {!grant.revokedAt && (
                <button
                  type="button"
                  className="button button-small button-secondary"
                  aria-label={`Revoke ${grant.clinicianName}`}
                  onClick={async () => {
                    if (!window.confirm(`Stop sharing with ${grant.clinicianName}? What they already opened cannot be recalled.`)) return;
                    await revokeGrant(grant.id);
                    await refresh();
                  }}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export function ShareView() {
  return (
    <VaultGate>
      <Share />
    </VaultGate>
  );
}

