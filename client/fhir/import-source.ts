import { ImportError } from "./import-error";
import { linesOf, linesOfText, parseNdjson } from "./ndjson";
import { isObject } from "./types";

/**
 * One entry of an imported file, before it is judged: where it sits in the file (for the
 * plan's wording), the fullUrl the bundle gave it, and the resource as it came.
 * `request`, `response` and `search` parts of a Bundle entry are not carried: they are about
 * the exchange (FHIR R4 Bundle.entry.request/response/search), never the record.
 */
export interface SourceEntry {
  /** "Entry 3", "Line 12", "Item 2" or "The resource": how the plan names it. */
  label: string;
  fullUrl?: string;
  resource: unknown;
}

/** What a file holds, read as FHIR: its entries and, in words, what form it came in ("a transaction bundle"). */
export interface ImportSource {
  entries: SourceEntry[];
  form: string;
}

/**
 * Bundle types whose entries carry resources to keep (FHIR R4 Bundle.type): the responses
 * carry them when the server was asked to return them (Prefer: return=representation).
 */
const bundleTypes = new Set(["document", "collection", "transaction", "batch", "searchset", "transaction-response", "batch-response"]);

const looksLikeResource = (value: unknown) => isObject(value) && typeof value.resourceType === "string";
const looksLikeEntry = (value: unknown) => isObject(value) && isObject(value.resource);

/**
 * The entries of a parsed JSON file: a Bundle of any type in `bundleTypes`, a single bare
 * resource, or a JSON array of resources or of Bundle entries (`{fullUrl, resource}`).
 * @throws ImportError, worded for the person, for anything else (JSON that is not FHIR, a
 *   Bundle type that holds no records, a Bundle whose `entry` is not a list).
 */
export function sourceOf(json: unknown): ImportSource {
  if (Array.isArray(json)) {
    if (!json.some((item) => looksLikeResource(item) || looksLikeEntry(item))) {
      throw new ImportError("This file is a JSON list, but nothing in it is a FHIR resource or Bundle entry.");
    }
    return { form: "a list of FHIR resources", entries: json.map((item: unknown, index) => entryOf(item, `Item ${index + 1}`)) };
  }
  if (!looksLikeResource(json)) {
    throw new ImportError("This file is JSON, but not FHIR: it is neither a Bundle, a resource (it has no resourceType), nor a list of resources.");
  }
  const resource = json as Record<string, unknown>;
  if (resource.resourceType !== "Bundle") return { form: `a single ${String(resource.resourceType)}`, entries: [{ label: "The resource", resource }] };
  const type = resource.type;
  if (typeof type !== "string" || !bundleTypes.has(type)) {
    throw new ImportError(
      `${typeof type === "string" ? `This is a ${type} Bundle` : "This Bundle has no type"}; a document, collection, transaction, batch, search result or a response carrying resources can be imported.`,
    );
  }
  if (resource.entry !== undefined && !Array.isArray(resource.entry)) throw new ImportError("This Bundle's entries are not a list, so it cannot be read.");
  const entries: unknown[] = Array.isArray(resource.entry) ? resource.entry : [];
  return { form: `a ${type} bundle`, entries: entries.map((entry, index) => bundleEntryOf(entry, `Entry ${index + 1}`)) };
}

/** A Bundle entry as a SourceEntry: its fullUrl (when a string) and resource; nothing else. */
function bundleEntryOf(entry: unknown, label: string): SourceEntry {
  if (!isObject(entry)) return { label, resource: undefined };
  return { label, resource: entry.resource, ...(typeof entry.fullUrl === "string" ? { fullUrl: entry.fullUrl } : {}) };
}

/** An item of a JSON array: a Bundle entry when it has a `resource`, otherwise a resource itself. */
function entryOf(item: unknown, label: string): SourceEntry {
  return looksLikeEntry(item) ? bundleEntryOf(item, label) : { label, resource: item };
}

const ndjsonName = /\.(ndjson|jsonl)$/i;

/**
 * Reads a chosen file as FHIR in the browser. `.ndjson` and `.jsonl` files are read line by
 * line from the file's stream; anything else is parsed as one JSON value (see `sourceOf`),
 * and read as NDJSON when it is not one JSON value but its first line is a JSON object.
 * @throws ImportError, worded for the person, for a file that is not JSON or not FHIR, or an
 *   NDJSON line that is neither (named by its number).
 */
export async function readImportFile(file: Blob, name: string): Promise<ImportSource> {
  if (ndjsonName.test(name)) return ndjsonSource(await parseNdjson(linesOf(file.stream())));
  const text = await file.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (caught) {
    if (!(caught instanceof SyntaxError)) throw caught;
    if (/^\uFEFF?\s*\{[^\n]*\}\s*\r?\n\s*\{/.test(text)) return ndjsonSource(await parseNdjson(linesOfText(text)));
    throw new ImportError("This file is not JSON, so it cannot be FHIR. Choose a FHIR Bundle or resource (.json) or an NDJSON file (.ndjson).");
  }
  return sourceOf(json);
}

function ndjsonSource(resources: Awaited<ReturnType<typeof parseNdjson>>): ImportSource {
  return { form: "an NDJSON file", entries: resources.map(({ line, resource }) => ({ label: `Line ${line}`, resource })) };
}
