"use client";

import { useEffect, useRef, useState } from "react";
import { ShareTermsFields } from "./share-terms-fields";
import { describeFailure, failureKind } from "@/client/failures";
import { endOfDay, formatDay, today as todayWhereThePersonIs } from "@/client/format";
import { isIntegrityError } from "@/client/integrity";
import type { TrustedAdmins } from "@/client/sharing/directory-verification";
import { checkTeamChain, teamKeySignerName, teamVerifiedWords, type CheckedTeam } from "@/client/teams/team-chain";
import type { ChartEntry } from "@/client/records/records";
import { summarizeRecords } from "@/client/records/record-groups";
import { useGrants } from "@/client/sharing/grants-store";
import { useVault } from "@/client/keystore/vault-store";
import { searchTeams, TeamKeyReplacingError, type TeamEntry } from "@/client/teams/team-sharing";
import { httpTransport } from "@/client/transport/api";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

/** What this browser found about a chosen team's chain of trust (client/teams/team-chain.ts), naming who vouched for what. */
function TeamBadge({ checked }: { checked: CheckedTeam }) {
  const { verification } = checked;
  const [adminName, setAdminName] = useState<string | null>(null);
  useEffect(() => {
    if (verification.state !== "verified") return;
    let current = true;
    void teamKeySignerName(verification, httpTransport).then((name) => current && setAdminName(name));
    return () => {
      current = false;
    };
  }, [verification]);
  return verification.state === "verified" ? (
    <p className="verified-note" data-testid="team-verified">
      ✓ {teamVerifiedWords(verification, adminName, formatDay(verification.issuedAt))}
    </p>
  ) : (
    <p className="entry-unverified" data-testid="team-unverified">
      Not verified: {verification.reason}. Compare the team&apos;s safety code before sharing.
    </p>
  );
}

/**
 * Sharing with a care team of an organization: one share, sealed to the team's certified key;
 * every current member opens the records, and the History names whoever did. Choosing a team
 * checks its chain of trust here, under the administrator keys this browser trusts (`adminKeys`):
 * a verified team, or the team key's safety code compared, never neither; a chain that does not
 * hold is shown as such and the team cannot be shared with.
 */
export function TeamShareSection({
  entries,
  onShared,
  adminKeys,
}: {
  entries: OkEntry[];
  onShared: (message: string) => Promise<void>;
  adminKeys: () => Promise<TrustedAdmins>;
}) {
  const [query, setQuery] = useState("");
  const [teams, setTeams] = useState<TeamEntry[] | null>(null);
  const [chosen, setChosen] = useState<{ team: TeamEntry; admins: TrustedAdmins; checked: CheckedTeam } | null>(null);
  const [compared, setCompared] = useState(false);
  const problemRef = useRef<HTMLParagraphElement>(null);
  // Nothing is chosen for the patient: a team is several people, so the records are picked (or "all" ticked) on purpose.
  const [all, setAll] = useState(false);
  const [permission, setPermission] = useState<"read" | "contribute">("read");
  const [until, setUntil] = useState("");
  const today = todayWhereThePersonIs();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const vault = useVault((state) => state.vault);
  const [name, setName] = useState(vault.status === "unlocked" ? vault.profile.displayName : "");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const rows = summarizeRecords(entries);

  const choose = async (team: TeamEntry) => {
    setProblem(undefined);
    setChosen(null);
    setCompared(false);
    const admins = await adminKeys();
    try {
      setChosen({ team, admins, checked: checkTeamChain(team, admins) });
    } catch (caught) {
      if (!isIntegrityError(caught)) throw caught;
      setProblem(`${team.name} cannot be shared with. ${caught.message} Nothing was sent.`);
      // The alert is what the person must read next.
      requestAnimationFrame(() => problemRef.current?.focus());
    }
  };
  const trusted = chosen !== null && (chosen.checked.verification.state === "verified" || compared);

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
            <button type="button" className="button button-small" aria-label={`Choose the team ${team.name}`} onClick={() => void choose(team)}>
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
            if (!trusted) return;
            setBusy(true);
            setProblem(undefined);
            // Through the grants store: the list below is read afresh, so the new share shows at once.
            void useGrants
              .getState()
              .shareWithTeam({
                team: chosen.team,
                admins: chosen.admins,
                compared,
                recordIds: all ? "all" : [...picked],
                permission,
                expiresAt: until ? endOfDay(until) : null,
                revealedName: name.trim(),
              })
              .then(() => {
                setChosen(null);
                return onShared(`Shared with ${chosen.team.name} (${chosen.team.organizationName}).`);
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
            Share with {chosen.team.name} · {chosen.team.organizationName}
          </h3>
          <TeamBadge key={chosen.team.teamId} checked={chosen.checked} />
          <p>Before sharing, you can compare this safety code with the one a member of the team or its organization&apos;s administrator sees:</p>
          <p className="safety-code" data-testid="team-safety-code">
            {chosen.checked.safetyCode.digits}
          </p>
          <label className="check-row">
            <input type="checkbox" checked={compared} onChange={(event) => setCompared(event.target.checked)} /> I compared this code with the team
          </label>
          {!trusted && (
            <p className="hint" id="team-share-needs-comparison" data-testid="team-share-needs-comparison">
              This team is not verified, so sharing needs the comparison: tick the box once the codes match.
            </p>
          )}
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
          <ShareTermsFields idPrefix="team-share" permission={permission} onPermission={setPermission} until={until} onUntil={setUntil} today={today} />
          <div className="field">
            <label htmlFor="team-share-name">Your name, as the team will see it</label>
            <input id="team-share-name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={120} autoComplete="name" />
          </div>
          <button
            type="submit"
            className="button"
            disabled={busy || !trusted || (!all && picked.size === 0)}
            aria-describedby={trusted ? undefined : "team-share-needs-comparison"}
          >
            Share with {chosen.team.name}
          </button>
        </form>
      )}
      {problem && (
        <p role="alert" ref={problemRef} tabIndex={-1} data-testid="team-share-problem">
          {problem}
        </p>
      )}
    </section>
  );
}
