import type { ReactNode } from "react";
import { formatBytes, formatCalendarDate } from "@/lib/client/format";

/** A FHIR date or dateTime ("2024", "2024-03-05", "2024-03-05T10:00:00Z"): shown as a date, not as ISO text. */
const fhirDate = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * A readable rendering of any FHIR resource: labelled fields, codings as their display
 * text, nested parts indented. Everything is rendered as text (React escapes it), so
 * imported content can never run as markup.
 */
// Internal wiring (ids, references inside the record, narrative HTML) is not shown: the
// title already names what a reference points to.
const hidden = new Set(["resourceType", "id", "meta", "text", "subject", "patient", "identifier", "contained", "medicationReference"]);

function label(key: string): string {
  const spaced = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/\[x\]$/, "");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** An inline FHIR attachment: text is shown as text, anything else only by its size. */
function attachmentText(contentType: string, data: string): string {
  try {
    const bytes = Uint8Array.from(atob(data), (character) => character.charCodeAt(0));
    return contentType.startsWith("text/") ? new TextDecoder().decode(bytes) : `Embedded ${contentType} data (${formatBytes(bytes.length)})`;
  } catch {
    return "Embedded data that could not be read";
  }
}

function render(value: unknown, depth: number): ReactNode {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string" && value.length >= 7 && fhirDate.test(value)) return formatCalendarDate(value);
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 1) return render(value[0], depth);
    return (
      <ul>
        {value.map((item, index) => (
          <li key={index}>{render(item, depth + 1)}</li>
        ))}
      </ul>
    );
  }
  const record = value as Record<string, unknown>;
  if (typeof record.contentType === "string" && typeof record.data === "string") return attachmentText(record.contentType, record.data);
  if (typeof record.text === "string" && (record.coding || Object.keys(record).length === 1)) return record.text;
  if (Array.isArray(record.coding)) {
    const coding = record.coding.find((entry) => (entry as { display?: string }).display) as { display?: string; code?: string } | undefined;
    return coding?.display ?? (record.coding[0] as { code?: string } | undefined)?.code ?? "—";
  }
  if ("value" in record && ("unit" in record || "code" in record)) return `${String(record.value)} ${String(record.unit ?? record.code ?? "")}`;
  if (typeof record.display === "string") return record.display;
  if (depth > 3) return "…";
  return <Fields resource={record} depth={depth + 1} />;
}

export function Fields({ resource, depth = 0 }: { resource: Record<string, unknown>; depth?: number }) {
  const entries = Object.entries(resource).filter(([key]) => !hidden.has(key));
  return (
    <dl className={depth === 0 ? "fields" : "fields nested"}>
      {entries.map(([key, value]) => (
        <div key={key} className="field-pair">
          <dt>{label(key)}</dt>
          <dd>{key === "size" && typeof value === "number" ? formatBytes(value) : render(value, depth)}</dd>
        </div>
      ))}
    </dl>
  );
}
