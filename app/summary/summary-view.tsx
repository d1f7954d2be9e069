"use client";

import { useEffect, useMemo, useState } from "react";
import { Field } from "@/app/_components/field";
import { VaultGate } from "@/app/_components/vault-gate";
import type { RecordKind } from "@/client/fhir/types";
import { useChart } from "@/client/records/chart-store";
import { progressWords } from "@/client/records/record-pages";
import { useVault } from "@/client/keystore/vault-store";
import { isRevealableBirthDate } from "@/client/sharing/sharing";
import { availableExtras, buildPatientSummary } from "@/client/summary/patient-summary";
import { ExtraKindsChoice } from "./extra-kinds-choice";
import { SummaryActions } from "./summary-actions";
import { SummaryDocument } from "./summary-document";

/**
 * The patient's own summary, made in this browser from the decrypted chart: the IPS sections,
 * the extra kinds they tick, and the name (and, if they add it, date of birth) they want on it.
 */
function OwnSummary() {
  const { entries: loaded, complete, progress, error, ensureLoaded } = useChart();
  // A summary of part of the chart could say "none" of what is on a page not read yet: it waits for the whole chart.
  const entries = complete ? loaded : null;
  const vault = useVault((state) => state.vault);
  const [extras, setExtras] = useState<RecordKind[]>([]);
  const [name, setName] = useState(vault.status === "unlocked" ? vault.profile.displayName : "");
  const [birthDate, setBirthDate] = useState("");
  useEffect(() => {
    void ensureLoaded();
  }, [ensureLoaded]);

  const records = useMemo(
    () => (entries ?? []).flatMap((entry) => (entry.status === "ok" ? [{ resource: entry.document.resource, context: entry.document.context }] : [])),
    [entries],
  );
  const typedBirthDate = birthDate.trim();
  const birthDateError =
    typedBirthDate && !isRevealableBirthDate(typedBirthDate) ? "Enter a year (1957), a year and month (1957-07) or a full date (1957-07-06)." : undefined;
  const summary = useMemo(
    () =>
      buildPatientSummary({
        records,
        extras,
        patient: { name: name.trim() || "Patient", birthDate: typedBirthDate && !birthDateError ? typedBirthDate : null, shared: false },
        madeAt: new Date(),
      }),
    [records, extras, name, typedBirthDate, birthDateError],
  );

  if (error) {
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  }
  if (!entries) return <p role="status">{progress ? progressWords(progress) : "Decrypting your chart…"}</p>;
  return (
    <>
      <div className="card summary-no-print summary-controls">
        <p>Made in your browser from your records. Choose what it shows, then print it or download it as a PDF.</p>
        <ExtraKindsChoice available={availableExtras(records)} chosen={extras} onChange={setExtras} />
        <Field
          id="summary-name"
          label="Your name on the summary"
          value={name}
          maxLength={200}
          autoComplete="name"
          onChange={(event) => setName(event.target.value)}
        />
        <Field
          id="summary-birth-date"
          label="Your date of birth (optional)"
          hint="A year, a year and month, or a full date: 1957, 1957-07 or 1957-07-06."
          value={birthDate}
          maxLength={10}
          inputMode="numeric"
          autoComplete="bday"
          error={birthDateError}
          onChange={(event) => setBirthDate(event.target.value)}
        />
        <SummaryActions summary={summary} fileName="patient-summary" />
      </div>
      <SummaryDocument summary={summary} />
    </>
  );
}

export function SummaryView() {
  return (
    <VaultGate>
      <OwnSummary />
    </VaultGate>
  );
}
