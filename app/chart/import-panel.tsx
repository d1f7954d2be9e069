"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { ImportError, planEntries, readImportFile, type ImportPlan } from "@/client/fhir";
import { prepareRecords, type NotImportable } from "@/client/fhir/import-content";
import { matchChart, type MatchedRecord } from "@/client/fhir/import-duplicates";
import { ImportUpdatesStoppedError, saveImport, type ImportSaveProgress } from "@/client/fhir/import-save";
import { ImportNotSavedError, ImportOutcomeUnknownError } from "@/client/records/import-records";
import { describeFailure } from "@/client/failures";
import { loadedChart, useChart } from "@/client/records/chart-store";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";
import { countOf, pluralOf } from "@/client/format";

/** A file read, planned and compared with the chart: what the plan panel shows. */
interface Review {
  plan: ImportPlan;
  matched: MatchedRecord[];
  notImportable: NotImportable[];
}

/** A document's Composition is kept as its summary, beside the records: it is not counted as one of them. */
const isSummary = (item: MatchedRecord) => item.record.document.kind === "composition";
const count = (matched: MatchedRecord[], ...statuses: Array<MatchedRecord["status"]>) =>
  matched.filter((item) => statuses.includes(item.status) && !isSummary(item)).length;
const summaries = (matched: MatchedRecord[], ...statuses: Array<MatchedRecord["status"]>) =>
  matched.filter((item) => statuses.includes(item.status) && isSummary(item)).length;
/** "3 records", "3 records and the document's summary". */
const recordsAnd = (records: number, documentSummaries: number) =>
  documentSummaries === 0
    ? countOf(records, "record")
    : `${countOf(records, "record")} and ${documentSummaries === 1 ? "the document's summary" : `${numberOf(documentSummaries)} document summaries`}`;
const numberOf = (value: number) => new Intl.NumberFormat().format(value);

function progressText(progress: ImportSaveProgress): string {
  if (progress.phase === "files" && progress.done < progress.total - progress.records) {
    return `Encrypting and uploading files: ${numberOf(progress.done)} of ${countOf(progress.total - progress.records, "file")} done…`;
  }
  return `Saved ${numberOf(progress.savedRecords)} of ${countOf(progress.records, "record")}`;
}

/**
 * Reads a FHIR file in the browser (a Bundle of any type that carries resources, a single
 * resource, a list of them, or NDJSON), shows what will and will not be imported and what is
 * already in the chart, then encrypts and stores it with progress.
 */
export function ImportPanel() {
  const reload = useChart((state) => state.reload);
  const [review, setReview] = useState<Review | null>(null);
  const [update, setUpdate] = useState(false);
  const [status, setStatus] = useState<string>();
  const [progress, setProgress] = useState<ImportSaveProgress | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  // After an import the plan closes while the file input is still disabled, so focus goes back to it once it is enabled again.
  const focusFileInput = useRef(false);
  useEffect(() => {
    if (busy || !focusFileInput.current) return;
    focusFileInput.current = false;
    fileInput.current?.focus();
  }, [busy]);

  async function choose(file: File | undefined) {
    setReview(null);
    setError(undefined);
    setStatus(undefined);
    setUpdate(false);
    if (!file) return;
    setBusy(true);
    setStatus(`Reading ${file.name}…`);
    try {
      const plan = planEntries(await readImportFile(file, file.name));
      const { ready, notImportable } = await prepareRecords(plan);
      const chart = (await loadedChart()).flatMap((entry) => (entry.status === "ok" ? [entry] : []));
      setReview({ plan, matched: await matchChart(ready, chart), notImportable });
      setStatus(undefined);
    } catch (caught) {
      setStatus(undefined);
      setError(
        caught instanceof ImportError
          ? caught.message
          : `This file could not be read. ${describeFailure(caught, { accessEnded: "Please try again.", integrity: "Your chart could not be verified." })}`,
      );
    } finally {
      setBusy(false);
    }
  }

  async function importPlanned() {
    if (!review) return;
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      const newSummaries = summaries(review.matched, "new");
      const result = await saveImport(review.matched, { update }, unlockedVault(), httpTransport, setProgress);
      setReview(null);
      setProgress(null);
      if (fileInput.current) fileInput.current.value = "";
      focusFileInput.current = true;
      await reload();
      const kept = newSummaries > 0 ? ` The document's summary is under Summaries received.` : "";
      setStatus(
        `Imported ${countOf(result.created - newSummaries, "record")}.${kept}${result.updated > 0 ? ` Updated ${countOf(result.updated, "record")}.` : ""}`,
      );
    } catch (caught) {
      setProgress(null);
      if (caught instanceof ImportUpdatesStoppedError) {
        setReview(null);
        await reload();
        setError(
          `${caught.message} ${describeFailure(caught.reason, { accessEnded: "Please try again.", integrity: "A file of the import could not be checked." })}`,
        );
        return;
      }
      if (caught instanceof ImportOutcomeUnknownError) {
        setReview(null);
        await reload();
        setError(caught.message);
        return;
      }
      // Nothing of the new records is in the chart (the server dropped what it had staged); updates to existing records come after them.
      const reason = describeFailure(caught instanceof ImportNotSavedError ? caught.reason : caught, {
        accessEnded: "Please try again.",
        integrity: "A file of the import could not be checked.",
      });
      setError(`The import failed and nothing was saved. ${reason}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import a FHIR file</h2>
      <p className="hint">
        A FHIR Bundle of any kind (an International Patient Summary or other document, a collection, a transaction or batch, a search result), a single FHIR
        resource or a list of them (.json), or a bulk export with one resource per line (.ndjson, .jsonl). It is read and encrypted here, in your browser.
      </p>
      <label htmlFor="import-file">Bundle file (.json) or NDJSON file (.ndjson, .jsonl)</label>
      <input
        ref={fileInput}
        id="import-file"
        type="file"
        accept=".json,.ndjson,.jsonl,application/json,application/fhir+json,application/fhir+ndjson,application/x-ndjson"
        disabled={busy}
        onChange={(event) => choose(event.target.files?.[0])}
      />
      {review && (
        <PlanPanel
          review={review}
          opener={fileInput}
          busy={busy}
          update={update}
          onUpdateChange={setUpdate}
          onImport={importPlanned}
          onCancel={() => {
            setReview(null);
            if (fileInput.current) fileInput.current.value = "";
          }}
        />
      )}
      {progress && (
        <div className="transfer">
          <label htmlFor="import-progress">Import progress</label>
          <progress id="import-progress" max={Math.max(1, progress.total)} value={progress.done} />
        </div>
      )}
      <p role="status" aria-live="polite" className="progress-text">
        {progress ? progressText(progress) : status}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** What the chosen file holds: takes focus when it opens, gives it back to the file input when it closes. */
function PlanPanel({
  review,
  opener,
  busy,
  update,
  onUpdateChange,
  onImport,
  onCancel,
}: {
  review: Review;
  opener: RefObject<HTMLElement | null>;
  busy: boolean;
  update: boolean;
  onUpdateChange: (update: boolean) => void;
  onImport: () => void;
  onCancel: () => void;
}) {
  const heading = usePanelFocus(opener);
  const { plan, matched, notImportable } = review;
  const fresh = count(matched, "new");
  const freshSummaries = summaries(matched, "new");
  const already = count(matched, "unchanged", "changed");
  const alreadySummaries = summaries(matched, "unchanged", "changed");
  const changed = matched.filter((item) => item.status === "changed").length;
  const repeats = matched.filter((item) => item.status === "repeat");
  const updates = update ? changed : 0;
  return (
    <div data-testid="import-plan" className="import-plan">
      <h3 ref={heading} tabIndex={-1} className="panel-title">
        {fresh + freshSummaries > 0 ? `Ready to import ${recordsAnd(fresh, freshSummaries)}.` : "Nothing new to import."}
      </h3>
      <p>This file is {plan.form}.</p>
      {already + alreadySummaries > 0 && (
        <div data-testid="import-already">
          <p>
            {recordsAnd(already, alreadySummaries)} {pluralOf(already + alreadySummaries, "is", "are")} already in your chart
            {changed === 0
              ? `, unchanged: ${pluralOf(already + alreadySummaries, "it", "they")} will be skipped.`
              : `; ${numberOf(changed)} of them ${pluralOf(changed, "differs", "differ")} from this file.`}
          </p>
          {changed > 0 && (
            <fieldset>
              <legend>Records already in your chart</legend>
              <label>
                <input type="radio" name="import-existing" checked={!update} onChange={() => onUpdateChange(false)} disabled={busy} /> Skip them: keep your
                chart as it is
              </label>
              <label>
                <input type="radio" name="import-existing" checked={update} onChange={() => onUpdateChange(true)} disabled={busy} /> Update the{" "}
                {countOf(changed, "record")} that {pluralOf(changed, "differs", "differ")} (a new version of each; earlier versions stay in its history)
              </label>
            </fieldset>
          )}
        </div>
      )}
      {notImportable.length > 0 && (
        <div data-testid="import-not-importable">
          <p>{countOf(notImportable.length, "record")} cannot be imported; the others can:</p>
          <ul>
            {notImportable.map((item) => (
              <li key={item.label}>
                {item.label} ({item.resourceType}): {item.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {repeats.length > 0 && (
        <details>
          <summary>
            {countOf(repeats.length, "entry", "entries")} {pluralOf(repeats.length, "repeats", "repeat")} an earlier entry of this file and will be skipped
          </summary>
          <ul>
            {repeats.map((item) => (
              <li key={item.record.planned.label}>
                {item.record.planned.label} is the same {item.record.planned.resource.resourceType} as {item.firstLabel}.
              </li>
            ))}
          </ul>
        </details>
      )}
      {plan.skipped.length > 0 && (
        <details>
          <summary>{countOf(plan.skipped.length, "entry", "entries")} will not be imported as records</summary>
          <ul>
            {plan.skipped.map((entry) => (
              <li key={entry.index}>{entry.reason}</li>
            ))}
          </ul>
        </details>
      )}
      <div className="actions">
        <button type="button" className="button" onClick={onImport} disabled={busy || fresh + freshSummaries + updates === 0}>
          {updates > 0 ? `Import ${recordsAnd(fresh, freshSummaries)} and update ${numberOf(updates)}` : `Import ${recordsAnd(fresh, freshSummaries)}`}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}
