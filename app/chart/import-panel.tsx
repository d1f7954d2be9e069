"use client";

import { useRef, useState, type RefObject } from "react";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { fromBase64 } from "@/crypto";
import { ImportError, planImport, type FhirResource, type ImportPlan } from "@/client/fhir";
import { uploadEncryptedFile } from "@/client/records/files";
import { createRecords, RecordsPartlySavedError, type RecordDocument } from "@/client/records/records";
import { describeFailure } from "@/client/failures";
import { useChart } from "@/client/records/chart-store";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { countOf } from "@/client/format";

const maxFileBytes = 20 * 1024 * 1024;

type Planned = ImportPlan["records"][number];

/**
 * A file record whose contents are inline (base64 `attachment.data`, as "Export all" writes
 * them) becomes an encrypted file like an upload: the contents go to the file store, and
 * the record keeps the attachment's type, title and size. Everything else is stored as it is.
 */
async function toDocument(record: Planned): Promise<RecordDocument & { recordId?: string }> {
  const base = { v: 1 as const, kind: record.kind, resource: record.resource, ...(record.fullUrl ? { fullUrl: record.fullUrl } : {}) };
  const content = Array.isArray(record.resource.content) ? (record.resource.content as Array<{ attachment?: Record<string, unknown> }>) : [];
  const attachment = content[0]?.attachment;
  if (record.kind !== "document" || typeof attachment?.data !== "string") return base;
  const { data, ...rest } = attachment;
  // Data that is not base64 throws CryptoError("malformed"): the import stops, saying a file could not be checked.
  const bytes = new Uint8Array(fromBase64(data));
  const recordId = crypto.randomUUID();
  const file = await uploadEncryptedFile(new Blob([bytes]), { recordId, version: 1, keyVersion: 1 }, () => undefined, httpTransport);
  const resource: FhirResource = { ...record.resource, content: [{ ...content[0], attachment: { ...rest, size: bytes.length } }, ...content.slice(1)] };
  return { ...base, recordId, resource, file };
}

/** Reads a FHIR Bundle in the browser, shows what will and will not be imported, then stores it in one request. */
export function ImportPanel() {
  const reload = useChart((state) => state.reload);
  const [plan, setPlan] = useState<ImportPlan | null>(null);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

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
    setBusy(true);
    try {
      const documents: Array<RecordDocument & { recordId?: string }> = [];
      for (const record of plan.records) documents.push(await toDocument(record));
      await createRecords(documents, unlockedVault(), httpTransport);
      setPlan(null);
      await reload();
      setStatus(`Imported ${countOf(plan.records.length, "record")}.`);
    } catch (caught) {
      setStatus(undefined);
      // A large import goes in several requests: one failing after the first leaves the earlier ones saved.
      const partly = caught instanceof RecordsPartlySavedError ? caught : null;
      const reason = describeFailure(partly ? partly.reason : caught, {
        accessEnded: "Please try again.",
        integrity: "A file of the import could not be checked.",
      });
      if (partly) {
        setPlan(null);
        await reload();
        setError(`The import stopped after ${countOf(partly.saved, "record")} of ${plan.records.length} were saved; they are in your chart. ${reason}`);
      } else {
        setError(`The import failed and nothing was saved. ${reason}`);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import a FHIR file</h2>
      <p className="hint">A FHIR Bundle (document or collection), such as an International Patient Summary. It is read and encrypted here, in your browser.</p>
      <label htmlFor="import-file">Bundle file (.json)</label>
      <input
        ref={fileInput}
        id="import-file"
        type="file"
        accept=".json,application/json,application/fhir+json"
        onChange={(event) => choose(event.target.files?.[0])}
      />
      {plan && (
        <PlanPanel
          plan={plan}
          opener={fileInput}
          busy={busy}
          onImport={importPlanned}
          onCancel={() => {
            setPlan(null);
            if (fileInput.current) fileInput.current.value = "";
          }}
        />
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

/** What the chosen bundle holds: takes focus when it opens, gives it back to the file input when it closes. */
function PlanPanel({
  plan,
  opener,
  busy,
  onImport,
  onCancel,
}: {
  plan: ImportPlan;
  opener: RefObject<HTMLElement | null>;
  busy: boolean;
  onImport: () => void;
  onCancel: () => void;
}) {
  const heading = usePanelFocus(opener);
  return (
    <div data-testid="import-plan" className="import-plan">
      <h3 ref={heading} tabIndex={-1} className="panel-title">
        Ready to import {countOf(plan.records.length, "record")}.
      </h3>
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
      <div className="actions">
        <button type="button" className="button" onClick={onImport} disabled={busy || plan.records.length === 0}>
          Import {countOf(plan.records.length, "record")}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}
