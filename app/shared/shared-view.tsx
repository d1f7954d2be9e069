"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useState } from "react";
import { NoteForm } from "@/app/chart/record-forms";
import { FileViewer } from "@/app/chart/file-viewer";
import { ReadableRecord } from "@/app/chart/readable-record";
import { RecordGroups, RecordSearch, rowFacts } from "@/app/_components/record-groups";
import { groupRecords, summarizeRecords } from "@/client/records/record-groups";
import { fileType } from "@/app/chart/record-detail";
import { VaultGate } from "@/app/_components/vault-gate";
import { describeFailure, failureKind } from "@/client/failures";
import { summarize } from "@/client/fhir";
import { countOf, formatDay, pluralOf } from "@/client/format";
import type { SharedPatient } from "@/client/sharing/sharing";
import { useSharedWithMe } from "@/client/sharing/shared-store";
import { progressWords } from "@/client/records/record-pages";
import { rememberShownNames } from "@/client/keystore/vault-profile";
import { unlockedVault } from "@/client/keystore/vault-store";
import { ShareCodeCard } from "./share-code-card";
import { StatusLines } from "@/app/_components/status-lines";
import { revealedIdentity } from "@/client/summary/patient-summary";

const displayName = (patient: SharedPatient) => patient.revealedName ?? `Patient ${patient.patientId.slice(0, 8)}`;

/** Why this patient's things can no longer be fetched: the end date passed, or the patient ended the share. */
function accessEndedMessage(patient: SharedPatient, what: string): string {
  if (patient.expiresAt && new Date(patient.expiresAt).getTime() <= Date.now()) {
    return `Your access to ${displayName(patient)}'s records ended on ${formatDay(patient.expiresAt)}, so ${what}.`;
  }
  return `${displayName(patient)} no longer shares this with you, so ${what}.`;
}

/**
 * Keeps, in this clinician's encrypted vault, the names just shown (patients' names, record
 * titles), so their own history names them after the access ends. Never in the page's way.
 */
function rememberShown(patients: SharedPatient[]) {
  const shown = {
    patients: Object.fromEntries(patients.flatMap((patient) => (patient.revealedName ? [[patient.patientId, patient.revealedName] as const] : []))),
    records: Object.fromEntries(
      patients.flatMap((patient) =>
        patient.records.map((record) => [record.id, summarize(record.document.resource, record.document.context)?.title ?? "Record"] as const),
      ),
    ),
  };
  // Best effort: the names are shown either way; only a bug is not let go.
  void rememberShownNames(unlockedVault(), shown).catch((caught: unknown) => {
    if (failureKind(caught) === null) throw caught;
  });
}

/**
 * A link to one share (`/shared#share-<grant id>`, from a notice) lands on it: once the shares
 * have loaded, its heading takes focus and scrolls into view (the browser's own jump to the
 * fragment came before the share was there).
 */
function useFocusSharedHash(loaded: SharedPatient[] | null) {
  useEffect(() => {
    if (!loaded) return;
    const target = window.location.hash.slice(1);
    if (!target.startsWith("share-")) return;
    const heading = document.getElementById(target)?.querySelector<HTMLElement>("h2");
    heading?.focus();
    heading?.scrollIntoView({ block: "start" });
  }, [loaded]);
}

function Shared() {
  const [loaded, setPatients] = useState<SharedPatient[] | null>(null);
  // While the list loads, what is verified so far is shown, with how far it has come.
  const partial = useSharedWithMe((state) => state.partial);
  const progress = useSharedWithMe((state) => state.progress);
  const patients = loaded ?? partial;
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string | null>(null);
  const [writingFor, setWritingFor] = useState<string | null>(null);
  const [message, setMessage] = useState<string>();

  const refresh = useCallback(
    () =>
      // Read afresh on every visit: patients add, change and revoke what they share while this tab keeps its copy.
      useSharedWithMe
        .getState()
        .load({ refresh: true })
        .then(
          (loaded) => {
            setPatients(loaded);
            rememberShown(loaded);
          },
          (caught: unknown) =>
            setError(
              describeFailure(caught, {
                accessEnded: "What was shared with you could not be loaded: your access to it ended.",
                integrity:
                  "What was shared with you could not be verified, so none of it is shown: it was altered after it was shared, or is not what the patient signed.",
              }),
            ),
        ),
    [],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);
  useFocusSharedHash(loaded);

  return (
    <>
      <ShareCodeCard />
      <StatusLines message={message} error={error} />
      <p role="status" aria-live="polite" className="progress-text" data-testid="shared-progress">
        {!error && !loaded ? (progress ? progressWords(progress) : "Decrypting what was shared with you…") : ""}
      </p>
      {loaded?.length === 0 && <p>No patient is sharing records with you right now.</p>}
      {patients?.map((patient, index) => {
        const name = displayName(patient);
        // One patient may share twice (say, read only and with notes): each region needs its own name.
        const sameName = patients.filter((other) => displayName(other) === name);
        const heading = sameName.length > 1 ? `${name} (share ${sameName.indexOf(patient) + 1} of ${sameName.length})` : name;
        return (
          <section
            key={patient.grantId}
            id={`share-${patient.grantId}`}
            className="card"
            aria-labelledby={`shared-patient-${index}`}
            data-testid="shared-patient"
          >
            <h2 id={`shared-patient-${index}`} tabIndex={-1}>
              {heading}
            </h2>
            <p className="shared-patient-identity" data-testid="shared-patient-identity">
              {revealedIdentity(name, patient.revealedBirthDate, true)}
            </p>
            <p>
              <Link
                href={`/summary/shared/${encodeURIComponent(patient.grantId)}`}
                className="button button-small button-secondary"
                aria-label={`Summary of ${heading}`}
              >
                Summary
              </Link>
            </p>
            <p className="hint">
              {patient.permission === "read" ? "Read only" : "Read and add notes"}
              {patient.expiresAt ? ` · until ${formatDay(patient.expiresAt)}` : ""}
            </p>
            {patient.refused > 0 && (
              <p className="integrity-warning" role="alert">
                {countOf(patient.refused, "shared record")} could not be verified and {pluralOf(patient.refused, "is", "are")} not shown.
                {patient.rolledBack > 0 &&
                  ` ${patient.rolledBack > 1 ? `${patient.rolledBack} of them were older versions` : patient.refused === 1 ? "It was an older version" : "One of them was an older version"} than this browser has already shown you.`}
              </p>
            )}
            <SharedRecords patient={patient} index={index} open={open} onToggle={(id) => setOpen(open === id ? null : id)} />
            {patient.permission === "contribute" &&
              (writingFor === patient.grantId ? (
                <NoteForm
                  onSave={async (document) => {
                    setError(undefined);
                    try {
                      await useSharedWithMe.getState().contribute(patient.grantId, document);
                      setWritingFor(null);
                      setMessage(`Your note was encrypted to ${name} and added to their chart.`);
                      await refresh();
                    } catch (caught) {
                      setError(
                        describeFailure(caught, {
                          accessEnded: accessEndedMessage(patient, "your note was not added"),
                          integrity: `${name}'s sharing could not be verified, so your note was not added: what the server sent was altered, or is not what ${name} signed.`,
                          unreachable: "Your note was not added: Health Safe Cloud could not be reached. Check your connection and try again.",
                        }),
                      );
                    }
                  }}
                />
              ) : (
                <button type="button" className="button button-small" onClick={() => setWritingFor(patient.grantId)}>
                  Add a note to {name}&apos;s chart
                </button>
              ))}
          </section>
        );
      })}
    </>
  );
}

/**
 * One patient's shared records, grouped by kind and sorted by date as in the patient's own
 * chart, with the same search; each opens in place to its readable detail.
 */
function SharedRecords({ patient, index, open, onToggle }: { patient: SharedPatient; index: number; open: string | null; onToggle: (id: string) => void }) {
  const [query, setQuery] = useState("");
  const summarized = useMemo(() => summarizeRecords(patient.records), [patient.records]);
  const groups = useMemo(() => groupRecords(summarized, query), [summarized, query]);
  const name = displayName(patient);
  return (
    <>
      {patient.records.length > 0 && (
        <div className="chart-tools">
          <RecordSearch id={`shared-search-${index}`} label={`Search ${name}'s records`} value={query} onChange={setQuery} />
        </div>
      )}
      {query && groups.length === 0 && <p>No record matches your search.</p>}
      <RecordGroups
        groups={groups}
        idPrefix={`shared-${index}-group`}
        level={3}
        renderRow={({ item: record, summary }) => (
          <li key={record.id} className="list-row">
            <div>
              <button type="button" className="link-button" aria-expanded={open === record.id} onClick={() => onToggle(record.id)}>
                {summary?.title ?? "Record"}
              </button>
              {rowFacts(summary) && <span className="hint"> · {rowFacts(summary)}</span>}
              {record.authorship && <p className="hint">{record.authorship}</p>}
              {open === record.id && record.document.file && (
                <FileViewer
                  file={record.document.file}
                  name={summary?.title ?? "file"}
                  type={fileType(record.document)}
                  accessEnded={accessEndedMessage(patient, "the file could not be downloaded")}
                />
              )}
              {open === record.id && <ReadableRecord document={record.document} records={patient.records} />}
            </div>
          </li>
        )}
      />
    </>
  );
}

export function SharedView() {
  return (
    <VaultGate>
      <Shared />
    </VaultGate>
  );
}
