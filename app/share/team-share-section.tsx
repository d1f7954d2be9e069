"use client";

import { useState } from "react";
import { describeFailure, failureKind } from "@/client/failures";
import type { ChartEntry } from "@/client/records/records";
import { summarizeRecords } from "@/client/records/record-groups";
import { useGrants } from "@/client/sharing/grants-store";
import { searchTeams, TeamKeyReplacingError, type TeamEntry } from "@/client/teams/team-sharing";
import { httpTransport } from "@/client/transport/api";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

/**
 * Sharing with a care team of an organization: one share, sealed to the team's certified key;
 * every current member opens the records, and the History names whoever did.
 */
export function TeamShareSection({ entries, onShared }: { entries: OkEntry[]; onShared: (message: string) => Promise<void> }) {
  const [query, setQuery] = useState("");
  const [teams, setTeams] = useState<TeamEntry[] | null>(null);
  const [chosen, setChosen] = useState<TeamEntry | null>(null);
  const [all, setAll] = useState(true);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const rows = summarizeRecords(entries);

  const failure = (caught: unknown, what: string) =>
    describeFailure(caught, {
      accessEnded: `${what}: the team could not be found.`,
      integrity: `${what}: the team's key could not be verified, so nothing was shared.`,
    });

  return (
    <section className="card" aria-labelledby="team-share-title">
      <h2 id="team-share-title">Share with a care team</h2>
      <p className="hint">
        A care team of a clinic or hospital: everyone who is a member when they open your records can read them, and your History names each of them. When a
        member leaves, they are cut off at once and your records move to new keys.
      </p>
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setProblem(undefined);
          setChosen(null);
          void searchTeams(query.trim(), httpTransport).then(setTeams, (caught: unknown) => setProblem(failure(caught, "Teams could not be searched")));
        }}
      >
        <label htmlFor="team-search">Team or organization name</label>
        <input id="team-search" value={query} onChange={(event) => setQuery(event.target.value)} minLength={3} autoComplete="off" />
        <button type="submit" className="button button-small">
          Find teams
        </button>
      </form>
      {teams?.length === 0 && <p>No care team matches “{query}”.</p>}
      <ul className="list">
        {teams?.map((team) => (
          <li key={team.teamId} className="list-row" data-testid="team-entry">
            <div>
              <strong>{team.name}</strong>
              <p className="hint">{team.organizationName}</p>
            </div>
            <button type="button" className="button button-small" aria-label={`Choose the team ${team.name}`} onClick={() => setChosen(team)}>
              Choose
            </button>
          </li>
        ))}
      </ul>
      {chosen && (
        <form
          aria-labelledby="team-share-form-title"
          onSubmit={(event) => {
            event.preventDefault();
            setBusy(true);
            setProblem(undefined);
            // Through the grants store: the list below is read afresh, so the new share shows at once.
            void useGrants
              .getState()
              .shareWithTeam({ team: chosen, recordIds: all ? "all" : [...picked], permission: "read", expiresAt: null, revealedName: name.trim() })
              .then(() => {
                setChosen(null);
                return onShared(`Shared with ${chosen.name} (${chosen.organizationName}).`);
              })
              .catch((caught: unknown) => {
                if (caught instanceof TeamKeyReplacingError) setProblem(caught.message);
                else if (failureKind(caught) !== null) setProblem(failure(caught, "Not shared"));
                else throw caught;
              })
              .finally(() => setBusy(false));
          }}
        >
          <h3 id="team-share-form-title">
            Share with {chosen.name} · {chosen.organizationName}
          </h3>
          <label>
            <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All my records, including future ones
          </label>
          {!all && (
            <fieldset>
              <legend>Records to share</legend>
              {rows.map((row) => (
                <label key={row.item.id}>
                  <input
                    type="checkbox"
                    checked={picked.has(row.item.id)}
                    onChange={(event) => {
                      const next = new Set(picked);
                      if (event.target.checked) next.add(row.item.id);
                      else next.delete(row.item.id);
                      setPicked(next);
                    }}
                  />{" "}
                  {row.summary?.title ?? "Record"}
                </label>
              ))}
            </fieldset>
          )}
          <div className="field">
            <label htmlFor="team-share-name">Your name, as the team will see it</label>
            <input id="team-share-name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={120} autoComplete="name" />
          </div>
          <button type="submit" className="button" disabled={busy || (!all && picked.size === 0)}>
            Share with {chosen.name}
          </button>
        </form>
      )}
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}
