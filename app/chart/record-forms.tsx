"use client";

import { useState } from "react";
import { Field } from "@/app/_components/field";
import type { RecordDocument } from "@/lib/client/records";

const encodeText = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const decodeText = (data: string) => new TextDecoder().decode(Uint8Array.from(atob(data), (character) => character.charCodeAt(0)));

export function noteText(document: RecordDocument): { title: string; text: string } {
  const resource = document.resource as { description?: string; content?: Array<{ attachment?: { data?: string } }> };
  const data = resource.content?.[0]?.attachment?.data;
  return { title: resource.description ?? "", text: data ? decodeText(data) : "" };
}

/** A free-text note as FHIR: a DocumentReference carrying the text inline. */
export function noteDocument(values: { title: string; text: string }, previous?: RecordDocument): RecordDocument {
  const before: Record<string, unknown> = previous?.resource ?? {};
  return {
    v: 1,
    kind: "note",
    resource: {
      ...before,
      resourceType: "DocumentReference",
      id: typeof before.id === "string" ? before.id : crypto.randomUUID(),
      status: "current",
      type: { text: "Note" },
      description: values.title.trim(),
      date: typeof before.date === "string" ? before.date : new Date().toISOString(),
      content: [{ attachment: { contentType: "text/plain", data: encodeText(values.text) } }],
    },
  };
}

export function conditionDocument(values: { name: string; onset: string; status: string }): RecordDocument {
  return {
    v: 1,
    kind: "condition",
    resource: {
      resourceType: "Condition",
      id: crypto.randomUUID(),
      clinicalStatus: {
        coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: values.status }],
      },
      code: { text: values.name.trim() },
      subject: { display: "Patient" },
      ...(values.onset ? { onsetDateTime: values.onset } : {}),
    },
  };
}

type Errors = Record<string, string | undefined>;

export function NoteForm({ onSave }: { onSave: (document: RecordDocument) => Promise<void> }) {
  const [values, setValues] = useState({ title: "", text: "" });
  const [errors, setErrors] = useState<Errors>({});
  return (
    <form
      noValidate
      className="card"
      aria-label="New note"
      onSubmit={async (event) => {
        event.preventDefault();
        const found: Errors = {
          title: values.title.trim() ? (values.title.length > 120 ? "Keep the title under 120 characters." : undefined) : "Give the note a title.",
          text: values.text.trim() ? undefined : "Write something in the note.",
        };
        setErrors(found);
        if (Object.values(found).some(Boolean)) return;
        await onSave(noteDocument(values));
      }}
    >
      <Field id="note-title" label="Title" value={values.title} error={errors.title} onChange={(event) => setValues({ ...values, title: event.target.value })} />
      <div className="field">
        <label htmlFor="note-text">Note</label>
        <textarea id="note-text" rows={5} value={values.text} aria-invalid={errors.text ? true : undefined} aria-describedby={errors.text ? "note-text-error" : undefined} onChange={(event) => setValues({ ...values, text: event.target.value })} />
        {errors.text && (
          <p id="note-text-error" className="field-error" role="alert">
            {errors.text}
          </p>
        )}
      </div>
      <button type="submit" className="button">
        Save note
      </button>
    </form>
  );
}

export function ConditionForm({ onSave }: { onSave: (document: RecordDocument) => Promise<void> }) {
  const [values, setValues] = useState({ name: "", onset: "", status: "active" });
  const [errors, setErrors] = useState<Errors>({});
  return (
    <form
      noValidate
      className="card"
      aria-label="New problem"
      onSubmit={async (event) => {
        event.preventDefault();
        const today = new Date().toISOString().slice(0, 10);
        const found: Errors = {
          name: values.name.trim() ? undefined : "Enter the name of the condition.",
          onset: values.onset && values.onset > today ? "The date cannot be in the future." : undefined,
        };
        setErrors(found);
        if (Object.values(found).some(Boolean)) return;
        await onSave(conditionDocument(values));
      }}
    >
      <Field id="condition-name" label="Condition" hint="For example: asthma, type 2 diabetes, high blood pressure." value={values.name} error={errors.name} onChange={(event) => setValues({ ...values, name: event.target.value })} />
      <Field id="condition-onset" label="Since (optional)" type="date" value={values.onset} error={errors.onset} onChange={(event) => setValues({ ...values, onset: event.target.value })} />
      <div className="field">
        <label htmlFor="condition-status">Status</label>
        <select id="condition-status" value={values.status} onChange={(event) => setValues({ ...values, status: event.target.value })}>
          <option value="active">Active</option>
          <option value="resolved">Resolved</option>
          <option value="inactive">Inactive</option>
        </select>
      </div>
      <button type="submit" className="button">
        Save problem
      </button>
    </form>
  );
}
