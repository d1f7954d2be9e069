import type { ReactNode } from "react";
import { fromBase64, isCryptoError } from "@/crypto";
import { formatBytes } from "@/client/format";
import { fieldLabel, readableValue, words } from "./field-labels";

/**
 * A readable rendering of any FHIR resource: fields under clinical labels, codings as their
 * display text, dates and codes in words, nested parts indented. Everything is rendered as
 * text (React escapes it), so imported content can never run as markup.
 */
// Internal wiring (ids, references inside the record, narrative HTML) is not shown: the
// title already names what a reference points to.
// Inside a resource, "text" is content (a dosage's, a note's), so only ids are left out there.
const hidden = new Set(["resourceType", "id", "meta", "text", "subject", "patient", "identifier", "contained", "medicationReference"]);
const hiddenNested = new Set(["id"]);

/** An inline FHIR attachment: text is shown as text, anything else only by its size. */
function attachmentText(contentType: string, data: string): string {
  try {
    const bytes = fromBase64(data);
    return contentType.startsWith("text/") ? new TextDecoder().decode(bytes) : `Embedded ${contentType} data (${formatBytes(bytes.length)})`;
  } catch (error) {
    // Text that is not base64 is an imported file's fault; anything else is a bug.
    if (isCryptoError(error) && error.code === "malformed") return "Embedded data that could not be read";
    throw error;
  }
}

type Json = Record<string, unknown>;
const isExtension = (value: unknown): value is Json => typeof value === "object" && value !== null && typeof (value as Json).url === "string";

/** An extension is labelled by the last part of its URL ("…/data-absent-reason" -> "Data absent reason"). */
function Extensions({ items, depth }: { items: Json[]; depth: number }) {
  return (
    <dl className="fields nested">
      {items.map((item, index) => {
        const url = item.url as string;
        const valueKey = Object.keys(item).find((key) => key.startsWith("value"));
        const inner = Array.isArray(item.extension) ? item.extension.filter(isExtension) : [];
        return (
          <div key={index} className="field-pair">
            <dt>{words(url.split(/[/#]/).filter(Boolean).pop() ?? "detail")}</dt>
            <dd>{valueKey ? render(valueKey, item[valueKey], depth) : inner.length > 0 ? <Extensions items={inner} depth={depth + 1} /> : "—"}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function render(key: string, value: unknown, depth: number): ReactNode {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return readableValue(key, value);
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    if ((key === "extension" || key === "modifierExtension") && value.every(isExtension)) return <Extensions items={value} depth={depth} />;
    if (value.length === 1) return render(key, value[0], depth);
    return (
      <ul>
        {value.map((item, index) => (
          <li key={index}>{render(key, item, depth + 1)}</li>
        ))}
      </ul>
    );
  }
  const record = value as Json;
  if (typeof record.contentType === "string" && typeof record.data === "string") return attachmentText(record.contentType, record.data);
  if (typeof record.text === "string" && (record.coding || Object.keys(record).length === 1)) return record.text;
  if (Array.isArray(record.coding)) {
    // Codings of a resource written elsewhere: read as fhir4.Coding, each field still checked where it is used.
    const codings = record.coding as Array<fhir4.Coding | undefined>;
    const coding = codings.find((entry) => typeof entry?.display === "string");
    if (coding?.display) return coding.display;
    // A code without a display: a lowercase code word ("active", "problem-list-item") reads as words.
    const code = codings[0]?.code;
    return typeof code === "string" && code ? (/^[a-z][a-z-]*$/.test(code) ? words(code) : code) : "—";
  }
  if ("value" in record && ("unit" in record || "code" in record)) {
    const amount = typeof record.value === "number" ? readableValue("value", record.value) : String(record.value);
    return `${typeof record.comparator === "string" ? `${record.comparator} ` : ""}${amount} ${String(record.unit ?? record.code ?? "")}`.trim();
  }
  if (typeof record.display === "string") return record.display;
  // A reference to something not stored with the record ("Organization/45a5…"): what kind of thing it is.
  if (typeof record.reference === "string" && Object.keys(record).every((name) => name === "reference" || name === "type")) {
    const target = /^([A-Z][A-Za-z]+)\//.exec(record.reference)?.[1];
    return target ? words(target) : "A linked record";
  }
  if (depth > 3) return "…";
  return <Fields resource={record} depth={depth + 1} />;
}

export function Fields({ resource, depth = 0 }: { resource: Record<string, unknown>; depth?: number }) {
  const entries = Object.entries(resource).filter(([key]) => !(depth === 0 ? hidden : hiddenNested).has(key));
  return (
    <dl className={depth === 0 ? "fields" : "fields nested"}>
      {entries.map(([key, value]) => (
        <div key={key} className="field-pair">
          <dt>{fieldLabel(key)}</dt>
          <dd>{render(key, value, depth)}</dd>
        </div>
      ))}
    </dl>
  );
}
