"use client";

import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { describeFailure } from "@/client/failures";
import type { RecordKind } from "@/client/fhir/types";
import type { SharedPatient } from "@/client/sharing/sharing";
import { useSharedWithMe } from "@/client/sharing/shared-store";
import { progressWords } from "@/client/records/record-pages";
import { availableExtras, buildPatientSummary } from "@/client/summary/patient-summary";
import { ExtraKindsChoice } from "../../extra-kinds-choice";
import { SummaryActions } from "../../summary-actions";
import { SummaryDocument } from "../../summary-document";

/** The summary of what one grant shares, for print: the records verified as on Shared with me, and the patient as revealed. */
function SharedSummary({ patient }: { patient: SharedPatient }) {
  const records = useMemo(() => patient.records.map((record) => ({ resource: record.document.resource, context: record.document.context })), [patient]);
  const available = useMemo(() => availableExtras(records), [records]);
  // What the patient shared is what they chose: every kind of it is in, unless the clinician leaves some out.
  const [extras, setExtras] = useState<RecordKind[]>(() => available.map((entry) => entry.kind));
  const summary = useMemo(
    () =>
      buildPatientSummary({
        records,
        extras,
        patient: { name: patient.revealedName ?? `Patient ${patient.patientId.slice(0, 8)}`, birthDate: patient.revealedBirthDate, shared: true },
        madeAt: new Date(),
      }),
    [records, extras, patient],
  );
  return (
    <>
      <div className="card summary-no-print summary-controls">
        <p>
          Made in your browser from the records this patient shares with you. <Link href="/shared">Back to Shared with me</Link>
        </p>
        <ExtraKindsChoice available={available} chosen={extras} onChange={setExtras} />
        <SummaryActions summary={summary} fileName="shared-patient-summary" />
      </div>
      {patient.refused > 0 && (
        <p className="integrity-warning summary-no-print" role="alert">
          Some shared records could not be verified and are not in this summary.
        </p>
      )}
      <SummaryDocument summary={summary} />
    </>
  );
}

/** Until the whole list is in (a summary of part of it could say "none" of what is still to come): how far it has come. */
function SharedLoading() {
  const progress = useSharedWithMe((state) => state.progress);
  return <p role="status">{progress ? progressWords(progress) : "Decrypting what was shared with you…"}</p>;
}

function SharedSummaryLoader({ grantId }: { grantId: string }) {
  const [patients, setPatients] = useState<SharedPatient[] | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    // The list as Shared with me loaded it, when it did: the records are not fetched (nor logged) twice.
    useSharedWithMe
      .getState()
      .load()
      .then(setPatients, (caught: unknown) =>
        setError(
          describeFailure(caught, {
            accessEnded: "This summary could not be made: your access to these records ended.",
            integrity: "What was shared with you could not be verified, so no summary is made from it.",
          }),
        ),
      );
  }, []);
  if (error) {
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  }
  if (!patients) return <SharedLoading />;
  const patient = patients.find((candidate) => candidate.grantId === grantId);
  if (!patient) {
    return (
      <p>
        This patient no longer shares these records with you. <Link href="/shared">Back to Shared with me</Link>
      </p>
    );
  }
  return <SharedSummary patient={patient} />;
}

export function SharedSummaryView({ grantId }: { grantId: string }) {
  return (
    <VaultGate>
      <SharedSummaryLoader grantId={grantId} />
    </VaultGate>
  );
}
