"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { EmergencySetFields } from "@/app/_components/emergency-set-fields";
import { VaultGate } from "@/app/_components/vault-gate";
import { emergencyWaits, type EmergencyWait } from "@/contract/emergency";
import { requestKeyMaintenance } from "@/app/_components/key-maintenance";
import { ShareCodeCard } from "@/app/shared/share-code-card";
import { describeFailure } from "@/client/failures";
import { formatDateTime } from "@/client/format";
import {
  approveEmergencyRequest,
  contactFromShareCode,
  shareCodeProblem,
  endEmergencyContact,
  listEmergencyContacts,
  nameEmergencyContact,
  refuseEmergencyRequest,
  type EmergencyContact,
} from "@/client/emergency/emergency-contacts";
import type { RecordKind } from "@/client/fhir/types";
import { useVault } from "@/client/keystore/vault-store";
import { useChart } from "@/client/records/chart-store";
import type { OkEntry } from "@/client/records/records";
import type { CertifiedKeys } from "@/client/sharing/contacts";
import { httpTransport } from "@/client/transport/api";
import { EmergencyRoles } from "./emergency-roles";
import { stateWords, waitWords } from "./emergency-words";

const failureWords = {
  accessEnded: "Your session ended. Sign in again.",
  integrity: "This share code does not match the keys the server presented for that account. Nothing was shared.",
  unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
};

function NameContactForm({ entries, onNamed }: { entries: OkEntry[]; onNamed: () => void }) {
  const vault = useVault((state) => state.vault);
  const [code, setCode] = useState("");
  const [contact, setContact] = useState<CertifiedKeys | null>(null);
  const [kinds, setKinds] = useState<RecordKind[]>(["allergy", "medication", "condition", "immunization"]);
  const [named, setNamed] = useState<Set<string>>(new Set());
  const [wait, setWait] = useState<EmergencyWait>(86_400);
  const [name, setName] = useState(vault.status === "unlocked" ? vault.profile.displayName : "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();

  async function lookUp(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy) return;
    setError(undefined);
    setStatus(undefined);
    // A typo or one's own code is said as such, never as keys that did not match.
    const problem = shareCodeProblem(code, vault.userId);
    if (problem) return setError(problem);
    setBusy(true);
    try {
      setContact(await contactFromShareCode(code, vault, httpTransport));
    } catch (caught) {
      setError(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy || !contact) return;
    if (!name.trim()) return setError("Enter the name your contact will see.");
    const recordIds = [...named].filter((id) => entries.some((entry) => entry.id === id));
    if (kinds.length === 0 && recordIds.length === 0) return setError("Choose at least one kind of record or one record by name.");
    setBusy(true);
    setError(undefined);
    try {
      await nameEmergencyContact(
        { contact, verified: true, choice: { kinds, recordIds }, waitSeconds: wait, revealedName: name.trim(), entries },
        vault,
        httpTransport,
      );
      setStatus("Emergency contact named. Their keys are ready; they can read nothing until they ask and the wait ends.");
      setContact(null);
      setCode("");
      onNamed();
    } catch (caught) {
      setError(describeFailure(caught, { ...failureWords, integrity: "Something did not verify. Nothing was shared." }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="name-contact-title" data-testid="name-contact">
      <h2 id="name-contact-title">Name an emergency contact</h2>
      <p>
        Your contact opens Emergency contacts in their own account and reads you their share code. Its account and key are checked against the code, so the
        server cannot put another key in their place.
      </p>
      {!contact ? (
        <form onSubmit={lookUp}>
          <label htmlFor="contact-code">Your contact&apos;s share code</label>
          <input id="contact-code" value={code} onChange={(event) => setCode(event.target.value)} autoComplete="off" spellCheck={false} required />
          <button type="submit" disabled={busy}>
            {busy ? "Checking…" : "Check the code"}
          </button>
        </form>
      ) : (
        <form onSubmit={submit}>
          <p className="verified-note" data-testid="contact-checked">
            The code matches this account&apos;s key. Safety code: <span className="safety-code">{contact.safetyCode.digits}</span>
          </p>
          <EmergencySetFields
            entries={entries}
            kinds={kinds}
            onKinds={setKinds}
            named={named}
            onNamed={setNamed}
            kindsLegend="Emergency set: every record of these kinds, now and later"
          />
          <label htmlFor="contact-wait">Wait after a request</label>
          <select
            id="contact-wait"
            value={wait}
            onChange={(event) => setWait(emergencyWaits.find((seconds) => seconds === Number(event.target.value)) ?? 86_400)}
          >
            {emergencyWaits.map((seconds) => (
              <option key={seconds} value={seconds}>
                {waitWords(seconds)}
              </option>
            ))}
          </select>
          <label htmlFor="contact-name">Your name, as your contact will see it once access opens</label>
          <input id="contact-name" value={name} onChange={(event) => setName(event.target.value)} maxLength={200} required />
          <p className="hint">Read-only: your contact can never change or add records.</p>
          <button type="submit" disabled={busy}>
            {busy ? "Preparing keys…" : "Name emergency contact"}
          </button>{" "}
          <button type="button" className="button-secondary" onClick={() => setContact(null)} disabled={busy}>
            Cancel
          </button>
        </form>
      )}
      <p role="alert" className="form-error">
        {error}
      </p>
      <p role="status">{status}</p>
    </section>
  );
}

function ContactRow({ contact, onChanged }: { contact: EmergencyContact; onChanged: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function act(action: "approve" | "refuse" | "end") {
    // Ending cuts the contact off and moves the records to new keys at once: asked first, as a revoke is.
    if (
      action === "end" &&
      !window.confirm(
        "End emergency access for this contact? They are cut off at once and your records move to new keys. What they already read, they may keep.",
      )
    )
      return;
    setBusy(true);
    setError(undefined);
    try {
      if (action === "approve") await approveEmergencyRequest(contact.grantId, httpTransport);
      if (action === "refuse") await refuseEmergencyRequest(contact.grantId, httpTransport);
      if (action === "end") {
        await endEmergencyContact(contact.grantId, httpTransport);
        requestKeyMaintenance();
      }
      onChanged(
        action === "approve"
          ? "Request approved: your contact can read your emergency set now."
          : action === "refuse"
            ? "Request refused: your contact cannot read anything."
            : "Emergency contact ended: they are cut off now, and your records move to new keys. What they already read, they may keep.",
      );
    } catch (caught) {
      setError(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }
  return (
    <li data-testid="emergency-contact" data-state={contact.state} data-grant={contact.grantId}>
      <p>
        <strong>Contact</strong> (account {contact.contactId.slice(0, 8)}…) · wait: {waitWords(contact.waitSeconds)} · {contact.recordIds.length} records
      </p>
      <p data-testid="emergency-contact-state">
        {stateWords(contact.state)}
        {contact.state === "requested" && contact.opensAt && ` Opens ${formatDateTime(contact.opensAt)} unless you refuse.`}
      </p>
      {contact.state === "requested" && (
        <>
          <button type="button" onClick={() => act("approve")} disabled={busy}>
            Approve now
          </button>{" "}
          <button type="button" onClick={() => act("refuse")} disabled={busy}>
            Refuse
          </button>{" "}
        </>
      )}
      {contact.state !== "ended" && (
        <button type="button" className="button-danger" onClick={() => act("end")} disabled={busy}>
          End emergency access
        </button>
      )}
      <p role="alert" className="form-error">
        {error}
      </p>
    </li>
  );
}

function OwnContacts() {
  const { entries: loaded, complete, error, ensureLoaded } = useChart();
  const [contacts, setContacts] = useState<EmergencyContact[] | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const reload = useCallback(() => {
    listEmergencyContacts(httpTransport).then(setContacts, (caught: unknown) => setLoadError(describeFailure(caught, failureWords)));
  }, []);
  useEffect(() => {
    void ensureLoaded();
    reload();
  }, [ensureLoaded, reload]);
  const entries = useMemo(() => (complete && loaded ? loaded.filter((entry): entry is OkEntry => entry.status === "ok") : null), [complete, loaded]);
  return (
    <>
      <section className="card" aria-labelledby="own-contacts-title">
        <h2 id="own-contacts-title">People you trust</h2>
        <p>
          An emergency contact can ask for your emergency set when you cannot share it yourself. You are told at once, and can approve or refuse; if you do
          nothing, it opens when the wait ends, even while you are signed out. You can end it at any time.
        </p>
        <button type="button" className="button-secondary" onClick={reload}>
          Refresh
        </button>
        {loadError && (
          <p role="alert" className="form-error">
            {loadError}
          </p>
        )}
        <p role="status">{status}</p>
        {contacts && contacts.length === 0 && <p>You have not named an emergency contact.</p>}
        {contacts && contacts.length > 0 && (
          <ul className="plain-list" data-testid="emergency-contacts">
            {contacts.map((contact) => (
              <ContactRow
                key={contact.grantId}
                contact={contact}
                onChanged={(message) => {
                  setStatus(message);
                  reload();
                }}
              />
            ))}
          </ul>
        )}
      </section>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!entries && !error && <p role="status">Decrypting your chart…</p>}
      {entries && <NameContactForm entries={entries} onNamed={reload} />}
    </>
  );
}

/** Emergency contacts: a patient's own (name, answer, end) and, for any account, the people who named it. */
export function EmergencyContactsView({ patient }: { patient: boolean }) {
  return (
    <VaultGate>
      {patient && <OwnContacts />}
      <EmergencyRoles />
      <ShareCodeCard forEmergency />
    </VaultGate>
  );
}
