"use client";

import { useCallback, useEffect, useState } from "react";
import type { AdminDirectoryEntry } from "@/contract/directory";
import { VaultGate } from "@/app/_components/vault-gate";
import { Field } from "@/app/_components/field";
import { StatusLines } from "@/app/_components/status-lines";
import { describeFailure } from "@/client/failures";
import { formatDay } from "@/client/format";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { loadAdminDirectory, signDirectoryStatement } from "@/client/sharing/directory-admin";
import { unlockedVault } from "@/client/keystore/vault-store";
import { ApiError } from "@/client/transport/api";

function statusOf(entry: AdminDirectoryEntry): string {
  const statement = entry.verification;
  if (!statement) return "Not verified";
  return statement.action === "verify"
    ? `Verified: ${statement.licenceNumber}, by ${statement.adminName} on ${formatDay(statement.issuedAt)}`
    : `Verification withdrawn by ${statement.adminName} on ${formatDay(statement.issuedAt)}`;
}

/** One clinician's row: what they declared, the latest statement, and verify / withdraw. */
function EntryRow({ entry, adminName, onDone }: { entry: AdminDirectoryEntry; adminName: string; onDone: (message: string) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [licence, setLicence] = useState(entry.declaredLicenceNumber);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const verified = entry.verification?.action === "verify";
  const idBase = `entry-${entry.userId}`;

  async function send(action: "verify" | "revoke") {
    setError(undefined);
    if (!adminName.trim()) return setError("Enter your name as patients will see it (above).");
    if (action === "verify" && !licence.trim()) return setError("Enter the licence or registry number you checked.");
    setBusy(true);
    try {
      await signDirectoryStatement(unlockedVault(), entry, { action, licenceNumber: licence, adminName });
      setOpen(false);
      await onDone(action === "verify" ? `${entry.displayName} is verified.` : `${entry.displayName}'s verification is withdrawn.`);
    } catch (caught) {
      if (caught instanceof ApiError || caught instanceof FreshProofNotGivenError) setError(caught.message);
      else throw caught;
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="list-row" data-testid="admin-directory-entry">
      <div>
        <strong>{entry.displayName}</strong>
        <p className="hint">
          {entry.role === "doctor" ? "Doctor" : "Nurse"} · {entry.specialty} · {entry.organization} · declared number {entry.declaredLicenceNumber}
        </p>
        <p className={verified ? "verified-note" : "entry-unverified"} data-testid="admin-entry-status">
          {statusOf(entry)}
        </p>
        {open && (
          <div>
            <Field
              id={`${idBase}-licence`}
              label={`Licence or registry number you checked for ${entry.displayName}`}
              value={licence}
              maxLength={64}
              onChange={(event) => setLicence(event.target.value)}
            />
            <div className="actions">
              <button type="button" className="button" disabled={busy} onClick={() => send("verify")}>
                {busy ? "Signing…" : `Sign verification of ${entry.displayName}`}
              </button>
              <button type="button" className="button button-secondary" disabled={busy} onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {!open && (
        <div className="actions">
          <button type="button" className="button button-small" onClick={() => setOpen(true)} aria-label={`Verify ${entry.displayName}`}>
            Verify…
          </button>
          {verified && (
            <button
              type="button"
              className="button button-small button-secondary"
              disabled={busy}
              onClick={() => send("revoke")}
              aria-label={`Withdraw verification of ${entry.displayName}`}
            >
              Withdraw
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function AdminDirectory() {
  const [entries, setEntries] = useState<AdminDirectoryEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [adminName, setAdminName] = useState("");
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const listed = await loadAdminDirectory();
      setEntries(listed.clinicians);
      setMore(listed.more);
    } catch (caught) {
      setError(describeFailure(caught, { accessEnded: "The directory could not be loaded.", integrity: "The directory could not be loaded." }));
    }
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);

  return (
    <>
      <section className="card" aria-labelledby="admin-directory-how">
        <h2 id="admin-directory-how">How verification works</h2>
        <p>
          Check a clinician&apos;s licence or registry number against the register, then sign a verification with your identity key in this browser.
          Patients&apos; browsers check your signature against the administrator keys they pinned; the server only stores it and cannot make one. Withdrawing is
          signed too. Each signature asks for a passkey tap if you have not given one in the last few minutes.
        </p>
        <Field
          id="admin-name"
          label="Your name as patients will see it"
          hint="Signed into each statement, e.g. “A. Admin, registrar”."
          value={adminName}
          maxLength={120}
          onChange={(event) => setAdminName(event.target.value)}
        />
      </section>
      <section className="card" aria-labelledby="admin-directory-list">
        <h2 id="admin-directory-list">Clinicians</h2>
        {entries?.length === 0 && <p>No clinician has signed up yet.</p>}
        {more && <p>Only the first 500 clinicians are listed.</p>}
        <ul className="list">
          {entries?.map((entry) => (
            <EntryRow
              key={entry.userId}
              entry={entry}
              adminName={adminName}
              onDone={async (text) => {
                setMessage(text);
                await load();
              }}
            />
          ))}
        </ul>
      </section>
      <StatusLines message={message} error={error} />
    </>
  );
}

/** The administrator's directory page: list clinicians' entries, sign verifications and withdrawals. */
export function AdminDirectoryView() {
  return (
    <VaultGate>
      <AdminDirectory />
    </VaultGate>
  );
}
