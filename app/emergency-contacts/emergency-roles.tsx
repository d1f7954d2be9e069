"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { ReadableRecord } from "@/app/chart/readable-record";
import { describeFailure } from "@/client/failures";
import { formatDateTime } from "@/client/format";
import { shortAccountId } from "@/client/emergency/contact-names";
import {
  listEmergencyRoles,
  openEmergencySet,
  requestEmergencyAccess,
  type EmergencyRole,
  type OpenedEmergencySet,
} from "@/client/emergency/emergency-contacts";
import { groupEmergencySet } from "@/client/emergency/grouped-set";
import { useVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { stateWords, waitWords } from "./emergency-words";
import { OutcomeLines, useOutcome } from "./outcome";
import { useLiveReload } from "./use-live-reload";

const roleFailureWords = {
  accessEnded: "Emergency access is not open, or has ended.",
  integrity: "The emergency set did not verify: it may have been altered on the server. Nothing from it is shown.",
  unreachable: "Health Safe Cloud could not be reached. Check your connection and try again.",
};

/**
 * An opened emergency set, read as emergency staff need it: allergies first (criticality said
 * beside each, without opening it), then medications, problems, immunizations and any other
 * record the patient named; each record's full detail a click away.
 */
function OpenedSet({ opened }: { opened: OpenedEmergencySet }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [opened]);
  const groups = groupEmergencySet(opened.records);
  return (
    <section aria-labelledby={`set-${opened.grantId}`} data-testid="emergency-set">
      <h3 id={`set-${opened.grantId}`} ref={heading} tabIndex={-1}>
        Emergency set{opened.revealedName ? ` of ${opened.revealedName}` : ""}
      </h3>
      {opened.refused > 0 && (
        <p className="form-error" role="alert">
          {opened.refused} records did not verify and are not shown.
        </p>
      )}
      {groups.length === 0 && <p>The emergency set is empty.</p>}
      {groups.map((group) => (
        <section key={group.key} aria-labelledby={`set-${opened.grantId}-${group.key}`} data-testid="emergency-group" data-kind={group.key}>
          <h4 id={`set-${opened.grantId}-${group.key}`}>
            {group.heading} ({group.records.length})
          </h4>
          <ul className="list">
            {group.records.map((entry) => (
              <li key={entry.record.id} data-testid="emergency-record">
                <details>
                  <summary>
                    <span data-testid="emergency-record-title">{entry.title}</span>
                    {entry.criticality && (
                      <>
                        {" — "}
                        <strong className={entry.criticality === "high criticality" ? "form-error" : undefined} data-testid="emergency-criticality">
                          {entry.criticality}
                        </strong>
                      </>
                    )}
                  </summary>
                  <ReadableRecord document={entry.record.document} />
                </details>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

function RoleRow({ role, onChanged }: { role: EmergencyRole; onChanged: () => void }) {
  const vault = useVault((state) => state.vault);
  const [busy, setBusy] = useState(false);
  const { outcome, said, failed, clear } = useOutcome();
  const [opened, setOpened] = useState<OpenedEmergencySet | null>(null);
  async function ask() {
    setBusy(true);
    clear();
    try {
      const answer = await requestEmergencyAccess(role.grantId, httpTransport);
      said(
        answer.state === "open"
          ? "Access requested: it is open now. Read the emergency set below."
          : `Access requested. It opens ${answer.opensAt ? formatDateTime(answer.opensAt) : "when the wait ends"} unless refused; this page updates by itself.`,
      );
      onChanged();
    } catch (caught) {
      failed(describeFailure(caught, roleFailureWords));
    } finally {
      setBusy(false);
    }
  }
  async function read() {
    if (vault.status !== "unlocked") return;
    setBusy(true);
    clear();
    try {
      setOpened(await openEmergencySet(role.grantId, vault, httpTransport));
    } catch (caught) {
      setOpened(null);
      failed(describeFailure(caught, roleFailureWords));
      onChanged();
    } finally {
      setBusy(false);
    }
  }
  return (
    <li className="list-row" data-testid="emergency-role" data-state={role.state}>
      <div>
        <p className="shared-patient-identity">You are an emergency contact for account {shortAccountId(role.patientId)}</p>
        <p className="hint">Wait: {waitWords(role.waitSeconds)}</p>
        <p data-testid="emergency-role-state">
          {stateWords(role.state)}
          {role.state === "requested" && role.opensAt && ` It opens ${formatDateTime(role.opensAt)} unless refused.`}
        </p>
      </div>
      <div className="row-actions">
        {(role.state === "standby" || role.state === "refused") && (
          <button type="button" className="button button-small" onClick={ask} disabled={busy}>
            Request emergency access
          </button>
        )}
        {role.state === "open" && (
          <button type="button" className="button button-small" onClick={read} disabled={busy}>
            Read the emergency set
          </button>
        )}
      </div>
      <div className="row-panel">
        <OutcomeLines outcome={outcome} testId="emergency-role-outcome" />
        {/* Access that ends while the set is shown takes the set off the page. */}
        {opened && role.state === "open" && <OpenedSet opened={opened} />}
      </div>
    </li>
  );
}

/**
 * For any account: who named it their emergency contact, loaded and kept current live (the
 * patient's answers, the end of a wait). The page holds it, to put this part first when it needs action.
 */
export function useEmergencyRoles() {
  const [roles, setRoles] = useState<EmergencyRole[] | null>(null);
  const [error, setError] = useState<string>();
  const reload = useCallback(() => {
    listEmergencyRoles(httpTransport).then(
      (listed) => {
        setError(undefined);
        setRoles(listed);
      },
      (caught: unknown) => setError(describeFailure(caught, roleFailureWords)),
    );
  }, []);
  useEffect(reload, [reload]);
  useLiveReload(reload, roles);
  return { roles, error, reload };
}

/** Who named this account their emergency contact (an account id, nothing more until access opens): request, read. */
export function EmergencyRoles({ roles, error, reload }: ReturnType<typeof useEmergencyRoles>) {
  return (
    <section className="card" aria-labelledby="emergency-roles-title" data-testid="emergency-roles-part">
      <h2 id="emergency-roles-title">You are an emergency contact</h2>
      <div className="actions">
        <button type="button" className="button button-small button-secondary" onClick={reload}>
          Check again
        </button>
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {roles && roles.length === 0 && <p>Nobody has named you their emergency contact.</p>}
      {roles && roles.length > 0 && (
        <ul className="list" data-testid="emergency-roles">
          {roles.map((role) => (
            <RoleRow key={role.grantId} role={role} onChanged={reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
