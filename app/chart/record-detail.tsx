"use client";

import { useState } from "react";
import { kindLabel, summarize } from "@/lib/client/fhir-records";
import { deleteRecord, loadVersions, saveVersion, type ChartEntry, type RecordDocument } from "@/lib/client/records";
import { noteDocument, noteText } from "./record-forms";
import { ClinicalForm } from "./clinical-form";
import { clinicalForms } from "./clinical-forms";
import { FileViewer } from "./file-viewer";
import { formatDateTime } from "@/lib/client/format";
import { Fields } from "./readable-resource";
import { useChart } from "./chart-store";
import { RollbackError } from "@/lib/client/rollback-guard";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

export function RecordDetail({ entry, onClose }: { entry: OkEntry; onClose: () => void }) {
  const reload = useChart((state) => state.reload);
  const summary = summarize(entry.document.resource);
  const form = clinicalForms.find((spec) => spec.kind === entry.document.kind);
  const [versions, setVersions] = useState<Awaited<ReturnType<typeof loadVersions>> | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(() => noteText(entry.document));
  const [error, setError] = useState<string>();

  return (
    <section className="card record-detail" aria-labelledby="record-title" data-testid="record-detail">
      <h2 id="record-title">{summary?.title ?? "Record"}</h2>
      <p className="hint">
        {kindLabel(entry.document.kind as never, "singular")}
        {summary?.date ? ` · ${summary.date}` : ""} · version {entry.version}
        {entry.authorship ? ` · ${entry.authorship}` : ""}
      </p>
      {entry.document.kind === "note" && !editing ? (
        <p className="note-text">{noteText(entry.document).text}</p>
      ) : null}
      {entry.document.file && (
        <FileViewer file={entry.document.file} name={summary?.title ?? "file"} type={fileType(entry.document)} />
      )}
      {!editing && <Fields resource={entry.document.resource} />}
      {editing && form && (
        <ClinicalForm
          spec={form}
          existing={entry.document}
          onSave={async (document) => {
            try {
              await saveVersion(entry, document);
              setEditing(false);
              setVersions(null);
              await reload();
            } catch {
              setError("The change was not saved. Reload and try again.");
            }
          }}
        />
      )}
      {editing && !form && (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            if (!draft.title.trim() || !draft.text.trim()) return setError("A note needs a title and some text.");
            try {
              await saveVersion(entry, noteDocument(draft, entry.document));
              setEditing(false);
              setVersions(null);
              await reload();
            } catch {
              setError("The change was not saved. Reload and try again.");
            }
          }}
        >
          <label htmlFor="edit-title">Title</label>
          <input id="edit-title" value={draft.title} onChange={(event) => setDraft({ ...draft, title: event.target.value })} />
          <label htmlFor="edit-text">Text</label>
          <textarea id="edit-text" rows={6} value={draft.text} onChange={(event) => setDraft({ ...draft, text: event.target.value })} />
          <button type="submit" className="button button-small">
            Save as a new version
          </button>
        </form>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        {(entry.document.kind === "note" || form) && !editing && (
          <button type="button" className="button button-small button-secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={async () => {
            setError(undefined);
            try {
              setVersions(await loadVersions(entry));
            } catch (caught) {
              setVersions(null);
              setError(caught instanceof RollbackError ? caught.message : "The earlier versions could not be verified, so they are not shown.");
            }
          }}
        >
          Show all versions
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={async () => {
            if (!window.confirm("Delete this record and all its versions? This cannot be undone.")) return;
            await deleteRecord(entry.id);
            onClose();
            await reload();
          }}
        >
          Delete
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {versions && (
        <ol className="versions" aria-label="Versions" data-testid="versions">
          {versions.map((version) => (
            <li key={version.version}>
              <strong>Version {version.version}</strong> · {formatDateTime(version.createdAt)} · by{" "}
              {version.author.name === "You" ? "you" : version.author.name} ·{" "}
              {summarize(version.document.resource)?.title}
              {version.document.kind === "note" && <p className="note-text">{noteText(version.document).text}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function fileType(document: RecordDocument): string {
  const content = (document.resource as { content?: Array<{ attachment?: { contentType?: string } }> }).content;
  return content?.[0]?.attachment?.contentType ?? "application/octet-stream";
}
