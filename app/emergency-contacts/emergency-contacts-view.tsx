"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { ShareCodeCard } from "@/app/shared/share-code-card";
import { describeFailure } from "@/client/failures";
import { listEmergencyContacts, type EmergencyContact } from "@/client/emergency/emergency-contacts";
import { useChart } from "@/client/records/chart-store";
import type { OkEntry } from "@/client/records/records";
import { httpTransport } from "@/client/transport/api";
import { ContactRow } from "./contact-row";
import { EmergencyRoles, useEmergencyRoles } from "./emergency-roles";
import { contactPartFirst, failureWords } from "./emergency-words";
import { NameContactForm } from "./name-contact-form";
import { OutcomeLines, useOutcome } from "./outcome";
import { useLiveReload } from "./use-live-reload";

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
        <p className="hint">
          An emergency contact can ask for your emergency set when you cannot share it yourself. You are told at once, and can approve or refuse; if you do
          nothing, it opens when the wait ends, even while you are signed out. You can end it at any time.
        </p>
        <div className="actions">
          <button type="button" className="button button-small button-secondary" onClick={reload}>
            Refresh
          </button>
        </div>
        {loadError && (
          <p role="alert" className="form-error">
            {loadError}
          </p>
        )}
        <OutcomeLines outcome={outcome} testId="emergency-contacts-outcome" />
        {contacts && contacts.length === 0 && <p>You have not named an emergency contact.</p>}
        {contacts && contacts.length > 0 && (
          <ul className="list" data-testid="emergency-contacts">
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

/**
 * The page's parts in the order a person needs them: someone's contact with a request waiting or
 * access open finds that first; otherwise a patient's own contacts lead. The order is settled when
 * the page opens: parts never swap places under a person acting on them.
 */
function EmergencyParts({ patient }: { patient: boolean }) {
  const roles = useEmergencyRoles();
  const [settled, setSettled] = useState<boolean | null>(null);
  if (settled === null && roles.roles !== null) setSettled(contactPartFirst(roles.roles));
  // A patient's contact part waits for the order, rather than appearing below and jumping up.
  const contactFirst = !patient || settled === true;
  return (
    <>
      {contactFirst && <EmergencyRoles {...roles} />}
      {patient && <OwnContacts />}
      {patient && settled === false && <EmergencyRoles {...roles} />}
      <ShareCodeCard forEmergency />
    </>
  );
}

/** Emergency contacts: a patient's own (name, answer, end) and, for any account, the people who named it. */
export function EmergencyContactsView({ patient }: { patient: boolean }) {
  return (
    <VaultGate>
      <EmergencyParts patient={patient} />
    </VaultGate>
  );
}
