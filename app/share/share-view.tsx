"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { checkedContact, KeyChangedError, type DirectoryEntry } from "@/client/sharing/contacts";
import { isCryptoError, parseShareCode, shareCodeMatches } from "@/crypto";
import { describeFailure } from "@/client/failures";
import type { ChartEntry } from "@/client/records/records";
import { loadedChart } from "@/client/records/chart-store";
import { directoryQueryMinLength, searchClinicians, type GrantSummary } from "@/client/sharing/sharing";
import { useGrants } from "@/client/sharing/grants-store";
import { ApiError, httpTransport } from "@/client/transport/api";
import { isIntegrityError } from "@/client/integrity";
import { unlockedVault } from "@/client/keystore/vault-store";
import { requestKeyMaintenance } from "@/app/_components/key-maintenance";
import { GrantsDashboard } from "./grants-dashboard";
import { KeyChangedWarning } from "./key-changed-warning";
import { ShareForm, type ChosenClinician } from "./share-form";
import { StatusLines } from "@/app/_components/status-lines";
import { isRollback } from "@/client/keystore/rollback-guard";
import { checkEntryVerification, sameNameCounts, trustedAdmins, type EntryVerification, type TrustedAdmins } from "@/client/sharing/directory-verification";
import { fromBase64url } from "@/crypto";
import { DirectoryBadge, SameNameFlag } from "./directory-badge";
import { TeamShareSection } from "./team-share-section";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

/** Accepts a pasted share link or a bare share code. */
function shareCodeFrom(text: string): string {
  const trimmed = text.trim();
  return URL.canParse(trimmed) ? (new URL(trimmed).searchParams.get("code") ?? trimmed) : trimmed;
}

function Share() {
  const [query, setQuery] = useState("");
  const [pasted, setPasted] = useState("");
  const [results, setResults] = useState<DirectoryEntry[] | null>(null);
  const [checks, setChecks] = useState<Map<string, EntryVerification>>(new Map());
  const admins = useRef<Promise<TrustedAdmins> | null>(null);
  const [moreResults, setMoreResults] = useState(false);
  const [searchProblem, setSearchProblem] = useState<string>();
  const [chosen, setChosen] = useState<ChosenClinician | null>(null);
  const [changed, setChanged] = useState<KeyChangedError | null>(null);
  const [entries, setEntries] = useState<OkEntry[]>([]);
  const [grants, setGrants] = useState<GrantSummary[]>([]);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const [rolledBack, setRolledBack] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      setGrants(await useGrants.getState().load());
      setRolledBack(undefined);
    } catch (caught) {
      if (!isRollback(caught)) throw caught;
      setGrants([]);
      setRolledBack(caught.message);
    }
    setEntries((await loadedChart()).filter((entry): entry is OkEntry => entry.status === "ok"));
  }, []);

  /** The administrator keys, fetched (and new ones pinned) once per page; a failure is tried again next time. */
  const adminKeys = useCallback(() => {
    admins.current ??= trustedAdmins(unlockedVault(), httpTransport).catch((caught: unknown) => {
      admins.current = null;
      throw caught;
    });
    return admins.current;
  }, []);

  /** The trusted administrator keys, or none when they could not be had (offline, refused, a vault that cannot be rewritten): nothing then counts as verified. */
  const adminKeysOrNone = useCallback(async (): Promise<TrustedAdmins> => {
    try {
      return await adminKeys();
    } catch (caught) {
      if (!(caught instanceof ApiError || isIntegrityError(caught) || isRollback(caught))) throw caught;
      return new Map();
    }
  }, [adminKeys]);

  /** Checks entries' statements in this browser. */
  const checkEntries = useCallback(
    async (found: DirectoryEntry[]) => {
      const trusted = await adminKeysOrNone();
      return new Map(found.map((entry) => [entry.userId, checkEntryVerification(entry, fromBase64url(entry.identityPublicKey), trusted)]));
    },
    [adminKeysOrNone],
  );

  const choose = useCallback(
    async (userId: string, code?: string) => {
      setError(undefined);
      setChanged(null);
      setChosen(null);
      try {
        const keys = await checkedContact(userId, unlockedVault(), httpTransport);
        if (code !== undefined && !shareCodeMatches(code, keys.identityPublicKey, userId)) {
          setError(
            "This share code does not match the keys the server gives for this clinician. Do not share with them; ask them to show you their code again.",
          );
          return;
        }
        if (!keys.directory) {
          setError("That share code does not belong to a doctor or a nurse.");
          return;
        }
        // Checked over the key the share would go to (certified and checked against the pin), not the one the search served.
        const trusted = await adminKeysOrNone();
        setChosen({ ...keys, viaShareCode: code !== undefined, verification: checkEntryVerification(keys.directory, keys.identityPublicKey, trusted) });
      } catch (caught) {
        if (caught instanceof KeyChangedError) setChanged(caught);
        else
          setError(
            describeFailure(caught, {
              accessEnded: "This clinician's account could not be found.",
              integrity: "This clinician's keys could not be verified, so nothing can be shared with them.",
            }),
          );
      }
    },
    [adminKeysOrNone],
  );

  const openShareCode = useCallback(
    async (text: string) => {
      const code = shareCodeFrom(text);
      let userId: string;
      try {
        userId = parseShareCode(code).userId;
      } catch (caught) {
        if (!isCryptoError(caught)) throw caught;
        setError("That is not a Health Safe Cloud share code. Check it and try again.");
        return;
      }
      await choose(userId, code);
    },
    [choose],
  );

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
    // Opening the dashboard is a good moment to catch up: an expired grant's records get new keys now.
    requestKeyMaintenance();
    const code = new URLSearchParams(window.location.search).get("code");
    if (code) void openShareCode(code);
  }, [refresh, openShareCode]);

  async function changedSharing(text: string) {
    setMessage(text);
    setChosen(null);
    await refresh();
    requestKeyMaintenance();
  }

  const sameNames = sameNameCounts(results ?? []);

  return (
    <>
      <section className="card" aria-labelledby="find-title">
        <h2 id="find-title">Find a clinician</h2>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setResults(null);
            if ([...query.trim()].length < directoryQueryMinLength) {
              setSearchProblem(`Type at least ${directoryQueryMinLength} characters of a name, specialty or organization to search.`);
              return;
            }
            setSearchProblem(undefined);
            try {
              const found = await searchClinicians(query, httpTransport);
              setChecks(new Map());
              setResults(found.clinicians);
              setMoreResults(found.more);
              setChecks(await checkEntries(found.clinicians));
            } catch (caught) {
              setSearchProblem(
                describeFailure(caught, {
                  accessEnded: "The directory could not be searched.",
                  integrity: "The directory could not be searched.",
                  unreachable: "The directory could not be searched: Health Safe Cloud could not be reached. Check your connection and try again.",
                }),
              );
            }
          }}
        >
          <label htmlFor="clinician-search">Name, specialty or organization</label>
          <input
            id="clinician-search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            aria-describedby="clinician-search-hint"
            aria-invalid={searchProblem !== undefined}
          />
          <button type="submit" className="button button-small">
            Search
          </button>
        </form>
        <p id="clinician-search-hint" className="hint">
          At least {directoryQueryMinLength} characters; up to twenty matches are shown.
        </p>
        {searchProblem && (
          <p role="alert" data-testid="search-problem">
            {searchProblem}
          </p>
        )}
        {results?.length === 0 && <p>No clinician matches “{query}”.</p>}
        {moreResults && results && results.length > 0 && <p>More clinicians match; type more of the name to narrow the search.</p>}
        <ul className="list">
          {results?.map((clinician) => (
            <li key={clinician.userId} className="list-row" data-testid="directory-entry">
              <div>
                <strong>{clinician.displayName}</strong>
                <p className="hint">
                  {clinician.role === "doctor" ? "Doctor" : "Nurse"} · {clinician.specialty} · {clinician.organization}
                </p>
                <DirectoryBadge check={checks.get(clinician.userId)} />
                <SameNameFlag count={sameNames.get(clinician.userId) ?? 1} />
              </div>
              <button type="button" className="button button-small" onClick={() => choose(clinician.userId)} aria-label={`Choose ${clinician.displayName}`}>
                Choose
              </button>
            </li>
          ))}
        </ul>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void openShareCode(pasted);
          }}
        >
          <label htmlFor="share-code">Or paste a clinician&apos;s share code or link</label>
          <input id="share-code" value={pasted} onChange={(event) => setPasted(event.target.value)} autoComplete="off" spellCheck={false} />
          <button type="submit" className="button button-small">
            Open
          </button>
        </form>
      </section>
      {changed && <KeyChangedWarning error={changed} onReverified={() => choose(changed.userId)} onDismiss={() => setChanged(null)} />}
      <TeamShareSection entries={entries} onShared={changedSharing} adminKeys={adminKeysOrNone} />
      {chosen && <ShareForm key={chosen.userId} clinician={chosen} entries={entries} onShared={changedSharing} onCancel={() => setChosen(null)} />}
      <StatusLines message={message} error={error} />
      {rolledBack ? (
        <section className="card integrity-warning" role="alert" aria-labelledby="sharing-rolled-back-title" data-testid="grants-rolled-back">
          <h2 id="sharing-rolled-back-title">Your sharing list cannot be trusted</h2>
          <p>{rolledBack}</p>
        </section>
      ) : (
        <GrantsDashboard grants={grants} entries={entries} onChanged={changedSharing} onKeyChanged={setChanged} />
      )}
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
