"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { summarize } from "@/client/fhir";
import { groupRecords, shownOrder, summarizeRecords } from "@/client/records/record-groups";
import { RecordGroups, RecordSearch, rowFacts } from "@/app/_components/record-groups";
import { createRecords, olderThanSeen, type ChartEntry, type RecordDocument } from "@/client/records/records";
import { useChart } from "@/client/records/chart-store";
import { progressWords } from "@/client/records/record-pages";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { ClinicalForm } from "./clinical-form";
import { clinicalForms } from "@/client/fhir/forms";
import { FileUpload } from "./file-upload";
import { ImportPanel } from "./import-panel";
import { RecordDetail } from "./record-detail";
import { NoteForm } from "./record-forms";
import { reportExport } from "@/client/audit/audit";
import { countOf, today } from "@/client/format";
import { downloadBlob } from "@/client/records/download";
import { buildExportWithFiles } from "@/client/records/export-with-files";
import { describeFailure, failureKind } from "@/client/failures";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

function Chart() {
  const { entries, complete, progress, error, reload, ensureLoaded } = useChart();
  const [query, setQuery] = useState("");
  const [openId, setOpenId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [adding, setAdding] = useState<string | null>(null);
  /** Why the open form's record was not saved. */
  const [saveError, setSaveError] = useState<string>();
  const [exporting, setExporting] = useState(false);
  // What the status line says, and where focus goes with it when the panel that had it is gone.
  const [notice, setNotice] = useState<{ text: string; focusId?: string }>();
  // The controls that opened the record detail and the add form: focus goes back to them on close.
  const rowOpener = useRef<HTMLElement | null>(null);
  const addOpener = useRef<HTMLElement | null>(null);
  const statusLine = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    // Decrypted once per unlock, so coming back shows it at once; it is read again too, since
    // clinicians add notes and other devices edit while this tab keeps its copy.
    void (useChart.getState().entries === null ? ensureLoaded() : reload());
  }, [ensureLoaded, reload]);

  useEffect(() => {
    if (notice?.focusId) (document.getElementById(notice.focusId) ?? statusLine.current)?.focus();
  }, [notice]);

  const summarized = useMemo(() => summarizeRecords((entries ?? []).filter((entry): entry is OkEntry => entry.status === "ok")), [entries]);
  const groups = useMemo(() => groupRecords(summarized, query), [summarized, query]);
  // In the order shown: what "the next record" is after a delete, and what an export holds.
  const rows = useMemo(() => shownOrder(groups).map(({ item, summary }) => ({ entry: item, summary })), [groups]);
  const broken = (entries ?? []).filter((entry) => entry.status === "invalid");
  const fileCount = rows.filter((row) => row.entry.document.file).length;

  /**
   * Saves a new record from a form. A failure is said beside the form, which stays open with what
   * was typed (a session ended elsewhere, a lost connection, a refusal): nothing is lost, and the
   * person can sign in again in another tab and press Save once more.
   */
  async function save(document: RecordDocument) {
    setSaveError(undefined);
    try {
      await createRecords([document], unlockedVault(), httpTransport);
    } catch (caught) {
      const text = describeFailure(caught, {
        accessEnded: "The record was not saved: something it refers to is no longer stored. Reload the page and try again.",
        integrity: "The record was not saved: your sharing could not be verified. Reload the page and try again.",
        unreachable: "The record was not saved: Health Safe Cloud could not be reached. Check your connection and try again.",
      });
      setSaveError(failureKind(caught) === "refused" ? `The record was not saved. ${text}` : text);
      return;
    }
    // Another form may have been opened while this one was saving: leave that one open.
    setAdding((current) => (current === document.kind ? null : current));
    setNotice({ text: `Saved “${summarize(document.resource, document.context)?.title ?? "the record"}”.` });
    await reload();
  }

  function deleted(id: string, title: string) {
    // Focus goes to the record that takes the deleted one's place, or the one before it.
    const index = rows.findIndex((row) => row.entry.id === id);
    const neighbour = rows[index + 1] ?? rows[index - 1];
    setOpenId(null);
    setNotice({ text: `Deleted “${title}”.`, focusId: neighbour ? `open-${neighbour.entry.id}` : "chart-search" });
  }

  async function exportRecords(only?: Set<string>) {
    const chosen = rows.filter((row) => !only || only.has(row.entry.id));
    setExporting(true);
    try {
      const result = await buildExportWithFiles(
        chosen.map(({ entry, summary }) => ({
          resource: entry.document.resource,
          fullUrl: entry.document.fullUrl,
          context: entry.document.context,
          file: entry.document.file,
          fileName: summary?.title,
        })),
        new Date(),
        (number, count) => setNotice({ text: `Decrypting file ${number} of ${count} for the export…` }),
        httpTransport,
      );
      await downloadBlob(`health-records-${today()}.json`, result.blob);
      const files = result.filesIncluded > 0 ? `, with the contents of ${countOf(result.filesIncluded, "file")}` : "";
      const leftOut =
        result.filesLeftOut.length > 0
          ? ` The contents of ${result.filesLeftOut.map((name) => `“${name}”`).join(", ")} are not in it: they could not be decrypted, which means they were altered or damaged after they were saved.`
          : "";
      setNotice({ text: `Exported ${countOf(chosen.length, "record")}${files}.${leftOut}` });
      // The export joins the audit trail; a failure to report it does not undo the download.
      void reportExport().catch((caught: unknown) => {
        if (failureKind(caught) === null) throw caught;
      });
    } catch (caught) {
      setNotice({
        text: describeFailure(caught, {
          accessEnded: "Nothing was exported: a file is no longer stored. Reload the page and try again.",
          integrity: "Nothing was exported: some of your records could not be verified.",
          unreachable: "Nothing was exported. Check your connection and try again.",
        }),
      });
    } finally {
      setExporting(false);
    }
  }

  function openAdd(kind: string, button: HTMLElement) {
    addOpener.current = button;
    setSaveError(undefined);
    setAdding(kind);
  }

  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!entries) return <p role="status">{progress ? progressWords(progress) : "Decrypting your chart…"}</p>;
  return (
    <>
      {/* Pages are shown as they are verified; this says how far the load has come, and when it is done. */}
      <p role="status" aria-live="polite" className="progress-text" data-testid="chart-progress">
        {complete ? "" : progressWords(progress ?? { loaded: entries.length, total: entries.length })}
      </p>
      {broken.length > 0 && (
        <div className="integrity-warning" role="alert" data-testid="integrity-warning">
          <strong>
            {broken.length === 1
              ? "One record could not be verified and is not shown."
              : `${countOf(broken.length, "record")} could not be verified and are not shown.`}
          </strong>{" "}
          {broken.some((entry) => entry.reason === olderThanSeen)
            ? "The server sent an older version than this browser has already shown you, which means your records were rolled back or tampered with."
            : broken.length === 1
              ? "Its signature or encryption does not check out, which means it was altered or damaged after it was saved."
              : "Their signature or encryption does not check out, which means they were altered or damaged after they were saved."}
        </div>
      )}
      <div className="chart-tools">
        <RecordSearch id="chart-search" label="Search your records" value={query} onChange={setQuery} />
        <div className="actions">
          <button type="button" className="button button-secondary" aria-expanded={adding === "note"} onClick={(event) => openAdd("note", event.currentTarget)}>
            Add a note
          </button>
          {clinicalForms.map((spec) => (
            <button
              key={spec.kind}
              type="button"
              className="button button-secondary"
              aria-expanded={adding === spec.kind}
              onClick={(event) => openAdd(spec.kind, event.currentTarget)}
            >
              Add {spec.kind === "allergy" ? "an" : spec.kind === "immunization" ? "an" : "a"} {spec.title}
            </button>
          ))}
          <button
            type="button"
            className="button button-secondary"
            onClick={() => exportRecords()}
            disabled={rows.length === 0 || exporting || !complete}
            aria-describedby="export-hint"
          >
            Export all
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => exportRecords(selected)}
            disabled={selected.size === 0 || exporting}
            aria-describedby="export-hint"
          >
            Export selected ({selected.size})
          </button>
        </div>
        <p id="export-hint" className="hint">
          An export is one FHIR file of your records, decrypted{fileCount > 0 ? ", with the contents of your files inside it" : ""}. Anyone who has the file can
          read it.
        </p>
      </div>
      <p ref={statusLine} role="status" aria-live="polite" tabIndex={-1} className="progress-text" data-testid="chart-status">
        {notice?.text}
      </p>
      {adding === "note" && <NoteForm onSave={save} onCancel={() => setAdding(null)} opener={addOpener} />}
      {clinicalForms
        .filter((spec) => spec.kind === adding)
        .map((spec) => (
          <ClinicalForm key={spec.kind} spec={spec} onSave={save} onCancel={() => setAdding(null)} opener={addOpener} />
        ))}
      {adding && saveError && (
        <p className="form-error" role="alert" data-testid="save-error">
          {saveError}
        </p>
      )}
      {rows.length === 0 && complete && <p>{query ? "No record matches your search." : "Your chart is empty. Add a record or import a FHIR file."}</p>}
      <RecordGroups
        groups={groups}
        renderRow={({ item: entry, summary }) => {
          const isOpen = entry.id === openId;
          return (
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
              <button
                type="button"
                id={`open-${entry.id}`}
                className="link-button"
                aria-expanded={isOpen}
                aria-controls={isOpen ? `record-${entry.id}` : undefined}
                onClick={(event) => {
                  rowOpener.current = event.currentTarget;
                  setOpenId(isOpen ? null : entry.id);
                }}
              >
                {summary?.title}
              </button>
              <span className="hint">
                {rowFacts(summary)}
                {entry.authorship ? ` · ${entry.authorship}` : ""}
              </span>
              {/* The detail opens in place, under its row, where the person is looking. */}
              {isOpen && (
                <RecordDetail
                  key={`${entry.id}-${entry.version}`}
                  id={`record-${entry.id}`}
                  entry={entry}
                  opener={rowOpener}
                  onClose={() => setOpenId(null)}
                  onDeleted={() => deleted(entry.id, summary?.title ?? "the record")}
                />
              )}
            </li>
          );
        }}
      />
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
