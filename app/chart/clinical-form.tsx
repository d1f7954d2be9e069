"use client";

import { useState, type RefObject } from "react";
import { Field } from "@/app/_components/field";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import type { RecordDocument } from "@/client/records/records";
import { today as todayWhereThePersonIs } from "@/client/format";
import { mergeEdit, validate, type FieldSpec, type FormSpec } from "./clinical-forms";

/** A new entry's first value for a field: the first option of a choice, today for a required date, else empty. */
function startValue(field: FieldSpec, today: string): string {
  if (field.type === "select") return field.options[0]![0];
  return field.type === "date" && field.required ? today : "";
}

/**
 * A form for one kind of clinical entry, new or edited. It takes focus when it opens (its
 * heading) and gives it back to `opener` when it closes (Cancel, or after saving).
 */
export function ClinicalForm({
  spec,
  onSave,
  onCancel,
  opener,
  existing,
}: {
  spec: FormSpec;
  onSave: (document: RecordDocument) => Promise<void>;
  onCancel: () => void;
  opener?: RefObject<HTMLElement | null>;
  /** When editing: the current document, whose resource the edit is merged into. */
  existing?: RecordDocument;
}) {
  const heading = usePanelFocus(opener);
  const title = existing ? `Edit ${spec.title}` : `New ${spec.title}`;
  const headingId = `${spec.kind}-form-title${existing ? "-edit" : ""}`;
  const Heading = existing ? "h4" : "h2";
  // Today where the person is: a required date starts there (most entries are made the day they happen), and no date may pass it.
  const [today] = useState(todayWhereThePersonIs);
  const initial = existing ? spec.read(existing.resource) : Object.fromEntries(spec.fields.map((field) => [field.name, startValue(field, today)]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (name: string) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setValues({ ...values, [name]: event.target.value });
    setErrors({ ...errors, [name]: "" });
  };
  return (
    <form
      noValidate
      className="card"
      aria-labelledby={headingId}
      onSubmit={async (event) => {
        event.preventDefault();
        const found = validate(spec, values, todayWhereThePersonIs());
        setErrors(found);
        if (Object.keys(found).length > 0) return;
        const built = spec.build(values);
        await onSave(existing ? { ...existing, resource: mergeEdit(existing.resource, built) } : { v: 1, kind: spec.kind, resource: built });
      }}
    >
      {/* A new entry's form stands among the page's sections; an edit sits inside its record. */}
      <Heading id={headingId} ref={heading} tabIndex={-1} className="panel-title">
        {title.charAt(0).toUpperCase() + title.slice(1)}
      </Heading>
      {spec.fields.map((field) =>
        field.type === "select" ? (
          <div className="field" key={field.name}>
            <label htmlFor={`${spec.kind}-${field.name}`}>{field.label}</label>
            <select id={`${spec.kind}-${field.name}`} value={values[field.name]} onChange={set(field.name)}>
              {field.options.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <Field
            key={field.name}
            id={`${spec.kind}-${field.name}`}
            label={field.label}
            hint={"hint" in field ? field.hint : undefined}
            type={field.type === "number" ? "text" : field.type}
            inputMode={field.type === "number" ? "decimal" : undefined}
            max={field.type === "date" && field.notFuture ? today : undefined}
            value={values[field.name] ?? ""}
            error={errors[field.name] || undefined}
            onChange={set(field.name)}
          />
        ),
      )}
      <div className="actions">
        <button type="submit" className="button">
          {existing ? "Save as a new version" : `Save ${spec.title}`}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
