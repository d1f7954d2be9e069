"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { AdminDirectoryEntry } from "@/contract/directory";
import { VaultGate } from "@/app/_components/vault-gate";
import { Field } from "@/app/_components/field";
import { StatusLines } from "@/app/_components/status-lines";
import { describeFailure } from "@/client/failures";
import { formatDay } from "@/client/format";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { licenceKey, loadAdminDirectory, namesakeCounts, shortAccountId, signDirectoryStatement, verifiedElsewhere } from "@/client/sharing/directory-admin";
import { unlockedVault } from "@/client/keystore/vault-store";
import { ApiError } from "@/client/transport/api";

function statusOf(entry: AdminDirectoryEntry): string {
  const statement = entry.verification;
  if (!statement) return "Not verified";
  return statement.action === "verify"
    ? `Verified: ${statement.licenceNumber}, by ${statement.adminName} on ${formatDay(statement.issuedAt)}`
    : `Verification withdrawn by ${statement.adminName} on ${formatDay(statement.issuedAt)}`;
}

/** One clinician's row: what they declared, the latest statement, and verify / withdraw (each confirmed where it could go wrong). */
function EntryRow({
  entry,
  entries,
  namesakes,
  adminName,
  onDone,
}: {
  entry: AdminDirectoryEntry;
  entries: readonly AdminDirectoryEntry[];
  namesakes: number;
  adminName: string;
  onDone: (message: string) => Promise<void>;
}) {
  const [step, setStep] = useState<"idle" | "verify" | "confirm-duplicate" | "confirm-withdraw">("idle");
  const [licence, setLicence] = useState(entry.declaredLicenceNumber);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const statusRef = useRef<HTMLParagraphElement>(null);
  const verified = entry.verification?.action === "verify";
  const idBase = `entry-${entry.userId}`;
  // Names alone cannot tell namesakes apart: every control names the account too.
  const who = `${entry.displayName}, account ${shortAccountId(entry.userId)}`;
  const duplicates = step === "confirm-duplicate" ? verifiedElsewhere(entries, entry.userId, licence) : [];
  // A number other than the one the clinician declared is most likely a typo, or a check of someone else.
  const differsFromDeclared = licenceKey(licence) !== licenceKey(entry.declaredLicenceNumber);

  async function send(action: "verify" | "revoke", confirmed = false) {
    setError(undefined);
    if (!adminName.trim()) return setError("Enter your name as patients will see it (above).");
    if (action === "verify" && !licence.trim()) return setError("Enter the licence or registry number you checked.");
    if (action === "verify" && !confirmed && (verifiedElsewhere(entries, entry.userId, licence).length > 0 || differsFromDeclared))
      return setStep("confirm-duplicate");
    setBusy(true);
    try {
      await signDirectoryStatement(unlockedVault(), entry, { action, licenceNumber: licence, adminName });
      setStep("idle");
      await onDone(action === "verify" ? `${entry.displayName} is verified.` : `${entry.displayName}'s verification is withdrawn.`);
      // The button that had focus is gone: focus goes to what changed, not to the top of the page.
      statusRef.current?.focus();
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
        <p className="hint" data-testid="admin-entry-account">
          Account {shortAccountId(entry.userId)} · signed up {formatDay(entry.signedUpAt)}
        </p>
        {namesakes > 1 && (
          <p className="entry-unverified" data-testid="admin-same-name">
            {namesakes} entries share this name: check the account and the number against the register before you verify one.
          </p>
        )}
        <p className={verified ? "verified-note" : "entry-unverified"} data-testid="admin-entry-status" ref={statusRef} tabIndex={-1}>
          {statusOf(entry)}
        </p>
        {step === "verify" && (
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
              <button type="button" className="button button-secondary" disabled={busy} onClick={() => setStep("idle")}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {step === "confirm-duplicate" && (
          <div role="alertdialog" aria-labelledby={`${idBase}-duplicate`} data-testid="admin-duplicate-number">
            <div id={`${idBase}-duplicate`} className="form-error">
              {duplicates.length > 0 && (
                <p>
                  {licence.trim()} is already verified for{" "}
                  {duplicates
                    .map((other) => `${other.displayName} (account ${shortAccountId(other.userId)}, signed up ${formatDay(other.signedUpAt)})`)
                    .join(", ")}
                  . One number belongs to one clinician: this entry may be an impostor who copied it.
                </p>
              )}
              {differsFromDeclared && (
                <p data-testid="admin-number-differs">
                  {licence.trim()} is not the number {entry.displayName} declared ({entry.declaredLicenceNumber || "none"}). Check that you looked up this
                  clinician, and that the number is typed as the register shows it.
                </p>
              )}
            </div>
            <div className="actions">
              <button type="button" className="button button-secondary" autoFocus disabled={busy} onClick={() => setStep("verify")}>
                Go back
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => send("verify", true)}>
                {busy ? "Signing…" : `Verify ${who} anyway`}
              </button>
            </div>
          </div>
        )}
        {step === "confirm-withdraw" && (
          <div role="alertdialog" aria-labelledby={`${idBase}-withdraw`} data-testid="admin-confirm-withdraw">
            <p id={`${idBase}-withdraw`}>
              Withdraw the verification of {who}? Patients will see it withdrawn, and an unverified entry needs the safety-code comparison before anyone shares
              with it.
            </p>
            <div className="actions">
              <button type="button" className="button button-secondary" autoFocus disabled={busy} onClick={() => setStep("idle")}>
                Keep it
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => send("revoke")}>
                {busy ? "Signing…" : `Withdraw verification of ${who}`}
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
      {step === "idle" && (
        <div className="actions">
          <button type="button" className="button button-small" onClick={() => setStep("verify")} aria-label={`Verify ${who}`}>
            Verify…
          </button>
          {verified && (
            <button
              type="button"
              className="button button-small button-secondary"
              disabled={busy}
              onClick={() => setStep("confirm-withdraw")}
              aria-label={`Withdraw verification of ${who}…`}
            >
              Withdraw…
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
  const namesakes = namesakeCounts(entries ?? []);

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
              entries={entries}
              namesakes={namesakes.get(entry.userId) ?? 1}
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
