"use client";

import { useRef, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { createOrganization, resolveAccount } from "@/client/admin/admin-accounts";
import { isIntegrityError } from "@/client/integrity";
import { unlockedVault } from "@/client/keystore/vault-store";
import { FreshProofNotGivenError } from "@/client/account/fresh-proof";
import { ApiError } from "@/client/transport/api";

/**
 * Creating an organization and naming its administrators (a fresh proof, into the administration
 * trail), each named in a statement signed here with the administrator's identity key (hence the
 * unlocked vault): patients' browsers check care teams up to it. `onChanged` after.
 */
export function OrganizationsSection({ onChanged }: { onChanged: () => void }) {
  return (
    <section aria-labelledby="admin-organizations-title">
      <h2 id="admin-organizations-title">Organizations</h2>
      <VaultGate>
        <OrganizationForm onChanged={onChanged} />
      </VaultGate>
    </section>
  );
}

function OrganizationForm({ onChanged }: { onChanged: () => void }) {
  const [name, setName] = useState("");
  const [signerName, setSignerName] = useState("");
  const [administratorId, setAdministratorId] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  const statusRef = useRef<HTMLParagraphElement>(null);

  const submit = async () => {
    setBusy(true);
    setMessage({ text: "Creating the organization… If your passkey asks, confirm with it.", error: false });
    try {
      const administrator = await resolveAccount(administratorId.trim());
      if (typeof administrator !== "string") {
        setMessage({ text: administrator.problem, error: true });
        return;
      }
      await createOrganization({ name: name.trim(), administratorIds: [administrator], signerName: signerName.trim() }, unlockedVault());
      setMessage({ text: `${name.trim()} is created. Its administrator can now make care teams on their Organization page.`, error: false });
      setName("");
      setAdministratorId("");
      onChanged();
    } catch (error) {
      const text =
        error instanceof FreshProofNotGivenError || error instanceof ApiError
          ? error.message
          : isIntegrityError(error)
            ? "The administrator's published keys could not be verified, so nothing was signed or created."
            : "That did not work. Check your connection and try again.";
      setMessage({ text, error: true });
    } finally {
      setBusy(false);
      statusRef.current?.focus();
    }
  };

  return (
    <>
      <p className="hint">
        An organization (a clinic, a hospital) has its own administrators, who make care teams and add or remove verified clinicians. You are never served what
        patients share with a team. Its administrators decide who is on a team, so they can give a clinician (themselves too, if they are one) access to what
        patients share with it; each patient sharing with the team is told who joined. You sign, in this browser, that the account you name administers the
        organization: patients&apos; browsers check every team key up to your signature and show the team as verified by you.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor="organization-name">Organization name</label>
          <input id="organization-name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={120} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="organization-admin">Administrator&apos;s account id</label>
          <input
            id="organization-admin"
            value={administratorId}
            onChange={(event) => setAdministratorId(event.target.value)}
            required
            autoComplete="off"
            aria-describedby="organization-admin-hint"
          />
          <p id="organization-admin-hint" className="hint">
            The account id as the accounts list above shows it (its first 8 characters), or the whole id.
          </p>
        </div>
        <div className="field">
          <label htmlFor="organization-signer-name">Your name as patients will see it</label>
          <input
            id="organization-signer-name"
            value={signerName}
            onChange={(event) => setSignerName(event.target.value)}
            required
            maxLength={120}
            autoComplete="off"
            aria-describedby="organization-signer-name-hint"
          />
          <p id="organization-signer-name-hint" className="hint">
            Signed into the statement, e.g. “A. Admin, registrar”: patients see their care team as verified by this name.
          </p>
        </div>
        <button type="submit" className="button button-small" disabled={busy}>
          Create organization
        </button>
      </form>
      <p ref={statusRef} tabIndex={-1} role={message?.error ? "alert" : "status"} className={message?.error ? "form-error" : undefined}>
        {message?.text}
      </p>
    </>
  );
}
