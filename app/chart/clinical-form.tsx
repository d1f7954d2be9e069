"use client";

import { useState, type RefObject } from "react";
import { DateField } from "@/app/_components/date-field";
import { Field } from "@/app/_components/field";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import type { RecordDocument } from "@/client/records/records";
import { today as todayWhereThePersonIs } from "@/client/format";
import { findUcumUnit, ucumUnits } from "@/client/fhir/ucum";
import {
  editResource,
  initialValues,
  newResource,
  notEditableReason,
  shownFields,
  validate,
  type FieldSpec,
  type FormSpec,
  type FormValues,
} from "@/client/fhir/forms";

/** The options a select shows: the form's, plus the stored code when it is another (or "Not recorded" when there is none). */
function optionsOf(field: Extract<FieldSpec, { type: "select" }>, current: string, editing: boolean): Array<[string, string]> {
  if (field.options.some(([value]) => value === current)) return field.options;
  const extra = field.more?.find(([value]) => value === current) ?? [current, current ? current : "Not recorded"];
  return editing ? [extra, ...field.options] : field.options;
}

/** Under a unit field: the listed unit it matches, or that it will be kept as typed. */
function unitReading(typed: string): string | undefined {
  if (!typed.trim()) return undefined;
  const found = findUcumUnit(typed);
  return found ? `${found.unit}: ${found.label}.` : "Not on the list of standard units: kept as you wrote it.";
}

/**
 * A form for one kind of clinical entry, new or edited. It takes focus when it opens (its
 * heading) and gives it back to `opener` when it closes (Cancel, or after saving). An edit
 * writes only the fields the person changed into the stored resource (client/fhir/forms).
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
  /** When editing: the current document, whose resource the edit is written into. */
  existing?: RecordDocument;
}) {
  const heading = usePanelFocus(opener);
  const editing = Boolean(existing);
  const title = existing ? `Edit ${spec.title}` : `New ${spec.title}`;
  const prefix = `${spec.kind}${editing ? "-edit" : ""}`;
  const headingId = `${prefix}-form-title`;
  const Heading = existing ? "h4" : "h2";
  // A form edits only the resource type it writes: another (a prescription kept as a medication record) stays as it came.
  const refused = existing && existing.resource.resourceType !== spec.resourceType ? notEditableReason(existing) : undefined;
  // Today where the person is: a required date starts there (most entries are made the day they happen).
  const [initial] = useState<FormValues>(() =>
    existing ? (refused ? {} : spec.read(existing.resource, existing.context)) : initialValues(spec, todayWhereThePersonIs()),
  );
  const kept = existing && !refused ? spec.kept(existing.resource, existing.context) : {};
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [unchanged, setUnchanged] = useState(false);
  const set = (name: string) => (value: string) => {
    setValues({ ...values, [name]: value });
    setErrors({ ...errors, [name]: "" });
    setUnchanged(false);
  };
  const id = (field: FieldSpec) => `${prefix}-${field.name}`;
  if (refused) {
    return (
      <div className="card" role="group" aria-labelledby={headingId}>
        <Heading id={headingId} ref={heading} tabIndex={-1} className="panel-title">
          Not editable
        </Heading>
        <p>{refused}</p>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Close
        </button>
      </div>
    );
  }
  return (
    <form
      noValidate
      className="card"
      aria-labelledby={headingId}
      onSubmit={async (event) => {
        event.preventDefault();
        const found = validate(spec, values, { initial: existing ? initial : undefined });
        setErrors(found);
        if (Object.keys(found).length > 0) return;
        if (existing) {
          const resource = editResource(spec, existing.resource, values, initial);
          if (JSON.stringify(resource) === JSON.stringify(existing.resource)) return setUnchanged(true);
          await onSave({ ...existing, resource });
        } else {
          await onSave({ v: 1, kind: spec.kind, resource: newResource(spec, values) });
        }
      }}
    >
      {/* A new entry's form stands among the page's sections; an edit sits inside its record. */}
      <Heading id={headingId} ref={heading} tabIndex={-1} className="panel-title">
        {title.charAt(0).toUpperCase() + title.slice(1)}
      </Heading>
      {shownFields(spec, values, editing).map((field) => {
        const value = values[field.name] ?? "";
        const error = errors[field.name] || undefined;
        const keptHere = value ? undefined : kept[field.name];
        switch (field.type) {
          case "select":
            return (
              <div className="field" key={field.name}>
                <label htmlFor={id(field)}>{field.label}</label>
                <select id={id(field)} value={value} onChange={(event) => set(field.name)(event.target.value)}>
                  {optionsOf(field, initial[field.name] ?? "", editing).map(([option, label]) => (
                    <option key={option} value={option}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
            );
          case "date":
            return (
              <DateField
                key={field.name}
                id={id(field)}
                label={field.label}
                value={value}
                time={field.time}
                kept={keptHere}
                error={error}
                onChange={set(field.name)}
              />
            );
          case "unit":
            return (
              <div className="hsc-unit-field" key={field.name}>
                <Field
                  id={id(field)}
                  label={field.label}
                  hint={[field.hint, unitReading(value)].filter(Boolean).join(" ")}
                  list={`${prefix}-units`}
                  autoComplete="off"
                  spellCheck={false}
                  value={value}
                  error={error}
                  onChange={(event) => set(field.name)(event.target.value)}
                />
                <datalist id={`${prefix}-units`}>
                  {ucumUnits.map((unit) => (
                    <option key={unit.code} value={unit.unit}>
                      {unit.label}
                    </option>
                  ))}
                </datalist>
              </div>
            );
          default:
            return (
              <Field
                key={field.name}
                id={id(field)}
                label={field.label}
                hint={[
                  field.hint,
                  field.type === "number" ? field.unit : undefined,
                  keptHere ? `Kept as it came: ${keptHere}. Type here only to replace it.` : undefined,
                ]
                  .filter(Boolean)
                  .join(" ")}
                inputMode={field.type === "number" ? "decimal" : undefined}
                autoComplete="off"
                value={value}
                error={error}
                onChange={(event) => set(field.name)(event.target.value)}
              />
            );
        }
      })}
      {unchanged && (
        <p className="hint hsc-form-note" role="status">
          Nothing was changed, so no new version was saved.
        </p>
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
