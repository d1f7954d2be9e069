"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { EmergencySetFields } from "@/app/_components/emergency-set-fields";
import { VaultGate } from "@/app/_components/vault-gate";
import { emergencyWaits, type EmergencyWait } from "@/contract/emergency";
import { requestKeyMaintenance } from "@/app/_components/key-maintenance";
import { ShareCodeCard } from "@/app/shared/share-code-card";
import { describeFailure } from "@/client/failures";
import { formatDateTime } from "@/client/format";
import { contactLabel } from "@/client/emergency/contact-names";
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
import { contactDetailLimits, nameContact, type CertifiedKeys } from "@/client/sharing/contacts";
import { httpTransport } from "@/client/transport/api";
import { EmergencyRoles } from "./emergency-roles";
import { stateWords, waitWords } from "./emergency-words";
import { OutcomeLines, useOutcome } from "./outcome";
import { useLiveReload } from "./use-live-reload";

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
  const [contactName, setContactName] = useState("");
  const [reach, setReach] = useState("");
  const [busy, setBusy] = useState(false);
  const { outcome, said, failed, clear } = useOutcome();
  // A code that checks out opens the rest of the form: focus goes to what the check found, at its top.
  const checked = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (contact) checked.current?.focus();
  }, [contact]);

  async function lookUp(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy) return;
    clear();
    // A typo or one's own code is said as such, never as keys that did not match.
    const problem = shareCodeProblem(code, vault.userId);
    if (problem) return failed(problem);
    setBusy(true);
    try {
      const found = await contactFromShareCode(code, vault, httpTransport);
      // The name this browser already knows them by, else their directory entry's: the patient may change it.
      setContactName(found.pin?.name ?? found.directory?.displayName ?? "");
      setReach(found.pin?.reach ?? "");
      setContact(found);
    } catch (caught) {
      failed(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy || !contact) return;
    if (!contactName.trim()) return failed("Enter your contact's name: it shows on this page and on your emergency card, and only you see it.");
    if (!name.trim()) return failed("Enter the name your contact will see.");
    const recordIds = [...named].filter((id) => entries.some((entry) => entry.id === id));
    if (kinds.length === 0 && recordIds.length === 0) return failed("Choose at least one kind of record or one record by name.");
    setBusy(true);
    clear();
    try {
      await nameEmergencyContact(
        {
          contact,
          verified: true,
          choice: { kinds, recordIds },
          waitSeconds: wait,
          revealedName: name.trim(),
          details: { name: contactName, reach },
          entries,
        },
        vault,
        httpTransport,
      );
      said(`Emergency contact named: ${contactName.trim()}. Their keys are ready; they can read nothing until they ask and the wait ends.`);
      setContact(null);
      setCode("");
      onNamed();
    } catch (caught) {
      failed(describeFailure(caught, { ...failureWords, integrity: "Something did not verify. Nothing was shared." }));
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
          <p className="verified-note" data-testid="contact-checked" ref={checked} tabIndex={-1}>
            The code matches this account&apos;s key. Safety code: <span className="safety-code">{contact.safetyCode.digits}</span>
          </p>
          <label htmlFor="contact-person-name">Your contact&apos;s name (only you see it: it is kept encrypted in your vault)</label>
          <input
            id="contact-person-name"
            value={contactName}
            onChange={(event) => setContactName(event.target.value)}
            maxLength={contactDetailLimits.name}
            autoComplete="off"
            required
          />
          <label htmlFor="contact-reach">How to reach them (optional: a phone number, printed on your emergency card if you choose)</label>
          <input id="contact-reach" value={reach} onChange={(event) => setReach(event.target.value)} maxLength={contactDetailLimits.reach} autoComplete="off" />
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
      <OutcomeLines outcome={outcome} testId="name-contact-outcome" />
    </section>
  );
}

/** The name this browser knows a contact by and how to reach them, changed in the vault only. */
function ContactDetailsForm({ contactId, onSaved, onCancel }: { contactId: string; onSaved: (message: string) => void; onCancel: () => void }) {
  const vault = useVault((state) => state.vault);
  const pin = vault.status === "unlocked" ? vault.profile.contacts?.[contactId] : undefined;
  const [name, setName] = useState(pin?.name ?? "");
  const [reach, setReach] = useState(pin?.reach ?? "");
  const [busy, setBusy] = useState(false);
  const { outcome, failed } = useOutcome();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const id = `contact-details-${contactId}`;
  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (vault.status !== "unlocked" || busy) return;
    if (!name.trim()) return failed("Enter your contact's name.");
    if (!pin) return failed("This contact's keys are not pinned in your vault: end it and name them again with their share code.");
    setBusy(true);
    try {
      await nameContact(vault, contactId, { name, reach }, httpTransport);
      onSaved(`Saved: this contact is ${name.trim()}${reach.trim() ? `, reached at ${reach.trim()}` : ""}. Only your browser knows it.`);
    } catch (caught) {
      failed(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={save} data-testid="contact-details-form">
      <label htmlFor={`${id}-name`}>Your contact&apos;s name</label>
      <input
        id={`${id}-name`}
        ref={first}
        value={name}
        onChange={(event) => setName(event.target.value)}
        maxLength={contactDetailLimits.name}
        autoComplete="off"
        required
      />
      <label htmlFor={`${id}-reach`}>How to reach them (optional)</label>
      <input id={`${id}-reach`} value={reach} onChange={(event) => setReach(event.target.value)} maxLength={contactDetailLimits.reach} autoComplete="off" />
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save"}
      </button>{" "}
      <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <OutcomeLines outcome={outcome} />
    </form>
  );
}

function ContactRow({ contact, onChanged }: { contact: EmergencyContact; onChanged: (message: string) => void }) {
  const vault = useVault((state) => state.vault);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const { outcome, failed, clear } = useOutcome();
  const { name, account } = contactLabel(contact.contactId, vault.status === "unlocked" ? vault.profile.contacts : undefined);
  const who = name ?? `account ${account}`;
  async function act(action: "approve" | "refuse" | "end") {
    // Ending cuts the contact off and moves the records to new keys at once: asked first, as a revoke is.
    if (
      action === "end" &&
      !window.confirm(`End emergency access for ${who}? They are cut off at once and your records move to new keys. What they already read, they may keep.`)
    )
      return;
    setBusy(true);
    clear();
    try {
      if (action === "approve") await approveEmergencyRequest(contact.grantId, httpTransport);
      if (action === "refuse") await refuseEmergencyRequest(contact.grantId, httpTransport);
      if (action === "end") {
        await endEmergencyContact(contact.grantId, httpTransport);
        requestKeyMaintenance();
      }
      onChanged(
        action === "approve"
          ? `Request approved: ${who} can read your emergency set now.`
          : action === "refuse"
            ? `Request refused: ${who} cannot read anything.`
            : `Emergency contact ended: ${who} is cut off now, and your records move to new keys. What they already read, they may keep.`,
      );
    } catch (caught) {
      failed(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }
  return (
    <li data-testid="emergency-contact" data-state={contact.state} data-grant={contact.grantId}>
      <p>
        <strong data-testid="emergency-contact-name">{name ?? "A contact you have not named"}</strong> <span className="hint">(account {account})</span> · wait:{" "}
        {waitWords(contact.waitSeconds)} · {contact.recordIds.length} records
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
      {contact.state !== "ended" && !editing && (
        <>
          <button type="button" className="button-secondary" onClick={() => setEditing(true)} disabled={busy}>
            {name ? "Change name or phone" : "Add their name"}
          </button>{" "}
          <button type="button" className="button-danger" onClick={() => act("end")} disabled={busy}>
            End emergency access
          </button>
        </>
      )}
      {editing && (
        <ContactDetailsForm
          contactId={contact.contactId}
          onCancel={() => setEditing(false)}
          onSaved={(message) => {
            setEditing(false);
            onChanged(message);
          }}
        />
      )}
      <OutcomeLines outcome={outcome} />
    </li>
  );
}

function OwnContacts() {
  const { entries: loaded, complete, error, ensureLoaded } = useChart();
  const [contacts, setContacts] = useState<EmergencyContact[] | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const { outcome, said } = useOutcome();
  const reload = useCallback(() => {
    listEmergencyContacts(httpTransport).then(
      (listed) => {
        setLoadError(undefined);
        setContacts(listed);
      },
      (caught: unknown) => setLoadError(describeFailure(caught, failureWords)),
    );
  }, []);
  useEffect(() => {
    void ensureLoaded();
    reload();
  }, [ensureLoaded, reload]);
  useLiveReload(reload, contacts);
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
        <OutcomeLines outcome={outcome} testId="emergency-contacts-outcome" />
        {contacts && contacts.length === 0 && <p>You have not named an emergency contact.</p>}
        {contacts && contacts.length > 0 && (
          <ul className="plain-list" data-testid="emergency-contacts">
            {contacts.map((contact) => (
              <ContactRow
                key={contact.grantId}
                contact={contact}
                onChanged={(message) => {
                  said(message);
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
