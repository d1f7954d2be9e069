"use client";

import { useState, type RefObject } from "react";
import { Field } from "@/app/_components/field";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { noteAttachmentText, noteResource, noteTextProblem } from "@/client/fhir";
import { editNoteResource } from "@/client/fhir/forms";
import type { RecordDocument } from "@/client/records/records";

/** A note's title and text, for showing and editing. */
export function noteText(document: RecordDocument): { title: string; text: string } {
  // A note record holds a DocumentReference (kindOf decided so when it was made or imported).
  const resource = document.resource as Partial<fhir4.DocumentReference>;
  return { title: resource.description ?? "", text: noteAttachmentText(resource) };
}

/**
 * A free-text note as a record document (FHIR DocumentReference carrying the text inline).
 * Editing (`previous`) writes only the title or text the person changed into the stored
 * resource, and keeps the document's fullUrl and context: an imported note's type, status,
 * date and author stay as they came.
 */
export function noteDocument(values: { title: string; text: string }, previous?: RecordDocument): RecordDocument {
  if (previous) return { ...previous, resource: editNoteResource(previous.resource, noteText(previous), values) };
  return { v: 1, kind: "note", resource: { ...noteResource(values) } };
}

type Errors = Record<string, string | undefined>;

/**
 * The new-note form: takes focus when it opens, gives it back to `opener` when it closes.
 * A Cancel button is offered when `onCancel` is given.
 */
export function NoteForm({
  onSave,
  onCancel,
  opener,
}: {
  onSave: (document: RecordDocument) => Promise<void>;
  onCancel?: () => void;
  opener?: RefObject<HTMLElement | null>;
}) {
  const heading = usePanelFocus(opener);
  const [values, setValues] = useState({ title: "", text: "" });
  const [errors, setErrors] = useState<Errors>({});
  return (
    <form
      noValidate
      className="card"
      aria-labelledby="note-form-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const found: Errors = {
          title: values.title.trim() ? (values.title.length > 120 ? "Keep the title under 120 characters." : undefined) : "Give the note a title.",
          text: values.text.trim() ? noteTextProblem(values.text) : "Write something in the note.",
        };
        setErrors(found);
        if (Object.values(found).some(Boolean)) return;
        await onSave(noteDocument(values));
      }}
    >
      <h2 id="note-form-title" ref={heading} tabIndex={-1} className="panel-title">
        New note
      </h2>
      <Field
        id="note-title"
        label="Title"
        value={values.title}
        error={errors.title}
        onChange={(event) => setValues({ ...values, title: event.target.value })}
      />
      <div className="field">
        <label htmlFor="note-text">Note</label>
        <textarea
          id="note-text"
          rows={5}
          value={values.text}
          aria-invalid={errors.text ? true : undefined}
          aria-describedby={errors.text ? "note-text-error" : undefined}
          onChange={(event) => setValues({ ...values, text: event.target.value })}
        />
        {errors.text && (
          <p id="note-text-error" className="field-error" role="alert">
            {errors.text}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button">
          Save note
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
