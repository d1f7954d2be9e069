"use client";

import { useEffect, useRef, useState } from "react";
import { EmergencySetFields } from "@/app/_components/emergency-set-fields";
import { Field } from "@/app/_components/field";
import { emergencyWaits, type EmergencyWait } from "@/contract/emergency";
import { describeFailure } from "@/client/failures";
import { contactFromShareCode, nameEmergencyContact, shareCodeProblem } from "@/client/emergency/emergency-contacts";
import type { RecordKind } from "@/client/fhir/types";
import { useVault } from "@/client/keystore/vault-store";
import type { OkEntry } from "@/client/records/records";
import type { CertifiedKeys } from "@/client/sharing/contacts";
import { httpTransport } from "@/client/transport/api";
import { ContactDetailFields } from "./contact-detail-fields";
import { failureWords, waitWords } from "./emergency-words";
import { OutcomeLines, useOutcome } from "./outcome";

/** A patient names an emergency contact: their share code checked first, then the set, the wait and the names. */
export function NameContactForm({ entries, onNamed }: { entries: OkEntry[]; onNamed: () => void }) {
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
      <p className="hint">
        Your contact opens Emergency contacts in their own account and reads you their share code. Its account and key are checked against the code, so the
        server cannot put another key in their place.
      </p>
      {!contact ? (
        <form onSubmit={lookUp}>
          <Field
            id="contact-code"
            label="Your contact's share code"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <div className="actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Checking…" : "Check the code"}
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={submit}>
          <p className="verified-note" data-testid="contact-checked" ref={checked} tabIndex={-1}>
            The code matches this account&apos;s key. Safety code: <span className="safety-code">{contact.safetyCode.digits}</span>
          </p>
          <ContactDetailFields idPrefix="contact-person" name={contactName} onName={setContactName} reach={reach} onReach={setReach} withHints />
          <EmergencySetFields
            entries={entries}
            kinds={kinds}
            onKinds={setKinds}
            named={named}
            onNamed={setNamed}
            kindsLegend="Emergency set: every record of these kinds, now and later"
          />
          <div className="field">
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
          </div>
          <Field
            id="contact-name"
            label="Your name, as your contact will see it once access opens"
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={200}
            required
          />
          <p className="hint">Read-only: your contact can never change or add records.</p>
          <div className="actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Preparing keys…" : "Name emergency contact"}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setContact(null)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <OutcomeLines outcome={outcome} testId="name-contact-outcome" />
    </section>
  );
}
