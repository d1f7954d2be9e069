"use client";

import { useCallback, useEffect, useState } from "react";
import { NoteForm } from "@/app/chart/record-forms";
import { FileViewer } from "@/app/chart/file-viewer";
import { Fields } from "@/app/chart/readable-resource";
import { fileType } from "@/app/chart/record-detail";
import { VaultGate } from "@/app/_components/vault-gate";
import { ApiError } from "@/lib/client/api";
import { summarize } from "@/lib/client/fhir-records";
import { contributeRecord, loadSharedWithMe, type SharedPatient } from "@/lib/client/sharing";
import { ShareCodeCard } from "./share-code-card";
import { StatusLines } from "@/app/_components/status-lines";

function Shared() {
  const [patients, setPatients] = useState<SharedPatient[] | null>(null);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string | null>(null);
  const [writingFor, setWritingFor] = useState<string | null>(null);
  const [message, setMessage] = useState<string>();

  const refresh = useCallback(
    () => loadSharedWithMe().then(setPatients, () => setError("What was shared with you could not be verified or loaded.")),
    [],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <>
      <ShareCodeCard />
      <StatusLines message={message} error={error} />
      {!error && !patients && <p role="status">Decrypting what was shared with you…</p>}
      {patients?.length === 0 && <p>No patient is sharing records with you right now.</p>}
      {patients?.map((patient, index) => {
        const name = patient.revealedName ?? `Patient ${patient.patientId.slice(0, 8)}`;
        // One patient may share twice (say, read only and with notes): each region needs its own name.
        const sameName = patients.filter((other) => (other.revealedName ?? `Patient ${other.patientId.slice(0, 8)}`) === name);
        const heading = sameName.length > 1 ? `${name} (share ${sameName.indexOf(patient) + 1} of ${sameName.length})` : name;
        return (
          <section key={patient.grantId} className="card" aria-labelledby={`shared-patient-${index}`} data-testid="shared-patient">
            <h2 id={`shared-patient-${index}`}>{heading}</h2>
            <p className="hint">
              {patient.permission === "read" ? "Read only" : "Read and add notes"}
              {patient.expiresAt ? ` · until ${patient.expiresAt.slice(0, 10)}` : ""}
            </p>
            {patient.refused > 0 && (
              <p className="integrity-warning" role="alert">
                {patient.refused} shared records could not be verified and are not shown.
                {patient.rolledBack > 0 && ` ${patient.rolledBack} of them were older versions than this browser has already shown you.`}
              </p>
            )}
            <ul className="list">
              {patient.records.map((record) => (
                <li key={record.id} className="list-row">
                  <div>
                    <button type="button" className="link-button" onClick={() => setOpen(open === record.id ? null : record.id)}>
                      {summarize(record.document.resource)?.title}
                    </button>
                    {record.author && <p className="hint">Written by {record.author.name === "You" ? "you" : record.author.name}</p>}
                    {open === record.id && record.document.file && (
                      <FileViewer file={record.document.file} name={summarize(record.document.resource)?.title ?? "file"} type={fileType(record.document)} />
                    )}
                    {open === record.id && <Fields resource={record.document.resource} />}
                  </div>
                </li>
              ))}
            </ul>
            {patient.permission === "contribute" &&
              (writingFor === patient.grantId ? (
                <NoteForm
                  onSave={async (document) => {
                    setError(undefined);
                    try {
                      await contributeRecord(patient.grantId, document);
                      setWritingFor(null);
                      setMessage(`Your note was encrypted to ${name} and added to their chart.`);
                      await refresh();
                    } catch (caught) {
                      setError(caught instanceof ApiError ? caught.message : "The note could not be added. Please try again.");
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

export function SharedView() {
  return (
    <VaultGate>
      <Shared />
    </VaultGate>
  );
}
