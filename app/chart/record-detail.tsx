"use client";

import { useRef, useState, type RefObject } from "react";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { Field } from "@/app/_components/field";
import { kindLabel, summarize } from "@/client/fhir";
import { noteEditProblems, type NoteEditProblems } from "@/client/fhir/forms/note-edit";
import { deleteRecord, loadVersions, saveVersion, type ChartEntry, type RecordDocument } from "@/client/records/records";
import { noteDocument, noteText } from "./record-forms";
import { ClinicalForm } from "./clinical-form";
import { editFormFor, notEditableReason } from "@/client/fhir/forms";
import { FileViewer } from "./file-viewer";
import { countOf, formatDateTime } from "@/client/format";
import { describeFailure } from "@/client/failures";
import { ReadableRecord } from "./readable-record";
import { useChart } from "@/client/records/chart-store";
import { unlockedVault } from "@/client/keystore/vault-store";
import { httpTransport } from "@/client/transport/api";

type OkEntry = Extract<ChartEntry, { status: "ok" }>;

/** One stored version as loadVersions returns it, with its author verified by their own key. */
type Version = Awaited<ReturnType<typeof loadVersions>>[number];

const savedAt = (iso: string) => formatDateTime(iso);

/** Who saved a version, in words: "you" or the clinician's directory name. */
const authorOf = (version: Version): string => (version.author.name === "You" ? "you" : version.author.name);

/**
 * A record opened from its row: its readable view, its file, editing, its versions.
 * It takes focus when it opens (its heading) and gives it back to `opener` when it closes.
 */
export function RecordDetail({
  id,
  entry,
  opener,
  onClose,
  onDeleted,
}: {
  id: string;
  entry: OkEntry;
  opener: RefObject<HTMLElement | null>;
  onClose: () => void;
  /** Called once the record is deleted on the server, before the chart reloads. */
  onDeleted: () => void;
}) {
  const reload = useChart((state) => state.reload);
  // The chart's other records: what a received summary's sections list is named by them.
  const chartEntries = useChart((state) => state.entries);
  const heading = usePanelFocus(opener);
  const summary = summarize(entry.document.resource, entry.document.context);
  const records = (chartEntries ?? []).filter((other): other is OkEntry => other.status === "ok");
  const form = editFormFor(entry.document);
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string>();
  const editButton = useRef<HTMLButtonElement>(null);
  const versionsButton = useRef<HTMLButtonElement>(null);
  const editable = entry.document.kind === "note" || Boolean(form);

  async function saveEdit(document: RecordDocument) {
    try {
      await saveVersion(entry, document, unlockedVault(), httpTransport);
      setEditing(false);
      setVersions(null);
      await reload();
    } catch (caught) {
      setError(
        describeFailure(caught, {
          accessEnded: "This record is no longer in your chart, so the change was not saved.",
          integrity: "The record could not be verified, so the change was not saved.",
          unreachable: "The change was not saved: Health Safe Cloud could not be reached. Try again.",
        }),
      );
    }
  }

  return (
    <section id={id} className="card record-detail" aria-labelledby={`${id}-title`} data-testid="record-detail">
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1} className="panel-title">
        {summary?.title ?? "Record"}
      </h3>
      <p className="hint">
        {kindLabel(entry.document.kind as never, "singular")}
        {summary?.dateText ? ` · ${summary.dateText}` : ""} · version {entry.version}
        {entry.authorship ? ` · ${entry.authorship}` : ""}
      </p>
      {entry.document.kind === "note" && !editing ? <p className="note-text">{noteText(entry.document).text}</p> : null}
      {entry.document.file && <FileViewer file={entry.document.file} name={summary?.title ?? "file"} type={fileType(entry.document)} />}
      {!editing && <ReadableRecord document={entry.document} records={records} />}
      {editing && form && <ClinicalForm spec={form} existing={entry.document} opener={editButton} onCancel={() => setEditing(false)} onSave={saveEdit} />}
      {editing && !form && <NoteEditForm entry={entry} opener={editButton} onCancel={() => setEditing(false)} onSave={saveEdit} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!editable && notEditableReason(entry.document) && <p className="hint">{notEditableReason(entry.document)}</p>}
      {/* Kept in the page (not unmounted) while a form is open, so focus can return to Edit when it closes. */}
      <div className="actions" style={editing ? { display: "none" } : undefined}>
        {editable && (
          <button ref={editButton} type="button" className="button button-small button-secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Edit
          </button>
        )}
        <button
          ref={versionsButton}
          type="button"
          className="button button-small button-secondary"
          aria-expanded={versions !== null}
          onClick={async () => {
            setError(undefined);
            if (versions) return setVersions(null);
            try {
              setVersions(await loadVersions(entry, unlockedVault(), httpTransport));
            } catch (caught) {
              setVersions(null);
              // A rollback is worded with its own message (what was rolled back); a bug is rethrown by describeFailure.
              setError(
                describeFailure(caught, {
                  accessEnded: "This record is no longer in your chart.",
                  integrity: "The earlier versions could not be verified, so they are not shown.",
                  unreachable: "The earlier versions could not be loaded: Health Safe Cloud could not be reached. Try again.",
                }),
              );
            }
          }}
        >
          {versions ? "Hide versions" : "Show all versions"}
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={async () => {
            if (!window.confirm("Delete this record and all its versions? This cannot be undone.")) return;
            try {
              await deleteRecord(entry.id, unlockedVault(), httpTransport);
            } catch (caught) {
              setError(
                describeFailure(caught, {
                  accessEnded: "This record was already deleted.",
                  integrity: "The record was not deleted. Please try again.",
                  unreachable: "The record was not deleted: Health Safe Cloud could not be reached. Try again.",
                }),
              );
              return;
            }
            onDeleted();
            await reload();
          }}
        >
          Delete
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {versions && <VersionHistory id={`${id}-versions`} versions={versions} opener={versionsButton} />}
    </section>
  );
}

/** The edit form of a note: its title (from `description` only; optional when the stored note has none) and text, errors tied to each field. */
export function NoteEditForm({
  entry,
  opener,
  onCancel,
  onSave,
}: {
  entry: OkEntry;
  opener: RefObject<HTMLElement | null>;
  onCancel: () => void;
  onSave: (document: RecordDocument) => Promise<void>;
}) {
  const heading = usePanelFocus(opener);
  const [before] = useState(() => noteText(entry.document));
  const [draft, setDraft] = useState(before);
  const [problems, setProblems] = useState<NoteEditProblems>({});
  return (
    <form
      noValidate
      aria-labelledby="edit-note-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const found = noteEditProblems(before, draft);
        setProblems(found);
        if (found.title || found.text) return;
        await onSave(noteDocument(draft, entry.document));
      }}
    >
      <h4 id="edit-note-title" ref={heading} tabIndex={-1} className="panel-title">
        Edit note
      </h4>
      <Field
        id="edit-title"
        label={before.title ? "Title" : "Title (optional)"}
        value={draft.title}
        error={problems.title}
        onChange={(event) => setDraft({ ...draft, title: event.target.value })}
      />
      <div className="field">
        <label htmlFor="edit-text">Text</label>
        <textarea
          id="edit-text"
          rows={6}
          value={draft.text}
          aria-invalid={problems.text ? true : undefined}
          aria-describedby={problems.text ? "edit-text-error" : undefined}
          onChange={(event) => setDraft({ ...draft, text: event.target.value })}
        />
        {problems.text && (
          <p id="edit-text-error" className="field-error" role="alert">
            {problems.text}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button button-small">
          Save as a new version
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Every stored version, newest last, each viewable in full. */
function VersionHistory({ id, versions, opener }: { id: string; versions: Version[]; opener: RefObject<HTMLElement | null> }) {
  const heading = usePanelFocus(opener);
  const [viewing, setViewing] = useState<number | null>(null);
  const viewOpener = useRef<HTMLElement | null>(null);
  return (
    <section className="version-history" aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} ref={heading} tabIndex={-1} className="panel-title">
        {countOf(versions.length, "version")}
      </h4>
      <ol className="versions" aria-label="Versions" data-testid="versions">
        {versions.map((version) => {
          const isOpen = viewing === version.version;
          const author = authorOf(version);
          return (
            <li key={version.version}>
              <strong>Version {version.version}</strong> · saved {savedAt(version.createdAt)} by {author} ·{" "}
              {summarize(version.document.resource, version.document.context)?.title}
              {version.document.kind === "note" && <p className="note-text">{noteText(version.document).text}</p>}
              <button
                type="button"
                className="link-button"
                aria-expanded={isOpen}
                onClick={(event) => {
                  viewOpener.current = event.currentTarget;
                  setViewing(isOpen ? null : version.version);
                }}
              >
                {isOpen ? `Hide version ${version.version}` : `View version ${version.version}`}
              </button>
              {isOpen && (
                <VersionView
                  id={`${id}-${version.version}`}
                  version={version}
                  count={versions.length}
                  author={author}
                  opener={viewOpener}
                  onClose={() => setViewing(null)}
                />
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** One earlier (or the current) version, read with the same readable view as the record. */
function VersionView({
  id,
  version,
  count,
  author,
  opener,
  onClose,
}: {
  id: string;
  version: Version;
  count: number;
  author: string;
  opener: RefObject<HTMLElement | null>;
  onClose: () => void;
}) {
  const heading = usePanelFocus(opener);
  return (
    <section className="version-view" aria-labelledby={`${id}-title`} data-testid="version-view">
      <h5 id={`${id}-title`} ref={heading} tabIndex={-1} className="panel-title">
        Version {version.version} of {count}, saved {savedAt(version.createdAt)}, by {author}
      </h5>
      {version.document.kind === "note" && <p className="note-text">{noteText(version.document).text}</p>}
      <ReadableRecord document={version.document} />
      <button type="button" className="button button-small button-secondary" onClick={onClose}>
        Close version {version.version}
      </button>
    </section>
  );
}

export function fileType(document: RecordDocument): string {
  const content = (document.resource as { content?: Array<{ attachment?: { contentType?: string } }> }).content;
  return content?.[0]?.attachment?.contentType ?? "application/octet-stream";
}
