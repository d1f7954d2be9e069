import { toBase64 } from "@/crypto";
import { buildExportBundle, type ContextEntry, type FhirResource } from "../fhir";
import { isIntegrityError } from "../integrity";
import type { Transport } from "../transport/api";
import { downloadDecryptedFile, type FileReference } from "./files";

/** One record to export: its FHIR resource, its original fullUrl, and its encrypted file if it has one. */
export interface ExportItem {
  resource: FhirResource;
  fullUrl?: string;
  /** The context resources it references (RecordDocument.context), written back as entries of their own. */
  context?: ContextEntry[];
  file?: FileReference;
  /** The file's name, for saying which file could not be included. */
  fileName?: string;
}

export interface ExportResult {
  /** The Bundle as JSON, with every file's decrypted contents inline. */
  blob: Blob;
  /** How many files' contents are in it. */
  filesIncluded: number;
  /** Files whose contents could not be decrypted (altered or missing on the server), so are not in it. */
  filesLeftOut: string[];
}

// A multiple of 3 bytes, so the base64 of consecutive pieces joins into one valid base64 string.
const base64Step = 3 * 256 * 1024;

/** The standard base64 of a Blob, as a Blob, made piece by piece so page memory holds one piece at a time. */
async function base64Blob(source: Blob): Promise<Blob> {
  const pieces: Blob[] = [];
  for (let offset = 0; offset < source.size; offset += base64Step) {
    pieces.push(new Blob([toBase64(new Uint8Array(await source.slice(offset, offset + base64Step).arrayBuffer()))]));
  }
  return new Blob(pieces);
}

function withAttachmentData(resource: FhirResource, data: string): FhirResource {
  const content = Array.isArray(resource.content) ? (resource.content as Array<Record<string, unknown>>) : [];
  const [first, ...rest] = content;
  const attachment = (first?.attachment ?? {}) as Record<string, unknown>;
  return { ...resource, content: [{ ...first, attachment: { ...attachment, data } }, ...rest] };
}

/**
 * Builds the export of some records as a FHIR R4 collection Bundle (application/fhir+json)
 * in which each file record's DocumentReference carries the file's decrypted contents as
 * base64 `attachment.data`, so the export holds everything the person stored. Each file is
 * downloaded and decrypted chunk by chunk into a Blob (which the browser may keep on disk),
 * then base64-encoded in 768 KiB pieces that are Blobs too: page memory stays near one
 * piece whatever the files' sizes. A file that fails to decrypt keeps its attachment's
 * type, title and size without data, and is named in `filesLeftOut`; the rest of the
 * export still completes. Each record's context resources follow it once each (buildExportBundle).
 *
 * @param onFile called before each file is fetched, with its 1-based number and the file count.
 */
export async function buildExportWithFiles(
  items: ExportItem[],
  now: Date,
  onFile: (number: number, count: number) => void,
  transport: Transport,
): Promise<ExportResult> {
  const withFiles = items.filter((item) => item.file);
  const decrypted = new Map<ExportItem, Blob>();
  const filesLeftOut: string[] = [];
  for (const [index, item] of withFiles.entries()) {
    onFile(index + 1, withFiles.length);
    try {
      decrypted.set(item, await downloadDecryptedFile(item.file!, "application/octet-stream", () => undefined, transport));
    } catch (caught) {
      // Only a file that fails its checks is left out (and named as damaged); an outage or a bug stops the export.
      if (!isIntegrityError(caught)) throw caught;
      // Without its contents the attachment keeps what it had: type, title and size.
      filesLeftOut.push(item.fileName ?? "a file");
    }
  }
  // Each file's contents go where a unique marker stands in the JSON text.
  const token = crypto.randomUUID();
  const markers = new Map<ExportItem, string>([...decrypted.keys()].map((item, index) => [item, `hsc-export-file-${token}-${index}`]));
  const bundle = buildExportBundle(
    items.map((item) => ({
      resource: markers.has(item) ? withAttachmentData(item.resource, markers.get(item)!) : item.resource,
      fullUrl: item.fullUrl,
      context: item.context,
    })),
    now,
  );
  let rest = JSON.stringify(bundle, null, 2);
  const parts: BlobPart[] = [];
  for (const [item, plain] of decrypted) {
    const quoted = `"${markers.get(item)!}"`;
    const at = rest.indexOf(quoted);
    parts.push(rest.slice(0, at), '"', await base64Blob(plain), '"');
    rest = rest.slice(at + quoted.length);
  }
  parts.push(rest);
  return { blob: new Blob(parts, { type: "application/fhir+json" }), filesIncluded: decrypted.size, filesLeftOut };
}
