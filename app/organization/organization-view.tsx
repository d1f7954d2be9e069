"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { failureKind } from "@/client/failures";
import { unlockedVault } from "@/client/keystore/vault-store";
import { searchClinicians } from "@/client/sharing/sharing";
import type { DirectoryEntry } from "@/client/sharing/contacts";
import {
  addTeamMember,
  createTeam,
  loadOrganizations,
  removeTeamMember,
  replaceTeamKey,
  teamSafetyCode,
  type OrganizationSummary,
  type TeamSummary,
} from "@/client/teams/organization";
import { ApiError, httpTransport } from "@/client/transport/api";

function failureText(error: unknown): string {
  if (error instanceof FreshProofNotGivenError || error instanceof ApiError) return error.message;
  if (failureKind(error) === "integrity") return "A key or signature did not verify, so nothing was changed. Tell your deployment's administrators.";
  if (failureKind(error) === null) throw error;
  return "That did not work. Check your connection and try again.";
}

/** One team: its members (each removable), adding a verified clinician, and the key replacement after a removal. */
function TeamCard({ team, onChanged, say }: { team: TeamSummary; onChanged: () => Promise<void>; say: (text: string, error?: boolean) => void }) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<DirectoryEntry[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState<string>();

  const run = async (working: string, action: () => Promise<string>) => {
    setBusy(true);
    say(working);
    try {
      say(await action());
      await onChanged();
    } catch (error) {
      say(failureText(error), true);
    } finally {
      setBusy(false);
    }
  };

  const remove = (member: TeamSummary["members"][number]) => {
    if (!window.confirm(`Remove ${member.displayName} from ${team.name}? They lose access at once; the team's key and the patients' record keys are replaced.`))
      return;
    void run(`Removing ${member.displayName}… If your passkey asks, confirm with it.`, async () => {
      await removeTeamMember(team.id, member.userId, httpTransport);
      say(`${member.displayName} is removed and can no longer open the team's records. Replacing the team's key…`);
      const resealed = await replaceTeamKey(team.id, unlockedVault(), httpTransport);
      return `${member.displayName} is removed. The team's key is replaced and ${resealed} ${resealed === 1 ? "share is" : "shares are"} re-sealed to it; patients' browsers replace their record keys.`;
    });
  };

  const add = (entry: DirectoryEntry) =>
    void run(`Adding ${entry.displayName}… If your passkey asks, confirm with it.`, async () => {
      await addTeamMember(team.id, entry.userId, unlockedVault(), httpTransport);
      setFound(null);
      setQuery("");
      return `${entry.displayName} is a member of ${team.name}.`;
    });

  return (
    <li className="list-row" data-testid="team-row">
      <div>
        <h3>{team.name}</h3>
        <p className="hint">
          Key version {team.keyVersion}
          {team.needsNewKey ? " · a new key is to be made" : ""}
          {team.grantsToReseal > 0 ? ` · ${team.grantsToReseal} shares to re-seal` : ""}
        </p>
        {code ? (
          <>
            <p>Safety code of this team&apos;s key, for a patient whose browser shows the team as not verified to compare:</p>
            <p className="safety-code" data-testid="team-key-safety-code">
              {code}
            </p>
          </>
        ) : (
          <button
            type="button"
            className="button button-small button-secondary"
            disabled={busy}
            onClick={() =>
              void teamSafetyCode(team.id, unlockedVault(), httpTransport).then(
                (shown) => setCode(shown.digits),
                (error: unknown) => say(failureText(error), true),
              )
            }
          >
            Show the team key&apos;s safety code
          </button>
        )}
        {team.members.length === 0 ? (
          <p>No members yet.</p>
        ) : (
          <ul aria-label={`Members of ${team.name}`}>
            {team.members.map((member) => (
              <li key={member.userId}>
                {member.displayName}{" "}
                <button
                  type="button"
                  className="button button-small button-secondary"
                  disabled={busy}
                  aria-label={`Remove ${member.displayName} from ${team.name}`}
                  onClick={() => remove(member)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            void searchClinicians(query.trim(), httpTransport).then(
              (result) => setFound(result.clinicians.filter((entry) => entry.verified)),
              (error: unknown) => say(failureText(error), true),
            );
          }}
        >
          <div className="field">
            <label htmlFor={`member-search-${team.id}`}>Add a verified clinician to {team.name}</label>
            <input
              id={`member-search-${team.id}`}
              value={query}
              onChange={(event) => {
                setQuery(event.target.value);
                // Results belong to the words that found them: never left under other words, where the wrong person could be added.
                setFound(null);
              }}
              minLength={3}
              autoComplete="off"
            />
          </div>
          <button type="submit" className="button button-small button-secondary" disabled={busy}>
            Find clinicians
          </button>
        </form>
        {found && found.length === 0 && <p>No verified clinician matches. Only clinicians whose entry an administrator verified can join.</p>}
        {found && found.length > 0 && (
          <ul aria-label="Verified clinicians found">
            {found.map((entry) => (
              <li key={entry.userId}>
                {entry.displayName} · {entry.specialty} · {entry.organization}{" "}
                <button
                  type="button"
                  className="button button-small"
                  disabled={busy || team.members.some((member) => member.userId === entry.userId)}
                  aria-label={`Add ${entry.displayName} to ${team.name}`}
                  onClick={() => add(entry)}
                >
                  Add
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </li>
  );
}

function Organizations() {
  const [organizations, setOrganizations] = useState<OrganizationSummary[] | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const [teamName, setTeamName] = useState("");
  const statusRef = useRef<HTMLParagraphElement>(null);
  const say = useCallback((text: string, error = false) => {
    setMessage({ text, error });
    if (error) statusRef.current?.focus();
  }, []);

  const reload = useCallback(async () => {
    const loaded = await loadOrganizations(httpTransport);
    setOrganizations(loaded);
    return loaded;
  }, []);

  useEffect(() => {
    let cancelled = false;
    // Carries on any key replacement left unfinished (a closed tab, a dropped connection): it resumes where it stopped.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reload()
      .then(async (loaded) => {
        for (const team of loaded.flatMap((org) => org.teams)) {
          if (cancelled || (!team.needsNewKey && team.grantsToReseal === 0)) continue;
          say(`Finishing the key replacement of ${team.name}…`);
          await replaceTeamKey(team.id, unlockedVault(), httpTransport);
          say(`The key replacement of ${team.name} is finished.`);
          if (!cancelled) await reload();
        }
      })
      .catch((error: unknown) => !cancelled && say(failureText(error), true));
    return () => {
      cancelled = true;
    };
  }, [reload, say]);

  if (organizations === null) return <p>Loading your organizations…</p>;
  if (organizations.length === 0) return <p>You administer no organization. A deployment administrator names an organization&apos;s administrators.</p>;

  return (
    <>
      <p className="lead">
        You make your organization&apos;s care teams and choose their members. A team&apos;s key is made in your browser and sealed to each member. The server
        serves what patients share with a team to its current members only: whoever you add (you too, if you are a clinician) can open it from then on, and each
        patient sharing with the team is told who joined.
      </p>
      <p ref={statusRef} tabIndex={-1} role={message?.error ? "alert" : "status"} className={message?.error ? "form-error" : undefined}>
        {message?.text}
      </p>
      {organizations.map((organization) => (
        <section key={organization.id} aria-labelledby={`org-${organization.id}`}>
          <h2 id={`org-${organization.id}`}>{organization.name}</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const name = teamName.trim();
              say(`Making the team ${name} and its key… If your passkey asks, confirm with it.`);
              void createTeam(organization, name, [], unlockedVault(), httpTransport)
                .then(async () => {
                  setTeamName("");
                  say(`The team ${name} is made. Add its members below.`);
                  await reload();
                })
                .catch((error: unknown) => say(failureText(error), true));
            }}
          >
            <div className="field">
              <label htmlFor={`team-name-${organization.id}`}>New care team&apos;s name</label>
              <input
                id={`team-name-${organization.id}`}
                value={teamName}
                onChange={(event) => setTeamName(event.target.value)}
                required
                maxLength={120}
                autoComplete="off"
              />
            </div>
            <button type="submit" className="button button-small">
              Create team
            </button>
          </form>
          {organization.teams.length === 0 ? (
            <p>No care teams yet.</p>
          ) : (
            <ul className="list" aria-label={`Care teams of ${organization.name}`}>
              {organization.teams.map((team) => (
                <TeamCard key={team.id} team={team} say={say} onChanged={async () => void (await reload())} />
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}

/** The organization administrator's page: their organizations' care teams and members. */
export function OrganizationView() {
  return (
    <VaultGate>
      <Organizations />
    </VaultGate>
  );
}
