"use client";

import { useEffect, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { loadMyActions, type ActionEntry } from "@/client/audit/audit";
import { listOf } from "@/client/format";
import { loadRevealedNames } from "@/client/sharing/sharing";
import { httpTransport } from "@/client/transport/api";
import { unlockedVault, useVault } from "@/client/keystore/vault-store";
import { labelOf, outcomeLabel, when } from "./action-labels";
import { reportIfBug } from "@/client/failures";

const unknownRecord = "a record you no longer have access to";
const departedPatient = "A patient who has since deleted their account";

/** What this clinician received, downloaded or added in other people's charts, newest first (refusals are in the patients' trails only). */
function History() {
  const [events, setEvents] = useState<ActionEntry[] | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [failed, setFailed] = useState(false);
  // What this browser showed the clinician while they had access, kept in their encrypted vault.
  const shown = useVault((state) => (state.vault.status === "unlocked" ? state.vault.profile.shownNames : undefined));

  useEffect(() => {
    (async () => {
      // Names come from the grants alone: opening records here would itself show up in the patients' trails.
      const [actions, revealed] = await Promise.all([
        loadMyActions(),
        loadRevealedNames(unlockedVault(), httpTransport).catch((error: unknown) => {
          reportIfBug(error);
          return new Map<string, string>();
        }),
      ]);
      setNames(revealed);
      setEvents(actions);
    })().catch((error: unknown) => {
      reportIfBug(error);
      setFailed(true);
    });
  }, []);

  if (failed)
    return (
      <p className="form-error" role="alert">
        Your access history could not be loaded. Please try again.
      </p>
    );
  if (!events) return <p role="status">Loading your access history…</p>;
  if (events.length === 0) return <p>You have not received anyone&apos;s records yet.</p>;
  const patientName = (patientId: string | null) =>
    patientId === null ? departedPatient : (names.get(patientId) ?? shown?.patients[patientId] ?? "A patient who no longer shares with you");
  const recordTitle = (recordId: string) => shown?.records[recordId] ?? unknownRecord;
  const recordsOf = (event: ActionEntry) =>
    event.recordId ? recordTitle(event.recordId) : event.recordIds?.length ? listOf(event.recordIds.map(recordTitle)) : "—";
  return (
    <table className="history-table stacked-table" data-testid="history-table">
      <caption className="visually-hidden">What you received or added, when</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Patient</th>
          <th scope="col">What</th>
          <th scope="col">Record</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => (
          <tr key={index} data-testid="history-row">
            <td data-label="When">
              <time dateTime={event.occurredAt}>{when(event.occurredAt)}</time>
            </td>
            <td data-label="Patient">{patientName(event.subjectId)}</td>
            <td data-label="What">{labelOf(event)}</td>
            <td data-label="Record">{recordsOf(event)}</td>
            <td data-label="Outcome">{outcomeLabel(event.outcome)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ClinicianHistory() {
  return (
    <VaultGate>
      <History />
    </VaultGate>
  );
}
