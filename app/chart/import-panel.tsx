"use client";

import { useState } from "react";
import { ImportError, planImport, type ImportPlan } from "@/lib/client/fhir-records";
import { createRecords } from "@/lib/client/records";
import { useChart } from "./chart-store";
import { countOf, pluralOf } from "@/lib/client/format";

const maxFileBytes = 20 * 1024 * 1024;

/** Reads a FHIR Bundle in the browser, shows what will and will not be imported, then stores it in one request. */
export function ImportPanel() {
  const reload = useChart((state) => state.reload);
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  async function choose(file: File | undefined) {
    setPlan(null);
    setError(undefined);
    setStatus(undefined);
    if (!file) return;
    if (file.size > maxFileBytes) return setError("This file is larger than 20 MB. Split the bundle and import the parts.");
    try {
      setPlan(planImport(JSON.parse(await file.text())));
    } catch (caught) {
      setError(caught instanceof ImportError ? caught.message : "This file is not valid JSON, so it cannot be a FHIR Bundle.");
    }
  }

  async function importPlanned() {
    if (!plan) return;
    setStatus(`Encrypting and saving ${countOf(plan.records.length, "record")}…`);
    try {
      await createRecords(plan.records.map((record) => ({ v: 1, kind: record.kind, resource: record.resource, ...(record.fullUrl ? { fullUrl: record.fullUrl } : {}) })));
      setPlan(null);
      await reload();
      setStatus(`Imported ${countOf(plan.records.length, "record")}.`);
    } catch {
      setStatus(undefined);
      setError("The import failed and nothing was saved. Please try again.");
    }
  }

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import a FHIR file</h2>
      <p className="hint">A FHIR Bundle (document or collection), such as an International Patient Summary. It is read and encrypted here, in your browser.</p>
      <label htmlFor="import-file">Bundle file (.json)</label>
      <input id="import-file" type="file" accept=".json,application/json,application/fhir+json" onChange={(event) => choose(event.target.files?.[0])} />
      {plan && (
        <div data-testid="import-plan">
          <p>
            Ready to import <strong>{new Intl.NumberFormat().format(plan.records.length)}</strong> {pluralOf(plan.records.length, "record")}.
          </p>
          {plan.skipped.length > 0 && (
            <details>
              <summary>{countOf(plan.skipped.length, "entry", "entries")} will not be imported</summary>
              <ul>
                {plan.skipped.map((entry) => (
                  <li key={entry.index}>
                    Entry {entry.index + 1}: {entry.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <button type="button" className="button" onClick={importPlanned} disabled={plan.records.length === 0}>
            Import {countOf(plan.records.length, "record")}
          </button>
        </div>
      )}
      <p role="status" aria-live="polite" className="progress-text">
        {status}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
