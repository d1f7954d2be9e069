"use client";

import { useCallback, useEffect, useState } from "react";
import { ReadableRecord } from "@/app/chart/readable-record";
import { describeFailure } from "@/client/failures";
import { formatDateTime } from "@/client/format";
import {
  listEmergencyRoles,
  openEmergencySet,
  requestEmergencyAccess,
  type EmergencyRole,
  type OpenedEmergencySet,
} from "@/client/emergency/emergency-contacts";
import { useVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { stateWords, waitWords } from "./emergency-words";

const failureWords = {
  accessEnded: "Emergency access is not open, or has ended.",
  integrity: "The emergency set did not verify: it may have been altered on the server. Nothing from it is shown.",
  unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
};

function RoleRow({ role, onChanged }: { role: EmergencyRole; onChanged: () => void }) {
  const vault = useVault((state) => state.vault);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [opened, setOpened] = useState<OpenedEmergencySet | null>(null);
  async function ask() {
    setBusy(true);
    setError(undefined);
    try {
      await requestEmergencyAccess(role.grantId, httpTransport);
      onChanged();
    } catch (caught) {
      setError(describeFailure(caught, failureWords));
    } finally {
      setBusy(false);
    }
  }
  async function read() {
    if (vault.status !== "unlocked") return;
    setBusy(true);
    setError(undefined);
    try {
      setOpened(await openEmergencySet(role.grantId, vault, httpTransport));
    } catch (caught) {
      setOpened(null);
      setError(describeFailure(caught, failureWords));
      onChanged();
    } finally {
      setBusy(false);
    }
  }
  return (
    <li data-testid="emergency-role" data-state={role.state}>
      <p>
        You are an emergency contact for account {role.patientId.slice(0, 8)}… · wait: {waitWords(role.waitSeconds)}
      </p>
      <p data-testid="emergency-role-state">
        {stateWords(role.state)}
        {role.state === "requested" && role.opensAt && ` It opens ${formatDateTime(role.opensAt)} unless refused.`}
      </p>
      {(role.state === "standby" || role.state === "refused") && (
        <button type="button" onClick={ask} disabled={busy}>
          Request emergency access
        </button>
      )}
      {role.state === "open" && (
        <button type="button" onClick={read} disabled={busy}>
          Read the emergency set
        </button>
      )}
      <p role="alert" className="form-error">
        {error}
      </p>
      {opened && (
        <section aria-label="Emergency set" data-testid="emergency-set">
          <h3>Emergency set{opened.revealedName ? ` of ${opened.revealedName}` : ""}</h3>
          {opened.refused > 0 && (
            <p className="form-error" role="alert">
              {opened.refused} records did not verify and are not shown.
            </p>
          )}
          {opened.records.length === 0 && <p>The emergency set is empty.</p>}
          <ul className="plain-list">
            {opened.records.map((record) => (
              <li key={record.id} data-testid="emergency-record">
                <ReadableRecord document={record.document} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </li>
  );
}

/** For any account: who named it their emergency contact (an account id, nothing more until access opens), request, read. */
export function EmergencyRoles() {
  const [roles, setRoles] = useState<EmergencyRole[] | null>(null);
  const [error, setError] = useState<string>();
  const reload = useCallback(() => {
    listEmergencyRoles(httpTransport).then(setRoles, (caught: unknown) => setError(describeFailure(caught, failureWords)));
  }, []);
  useEffect(reload, [reload]);
  return (
    <section className="card" aria-labelledby="emergency-roles-title">
      <h2 id="emergency-roles-title">You are an emergency contact</h2>
      <button type="button" className="button-secondary" onClick={reload}>
        Check again
      </button>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {roles && roles.length === 0 && <p>Nobody has named you their emergency contact.</p>}
      {roles && roles.length > 0 && (
        <ul className="plain-list" data-testid="emergency-roles">
          {roles.map((role) => (
            <RoleRow key={role.grantId} role={role} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
