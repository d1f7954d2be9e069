"use client";

import { useEffect, useState } from "react";
import { Fields } from "@/app/chart/readable-resource";
import { VaultGate } from "@/app/_components/vault-gate";
import { summarize } from "@/lib/client/fhir-records";
import { loadSharedWithMe, type SharedPatient } from "@/lib/client/sharing";

function Shared() {
  const [patients, setPatients] = useState<SharedPatient[] | null>(null);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    loadSharedWithMe().then(setPatients, () => setError("What was shared with you could not be verified or loaded."));
  }, []);

  if (error) return <p className="form-error" role="alert">{error}</p>;
  if (!patients) return <p role="status">Decrypting what was shared with you…</p>;
  if (patients.length === 0) return <p>No patient is sharing records with you right now.</p>;
  return (
    <>
      {patients.map((patient) => (
        <section key={patient.grantId} className="card" aria-label={`Patient ${patient.patientId.slice(0, 8)}`} data-testid="shared-patient">
          <h2>Patient {patient.patientId.slice(0, 8)}</h2>
          <p className="hint">
            {patient.permission === "read" ? "Read only" : "Read and add notes"}
            {patient.expiresAt ? ` · until ${patient.expiresAt.slice(0, 10)}` : ""}
          </p>
          {patient.refused > 0 && (
            <p className="integrity-warning" role="alert">
              {patient.refused} shared records could not be verified and are not shown.
            </p>
          )}
          <ul className="list">
            {patient.records.map((record) => (
              <li key={record.id} className="list-row">
                <button type="button" className="link-button" onClick={() => setOpen(open === record.id ? null : record.id)}>
                  {summarize(record.document.resource)?.title}
                </button>
                {open === record.id && <Fields resource={record.document.resource} />}
              </li>
            ))}
          </ul>
        </section>
      ))}
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
