"use client";

import { dateInputHint, dateInWords, parseDateInput } from "@/client/fhir/date-input";

/**
 * A date field that takes what people write: a year, a month, a day, or (where the FHIR
 * element is a dateTime, `time`) a day and time, as plain text with a hint. Under it, "Reads
 * as: May 2019" shows how what was typed is understood before it is saved; `kept` says what
 * the record holds that the field cannot show, kept unless something is typed over it. The
 * error (from validate) is tied to the input with aria-describedby and aria-invalid.
 */
export function DateField({
  id,
  label,
  value,
  time,
  kept,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  time: boolean;
  kept?: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const parsed = value.trim() ? parseDateInput(value, { allowTime: time }) : undefined;
  const reads = parsed?.ok && !error ? dateInWords(parsed.value) : undefined;
  const describedBy = [`${id}-hint`, kept && !value ? `${id}-kept` : null, reads ? `${id}-reads` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field hsc-date-field">
      <label htmlFor={id}>{label}</label>
      <p id={`${id}-hint`} className="hint">
        {dateInputHint(time)}
      </p>
      {kept && !value && (
        <p id={`${id}-kept`} className="hint hsc-kept">
          Kept as it came: {kept}. Type a date here only to replace it.
        </p>
      )}
      <input
        id={id}
        name={id}
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      />
      {reads && (
        <p id={`${id}-reads`} className="hint hsc-date-reads">
          Reads as: {reads}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
