"use client";

import { useEffect, useMemo, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { buildExportBundle, recordKinds, summarize, type RecordKind } from "@/lib/client/fhir-records";
import { createRecords, olderThanSeen, type ChartEntry, type RecordDocument } from "@/lib/client/records";
import { useChart } from "./chart-store";
import { ClinicalForm } from "./clinical-form";
import { clinicalForms } from "./clinical-forms";
import { FileUpload } from "./file-upload";
import { ImportPanel } from "./import-panel";
import { RecordDetail } from "./record-detail";
import { NoteForm } from "./record-forms";
import { reportExport } from "@/lib/client/audit";
import { downloadText } from "@/lib/client/download";
import { countOf, formatCalendarDate, localDayKey } from "@/lib/client/format";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;


function Chart() {
  const { entries, error, reload } = useChart();
  const [query, setQuery] = useState("");
  const [openId, setOpenId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [adding, setAdding] = useState<string | null>(null);

  useEffect(() => {
    void reload();
  }, [reload]);

  const rows = useMemo(
    () =>
      (entries ?? [])
        .filter((entry): entry is OkEntry => entry.status === "ok")
        .map((entry) => ({ entry, summary: summarize(entry.document.resource) }))
        .filter((row) => !query.trim() || (row.summary?.text ?? "").toLowerCase().includes(query.trim().toLowerCase()))
        .sort((a, b) => (b.summary?.date ?? "").localeCompare(a.summary?.date ?? "")),
    [entries, query],
  );
  const broken = (entries ?? []).filter((entry) => entry.status === "invalid");
  const open = rows.find((row) => row.entry.id === openId)?.entry;

  async function save(document: RecordDocument) {
    await createRecords([document]);
    // Another form may have been opened while this one was saving: leave that one open.
    setAdding((current) => (current === document.kind ? null : current));
    await reload();
  }

  function exportRecords(only?: Set<string>) {
    const chosen = rows.filter((row) => !only || only.has(row.entry.id));
    const bundle = buildExportBundle(chosen.map(({ entry }) => ({ resource: entry.document.resource, fullUrl: entry.document.fullUrl })), new Date());
    downloadText(`health-records-${localDayKey(new Date())}.json`, JSON.stringify(bundle, null, 2));
    // The export joins the audit trail; a failure to report it does not undo the download.
    void reportExport().catch(() => undefined);
  }

  if (error) return <p className="form-error" role="alert">{error}</p>;
  if (!entries) return <p role="status">Decrypting your chart…</p>;
  return (
    <>
      {broken.length > 0 && (
        <div className="integrity-warning" role="alert" data-testid="integrity-warning">
          <strong>{broken.length === 1 ? "One record could not be verified and is not shown." : `${countOf(broken.length, "record")} could not be verified and are not shown.`}</strong>{" "}
          {broken.some((entry) => entry.reason === olderThanSeen)
            ? "The server sent an older version than this browser has already shown you, which means your records were rolled back or tampered with."
            : broken.length === 1
              ? "Its signature or encryption does not check out, which means it was altered or damaged after it was saved."
              : "Their signature or encryption does not check out, which means they were altered or damaged after they were saved."}
        </div>
      )}
      <div className="chart-tools">
        <label htmlFor="chart-search">Search your records</label>
        <input id="chart-search" type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Name, code or text" />
        <div className="actions">
          <button type="button" className="button button-secondary" onClick={() => setAdding("note")}>
            Add a note
          </button>
          {clinicalForms.map((spec) => (
            <button key={spec.kind} type="button" className="button button-secondary" onClick={() => setAdding(spec.kind)}>
              Add {spec.kind === "allergy" ? "an" : spec.kind === "immunization" ? "an" : "a"} {spec.title}
            </button>
          ))}
          <button type="button" className="button button-secondary" onClick={() => exportRecords()} disabled={rows.length === 0}>
            Export all
          </button>
          <button type="button" className="button button-secondary" onClick={() => exportRecords(selected)} disabled={selected.size === 0}>
            Export selected ({selected.size})
          </button>
        </div>
      </div>
      {adding === "note" && <NoteForm onSave={save} />}
      {clinicalForms
        .filter((spec) => spec.kind === adding)
        .map((spec) => (
          <ClinicalForm key={spec.kind} spec={spec} onSave={save} />
        ))}
      {open && <RecordDetail key={`${open.id}-${open.version}`} entry={open} onClose={() => setOpenId(null)} />}
      {rows.length === 0 && <p>{query ? "No record matches your search." : "Your chart is empty. Add a record or import a FHIR file."}</p>}
      {recordKinds.map(({ kind, plural }) => {
        const group = rows.filter((row) => row.summary?.kind === (kind as RecordKind));
        if (group.length === 0) return null;
        return (
          <section key={kind} aria-labelledby={`group-${kind}`} className="record-group" data-testid={`group-${kind}`}>
            <h2 id={`group-${kind}`}>
              {plural} <span className="count">({group.length})</span>
            </h2>
            <ul className="list">
              {group.map(({ entry, summary }) => (
                <li key={entry.id} className="list-row">
                  <input
                    type="checkbox"
                    aria-label={`Select ${summary?.title}`}
                    checked={selected.has(entry.id)}
                    onChange={(event) => {
                      const next = new Set(selected);
                      if (event.target.checked) next.add(entry.id);
                      else next.delete(entry.id);
                      setSelected(next);
                    }}
                  />
                  <button type="button" className="link-button" onClick={() => setOpenId(entry.id)}>
                    {summary?.title}
                  </button>
                  <span className="hint">
                    {summary?.date ? formatCalendarDate(summary.date) : ""}
                    {entry.authorship ? ` · ${entry.authorship}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <FileUpload />
      <ImportPanel />
    </>
  );
}

export function ChartView() {
  return (
    <VaultGate>
      <Chart />
    </VaultGate>
  );
}
