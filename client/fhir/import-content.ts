import { cryptoReady, isCryptoError, encodeRecordBody, encryptRecordContent, fromBase64, generateRecordKey, utf8 } from "@/crypto";
import { maxContentBytes } from "@/contract/records";
import type { RecordDocument } from "../records/records";
import type { ImportPlan, PlannedRecord } from "./import-bundle";
import { formatBytes } from "../format";
import { isObject, type FhirResource } from "./types";

/**
 * Inline content (FHIR R4 Attachment.data, base64) and the one limit on a record's size.
 * A record's encrypted envelope may be at most `maxContentBytes` (contract/records.ts, the
 * limit the server applies too); inline attachments go to the encrypted file store instead,
 * linked to their record (RecordDocument.file), the attachment keeping its contentType,
 * title and the real size, without `data`.
 */

/** The bytes of an attachment taken out of a record, to upload as its encrypted file. */
export interface InlineFile {
  bytes: Uint8Array;
  contentType?: string;
  title?: string;
}

/** A planned record made ready to store: its document (without file yet) and the file to upload, if any. */
export interface PreparedRecord {
  planned: PlannedRecord;
  document: Omit<RecordDocument, "file">;
  file?: InlineFile;
}

/** A record of the file that cannot be stored, and why, in words for the person. */
export interface NotImportable {
  label: string;
  resourceType: string;
  reason: string;
}

type Path = Array<string | number>;

/** The attachment that becomes the record's file whatever its size: a file's content, a report's presentedForm. */
function fileAttachmentPath(planned: PlannedRecord): Path | null {
  const { resource } = planned;
  if (planned.kind === "document" && Array.isArray(resource.content)) {
    const index = resource.content.findIndex(
      (content: unknown) => isObject(content) && isObject(content.attachment) && typeof content.attachment.data === "string",
    );
    return index >= 0 ? ["content", index, "attachment"] : null;
  }
  if (resource.resourceType === "DiagnosticReport" && Array.isArray(resource.presentedForm)) {
    const index = resource.presentedForm.findIndex((form: unknown) => isObject(form) && typeof form.data === "string");
    return index >= 0 ? ["presentedForm", index] : null;
  }
  return null;
}

/** The largest inline `data` anywhere in a resource (contained resources included), for a record too large to store. */
function largestInlineData(value: unknown, path: Path = [], best: { path: Path; length: number } | null = null): { path: Path; length: number } | null {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      best = largestInlineData(item, [...path, index], best);
    });
  } else if (isObject(value)) {
    if (typeof value.data === "string" && (!best || value.data.length > best.length)) best = { path, length: value.data.length };
    for (const [key, inner] of Object.entries(value)) if (key !== "data") best = largestInlineData(inner, [...path, key], best);
  }
  return best;
}

const at = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((inner, key) => (isObject(inner) || Array.isArray(inner) ? (inner as Record<string, unknown>)[key] : undefined), value);

/** A copy of `value` with the object at `path` replaced, every other part shared. */
function replacedAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [key, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, index) => (index === key ? replacedAt(item, rest, replacement) : item));
  const object = value as Record<string, unknown>;
  return { ...object, [key!]: replacedAt(object[key!], rest, replacement) };
}

/**
 * Takes the attachment at `path` out of the resource: its decoded bytes, and the resource
 * with that attachment kept but for `data`, and `size` set to the real byte count.
 * @throws CryptoError("malformed") when the data is not base64
 */
function withoutData(resource: FhirResource, path: Path): { resource: FhirResource; file: InlineFile } {
  const { data, ...rest } = at(resource, path) as Record<string, unknown>;
  const bytes = new Uint8Array(fromBase64(String(data)));
  const file: InlineFile = {
    bytes,
    ...(typeof rest.contentType === "string" ? { contentType: rest.contentType } : {}),
    ...(typeof rest.title === "string" ? { title: rest.title } : {}),
  };
  return { resource: replacedAt(resource, path, { ...rest, size: bytes.length }) as FhirResource, file };
}

/** Under this many bytes of JSON a document always fits: its padded bucket is at most 64 KiB, well inside the limit. */
const alwaysFitsBytes = 32 * 1024;
/** Room for a file's access (blob id, key, header, chunking and record context: about 300 bytes of JSON). */
const fileAccessAllowance = 512;
const zeroKey = new Uint8Array(32);

/**
 * The size, in bytes, of the encrypted envelope this document would be stored as (what the
 * server compares with `maxContentBytes`): measured by sealing it under a throwaway key, as
 * client/records/records.ts seals it, with a file reduced to its size and digest as signed.
 */
async function envelopeBytes(document: Omit<RecordDocument, "file">, hasFile: boolean): Promise<number> {
  await cryptoReady();
  const signed = hasFile ? { ...document, file: { size: Number.MAX_SAFE_INTEGER, digest: "x".repeat(43) } } : document;
  const body = encodeRecordBody({ commitmentKey: zeroKey, document: utf8(JSON.stringify(signed)), access: new Uint8Array(hasFile ? fileAccessAllowance : 0) });
  const key = generateRecordKey();
  try {
    return encryptRecordContent(body, key, { recordId: "00000000-0000-0000-0000-000000000000", version: 1, keyVersion: 1 }).length;
  } finally {
    key.fill(0);
  }
}

async function fits(document: Omit<RecordDocument, "file">, hasFile: boolean): Promise<boolean> {
  if (JSON.stringify(document).length < alwaysFitsBytes) return true;
  return (await envelopeBytes(document, hasFile)) <= maxContentBytes;
}

/**
 * Makes each planned record ready to store: an inline file's content (a DocumentReference's
 * attachment, a DiagnosticReport's presentedForm) or, for a record too large to store as it
 * is, its largest inline attachment, becomes the record's file. A record that still cannot
 * fit, or whose inline data is not base64, is listed as not importable with the reason;
 * the others are not affected.
 */
export async function prepareRecords(plan: Pick<ImportPlan, "records">): Promise<{ ready: PreparedRecord[]; notImportable: NotImportable[] }> {
  const ready: PreparedRecord[] = [];
  const notImportable: NotImportable[] = [];
  for (const planned of plan.records) {
    const refuse = (reason: string) => notImportable.push({ label: planned.label, resourceType: planned.resource.resourceType, reason });
    let document: Omit<RecordDocument, "file"> = {
      v: 1,
      kind: planned.kind,
      resource: planned.resource,
      ...(planned.fullUrl ? { fullUrl: planned.fullUrl } : {}),
      ...(planned.context ? { context: planned.context } : {}),
    };
    let file: InlineFile | undefined;
    try {
      const path = fileAttachmentPath(planned);
      if (path) ({ resource: document.resource, file } = withoutData(planned.resource, path));
      if (!file && !(await fits(document, false))) {
        const largest = largestInlineData(planned.resource);
        if (largest) {
          ({ resource: document.resource, file } = withoutData(planned.resource, largest.path));
          // A note whose text moved to a file is shown as the file it now is.
          if (document.kind === "note") document = { ...document, kind: "document" };
        }
      }
    } catch (caught) {
      if (!isCryptoError(caught)) throw caught;
      refuse("its attached file is not valid base64, so it cannot be read.");
      continue;
    }
    if (!(await fits(document, Boolean(file)))) {
      refuse(
        `it holds ${formatBytes(JSON.stringify(document.resource).length)} of structured data, more than one record can hold (about ${formatBytes(maxContentBytes / 2)}).`,
      );
      continue;
    }
    ready.push({ planned, document, ...(file ? { file } : {}) });
  }
  return { ready, notImportable };
}
