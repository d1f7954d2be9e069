"use client";

import { useEffect, useRef, useState } from "react";
import { requestKeyMaintenance } from "@/app/_components/key-maintenance";
import { describeFailure } from "@/client/failures";
import { formatDateTime } from "@/client/format";
import { contactLabel } from "@/client/emergency/contact-names";
import { approveEmergencyRequest, endEmergencyContact, refuseEmergencyRequest, type EmergencyContact } from "@/client/emergency/emergency-contacts";
import { useVault } from "@/client/keystore/vault-store";
import { nameContact } from "@/client/sharing/contacts";
import { httpTransport } from "@/client/transport/api";
import { ContactDetailFields } from "./contact-detail-fields";
import { failureWords, stateWords, waitWords } from "./emergency-words";
import { OutcomeLines, useOutcome } from "./outcome";

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
      <ContactDetailFields idPrefix={`contact-details-${contactId}`} name={name} onName={setName} reach={reach} onReach={setReach} nameRef={first} />
      <div className="actions">
        <button type="submit" className="button button-small" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
      <OutcomeLines outcome={outcome} />
    </form>
  );
}

/** One of a patient's emergency contacts: where it stands, and the patient's answers (approve, refuse, rename, end). */
export function ContactRow({ contact, onChanged }: { contact: EmergencyContact; onChanged: (message: string) => void }) {
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
    <li className="list-row" data-testid="emergency-contact" data-state={contact.state} data-grant={contact.grantId}>
      <div>
        <p className="shared-patient-identity">
          <span data-testid="emergency-contact-name">{name ?? "A contact you have not named"}</span> <span className="hint">(account {account})</span>
        </p>
        <p className="hint">
          Wait: {waitWords(contact.waitSeconds)} · {contact.recordIds.length} records
        </p>
        <p data-testid="emergency-contact-state">
          {stateWords(contact.state)}
          {contact.state === "requested" && contact.opensAt && ` Opens ${formatDateTime(contact.opensAt)} unless you refuse.`}
        </p>
      </div>
      <div className="row-actions">
        {contact.state === "requested" && (
          <>
            <button type="button" className="button button-small" onClick={() => act("approve")} disabled={busy}>
              Approve now
            </button>
            <button type="button" className="button button-small button-secondary" onClick={() => act("refuse")} disabled={busy}>
              Refuse
            </button>
          </>
        )}
        {contact.state !== "ended" && !editing && (
          <>
            <button type="button" className="button button-small button-secondary" onClick={() => setEditing(true)} disabled={busy}>
              {name ? "Change name or phone" : "Add their name"}
            </button>
            <button type="button" className="button button-small button-danger" onClick={() => act("end")} disabled={busy}>
              End emergency access
            </button>
          </>
        )}
      </div>
      <div className="row-panel">
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
      </div>
    </li>
  );
}
