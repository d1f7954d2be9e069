import type { ReactNode } from "react";
import { fromBase64, isCryptoError } from "@/crypto";
import { formatBytes } from "@/client/format";
import type { ContextEntry, FhirResource } from "@/client/fhir";
import { codeWords } from "@/client/fhir/code-words";
import { dosageText } from "@/client/fhir/dosage";
import { formatPeriod } from "@/client/fhir/fhir-dates";
import { humanName, referenceName, resolveReference } from "@/client/fhir/names";
import { formatQuantity, formatRange, formatRatio } from "@/client/fhir/values";
import { narrativeText } from "@/client/fhir/narrative";
import { fieldLabel, readableValue, words } from "./field-labels";

/**
 * A readable rendering of any FHIR resource: fields under clinical labels, codings as their
 * display text, quantities with their comparator and unit, ranges, ratios, periods, people
 * and places by their names, dates and codes in words, nested parts indented. Everything is
 * rendered as text (React escapes it; narrative XHTML is reduced to its words), so imported
 * content can never run as markup.
 */
// Internal wiring (ids, the patient, narrative HTML) is not shown: the title already names it.
// Inside a resource, "text" is content (a dosage's, a note's), so only ids are left out there.
const hidden = new Set(["resourceType", "id", "meta", "text", "subject", "patient", "identifier", "contained"]);
const hiddenNested = new Set(["id"]);

/** What the record's references are resolved against: the record's own resource and its context resources. */
export interface Naming {
  holder: FhirResource;
  context: readonly ContextEntry[];
  /** The title of another record in the chart a reference points to (a result's visit), when there is one. */
  recordTitle?: (reference: string) => string | undefined;
}

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
const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isExtension = (value: unknown): value is Json => isJson(value) && typeof value.url === "string";
const only = (record: Json, keys: string[]) => Object.keys(record).length > 0 && Object.keys(record).every((key) => keys.includes(key));

/** An extension is labelled by the last part of its URL ("…/data-absent-reason" -> "Data absent reason"). */
function Extensions({ items, depth, naming }: { items: Json[]; depth: number; naming?: Naming }) {
  return (
    <dl className="fields nested">
      {items.map((item, index) => {
        const url = item.url as string;
        const valueKey = Object.keys(item).find((key) => key.startsWith("value"));
        const inner = Array.isArray(item.extension) ? item.extension.filter(isExtension) : [];
        return (
          <div key={index} className="field-pair">
            <dt>{words(url.split(/[/#]/).filter(Boolean).pop() ?? "detail")}</dt>
            <dd>
              {valueKey ? (
                render(valueKey, item[valueKey], depth, naming)
              ) : inner.length > 0 ? (
                <Extensions items={inner} depth={depth + 1} naming={naming} />
              ) : (
                "—"
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The FHIR data types read as one phrase (Quantity, Range, Ratio, Period, HumanName, Address, Reference); null for others. */
function dataTypeText(key: string, record: Json, naming?: Naming): string | null {
  if ("value" in record && (only(record, ["value", "unit", "system", "code", "comparator"]) || "comparator" in record)) {
    return formatQuantity(record) ?? (typeof record.value === "number" || typeof record.value === "string" ? String(record.value) : null);
  }
  // A Coding on its own (Encounter.class): its display, or its code.
  if (typeof record.code === "string" && only(record, ["system", "code", "display", "version", "userSelected"])) {
    if (typeof record.display === "string") return record.display;
    const known = codeWords(record.code, typeof record.system === "string" ? record.system : undefined);
    return known ?? (/^[a-z][a-z-]*$/.test(record.code) ? words(record.code) : record.code);
  }
  if (only(record, ["low", "high"])) return formatRange(record);
  if (only(record, ["numerator", "denominator"])) return formatRatio(record);
  if (only(record, ["start", "end"]) && [record.start, record.end].every((end) => end === undefined || typeof end === "string")) return formatPeriod(record);
  if ((key === "name" || "family" in record || "given" in record) && ("family" in record || "given" in record || ("text" in record && "use" in record))) {
    return humanName(record) ?? null;
  }
  if (key === "address" || ("line" in record && ("city" in record || "postalCode" in record))) {
    const lines = Array.isArray(record.line) ? record.line.filter((line): line is string => typeof line === "string") : [];
    const parts = [
      typeof record.text === "string"
        ? record.text
        : [...lines, record.city, record.postalCode, record.country].filter((part) => typeof part === "string").join(", "),
    ];
    return parts[0] || null;
  }
  if (typeof record.reference === "string" || (typeof record.display === "string" && only(record, ["display", "type", "identifier", "reference"]))) {
    const named =
      (naming ? referenceName(record, naming.holder, naming.context) : typeof record.display === "string" ? record.display : undefined) ??
      (typeof record.reference === "string" ? naming?.recordTitle?.(record.reference) : undefined);
    if (named) return named;
    const target = naming ? resolveReference(record, naming.holder, naming.context) : undefined;
    // A reference to something not stored with the record ("Organization/45a5…"): what kind of thing it is.
    const type = target?.resourceType ?? (typeof record.reference === "string" ? /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+$/.exec(record.reference)?.[1] : undefined);
    return type ? `A linked ${words(type).toLowerCase()}` : "A linked record";
  }
  return null;
}

function render(key: string, value: unknown, depth: number, naming?: Naming): ReactNode {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return readableValue(key, value);
  if (typeof value !== "object") return "—";
  if (Array.isArray(value)) {
    if ((key === "extension" || key === "modifierExtension") && value.every(isExtension)) return <Extensions items={value} depth={depth} naming={naming} />;
    if (value.length === 1) return render(key, value[0], depth, naming);
    return (
      <ul>
        {value.map((item, index) => (
          <li key={index}>{render(key, item, depth + 1, naming)}</li>
        ))}
      </ul>
    );
  }
  const record = value as Json;
  // relatesTo.targetIdentifier (FHIR R4 Composition): another document's business identifier, which means nothing to a reader.
  if (key === "targetIdentifier") return "Another document";
  if (typeof record.contentType === "string" && typeof record.data === "string") return attachmentText(record.contentType, record.data);
  // A narrative (a Composition section's text): its words only, never its markup.
  if (typeof record.div === "string") return narrativeText(record.div) || "—";
  if (typeof record.text === "string" && (record.coding || Object.keys(record).length === 1)) return record.text;
  if (Array.isArray(record.coding)) {
    // Codings of a resource written elsewhere: read as fhir4.Coding, each field still checked where it is used.
    const codings = record.coding as Array<fhir4.Coding | undefined>;
    const coding = codings.find((entry) => typeof entry?.display === "string");
    if (coding?.display) return coding.display;
    // A code without a display: a lowercase code word ("active", "problem-list-item") reads as words.
    const code = codings[0]?.code;
    if (typeof code !== "string" || !code) return "—";
    return codeWords(code, codings[0]?.system) ?? (/^[a-z][a-z-]*$/.test(code) ? words(code) : code);
  }
  // A FHIR R4 Dosage reads as one sentence ("1 tablet, once daily, by mouth"), not its nested parts.
  if (key === "dosage" || key === "dosageInstruction") {
    const dosage = dosageText(record);
    if (dosage) return dosage;
  }
  const phrase = dataTypeText(key, record, naming);
  if (phrase) return phrase;
  if (depth > 3) return "…";
  return <Fields resource={record} depth={depth + 1} naming={naming} />;
}

/**
 * Every field of a resource (or a part of one) under its clinical label. `naming` resolves
 * references to contained and context resources; `omit` leaves out fields shown elsewhere
 * (a Composition's sections).
 */
export function Fields({
  resource,
  depth = 0,
  naming,
  omit,
}: {
  resource: Record<string, unknown>;
  depth?: number;
  naming?: Naming;
  omit?: readonly string[];
}) {
  const entries = Object.entries(resource).filter(([key]) => !(depth === 0 ? hidden : hiddenNested).has(key) && !omit?.includes(key));
  return (
    <dl className={depth === 0 ? "fields" : "fields nested"}>
      {entries.map(([key, value]) => (
        <div key={key} className="field-pair">
          <dt>{fieldLabel(key)}</dt>
          <dd>{render(key, value, depth, naming)}</dd>
        </div>
      ))}
    </dl>
  );
}
