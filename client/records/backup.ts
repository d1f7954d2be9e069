import { checkedBundle, type Bundle, type ContextEntry, type FhirResource } from "../fhir";
import { isIntegrityError } from "../integrity";
import type { Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import { ArchiveWriter, type ArchiveSink } from "./backup-archive";
import { downloadDecryptedFile, type FileReference } from "./files";
import { loadWholeChart, loadVersions, type RecordDocument } from "./records";

/**
 * The full backup ("Download everything"): one ZIP a person can open, holding
 * - `README.txt`: what is inside, in words;
 * - `health-records.json`: a FHIR R4 collection Bundle of every version of every record
 *   (each version an entry with the record's fullUrl `urn:uuid:<record id>` and
 *   `meta.versionId`, which Bundle invariant bdl-7 allows), the context resources once each,
 *   and file records' DocumentReference `attachment.url` as the file's relative path (a
 *   relative URL: `files/001-Chest%20X-ray.pdf`);
 * - `files/…`: every file's decrypted contents, named after its title;
 * - `backup.json` (BackupManifest): what a restore reads, every version's record document as
 *   it was signed, without the keys that opened its file.
 * Everything is decrypted in the browser; the server sees only the ciphertext it already had.
 */

export const backupFormat = "health-safe-cloud-backup";
export const bundlePath = "health-records.json";
export const manifestPath = "backup.json";
export const readmePath = "README.txt";

/** A version's file as the backup holds it: where in the archive, and what its author signed of it. */
export interface BackupFile {
  /** Relative path inside the archive, e.g. `files/001-scan.pdf`. */
  path: string;
  /** Plaintext size in bytes. */
  size: number;
  /** BLAKE2b-256 of the plaintext (base64url), as the record's author signed it. */
  digest: string;
}

export interface BackupVersion {
  version: number;
  /** When the server stored it (ISO 8601). */
  createdAt: string;
  /** Who wrote it, as the app verified and named them ("You", "Dr … (doctor)"). */
  author: string;
  /** The record document as signed, without its file's access keys. */
  document: Omit<RecordDocument, "file">;
  file?: BackupFile;
}

/** `backup.json`: what a restore reads. Records in chart order, each with its versions oldest first. */
export interface BackupManifest {
  format: typeof backupFormat;
  formatVersion: 1;
  createdAt: string;
  records: Array<{ id: string; versions: BackupVersion[] }>;
}

export interface BackupResult {
  records: number;
  versions: number;
  files: number;
  /** Records left out because they failed their checks (altered or damaged on the server). */
  recordsLeftOut: number;
  /** Files whose contents could not be decrypted, so are not in the backup (their records are, named). */
  filesLeftOut: string[];
}

export type BackupProgress = { step: "records"; done: number; total: number } | { step: "files"; done: number; total: number } | { step: "writing" };

const contentTypeExtensions: Record<string, string> = {
  "application/pdf": ".pdf",
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/heic": ".heic",
  "text/plain": ".txt",
  "application/json": ".json",
  "application/fhir+json": ".json",
  "application/xml": ".xml",
  "text/xml": ".xml",
  "application/zip": ".zip",
};

/** The first attachment of a DocumentReference (read defensively), for its title and type. */
function attachmentOf(resource: FhirResource): Record<string, unknown> {
  const content: unknown = Array.isArray(resource.content) ? resource.content[0] : undefined;
  const attachment = typeof content === "object" && content !== null ? (content as Record<string, unknown>).attachment : undefined;
  return typeof attachment === "object" && attachment !== null ? (attachment as Record<string, unknown>) : {};
}

/**
 * A readable, portable file name: the attachment's title with characters that some systems
 * refuse (`/ \ : * ? " < > |`, control characters) replaced, at most 80 characters, numbered so
 * no two clash, with an extension from the content type when the title has none.
 */
export function backupFileName(number: number, resource: FhirResource): string {
  const attachment = attachmentOf(resource);
  const title = typeof attachment.title === "string" && attachment.title.trim() ? attachment.title.trim() : "file";
  let name = title
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 80);
  const type = typeof attachment.contentType === "string" ? attachment.contentType.split(";")[0]!.trim().toLowerCase() : "";
  if (!/\.[A-Za-z0-9]{1,5}$/.test(name)) name += contentTypeExtensions[type] ?? ".bin";
  return `files/${String(number).padStart(3, "0")}-${name}`;
}

/** A path inside the archive as a relative URL (RFC 3986 § 4.2): each segment percent-encoded, so a space is `%20`. */
export const relativeUrl = (path: string) => path.split("/").map(encodeURIComponent).join("/");

/** The version's resource as the backup's Bundle writes it: its version and time in meta, a file's path as its attachment's url. */
function bundleResource(version: BackupVersion): FhirResource {
  const resource = version.document.resource;
  const meta = typeof resource.meta === "object" && resource.meta !== null ? (resource.meta as Record<string, unknown>) : {};
  const withMeta: FhirResource = { ...resource, meta: { ...meta, versionId: String(version.version), lastUpdated: version.createdAt } };
  if (!version.file) return withMeta;
  const content = Array.isArray(resource.content) ? (resource.content as unknown[]) : [];
  const [first, ...rest] = content;
  const firstEntry = typeof first === "object" && first !== null ? (first as Record<string, unknown>) : {};
  return { ...withMeta, content: [{ ...firstEntry, attachment: { ...attachmentOf(resource), url: relativeUrl(version.file.path) } }, ...rest] };
}

/**
 * The backup's FHIR R4 collection Bundle: every version of every record (fullUrl
 * `urn:uuid:<record id>`, meta.versionId its version number), then each context resource
 * once (deduplicated by fullUrl, or resourceType/id). Keeps bdl-1...bdl-12 (checkedBundle).
 */
export function buildBackupBundle(manifest: BackupManifest): Bundle {
  const entry: NonNullable<Bundle["entry"]> = [];
  const seen = new Set<string>();
  const context: ContextEntry[] = [];
  for (const record of manifest.records) {
    seen.add(`urn:uuid:${record.id}`);
    for (const version of record.versions) {
      entry.push({ fullUrl: `urn:uuid:${record.id}`, resource: bundleResource(version) as fhir4.Resource });
      for (const item of version.document.context ?? []) {
        const identity = item.fullUrl ?? (item.resource.id ? `${item.resource.resourceType}/${item.resource.id}` : null);
        if (identity !== null && seen.has(identity)) continue;
        if (identity !== null) seen.add(identity);
        context.push(item);
      }
    }
  }
  for (const item of context) entry.push({ ...(item.fullUrl ? { fullUrl: item.fullUrl } : {}), resource: item.resource as fhir4.Resource });
  return checkedBundle({ resourceType: "Bundle", type: "collection", timestamp: manifest.createdAt, entry });
}

/** README.txt: what the archive holds, and what to do with it, in plain words. */
export function backupReadme(manifest: BackupManifest, result: BackupResult): string {
  const versions = manifest.records.reduce((sum, record) => sum + record.versions.length, 0);
  const lines = [
    "Health Safe Cloud: a full backup of your health records",
    "",
    `Made on ${manifest.createdAt} (UTC), in your browser. Nothing in this archive is encrypted:`,
    "anyone who has it can read it. Keep it somewhere safe.",
    "",
    "What is inside",
    `- ${bundlePath}: your ${manifest.records.length} records with all ${versions} of their versions, as one`,
    "  FHIR R4 Bundle (JSON). Other health apps can read it. Each version of a record is one entry:",
    "  entries with the same fullUrl are versions of one record, numbered in meta.versionId.",
    "  After them come the people, organisations, places and medications your records refer to",
    "  (Practitioner, Organization, Location, Medication...), once each: they are not records.",
    `- files/: the ${result.files} files you stored, as they were uploaded. The DocumentReference of each`,
    "  names its file in attachment.url.",
    `- ${manifestPath}: what Health Safe Cloud reads to restore this backup into an account`,
    '  (Backup page, "Restore a backup"), with who wrote each version.',
    `- ${readmePath}: this text.`,
  ];
  if (result.recordsLeftOut > 0 || result.filesLeftOut.length > 0) {
    lines.push("", "Left out");
    if (result.recordsLeftOut > 0) lines.push(`- ${result.recordsLeftOut} record(s) that failed their checks (altered or damaged on the server).`);
    for (const name of result.filesLeftOut) lines.push(`- the contents of "${name}", which could not be decrypted (altered or damaged after it was saved).`);
  }
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * Makes the full backup of the signed-in patient's chart into `sink`: every record that
 * verifies with every version (loadVersions: each verified and decrypted), every file
 * decrypted once (versions sharing a file share it), then the Bundle, the manifest and
 * the README. Files are streamed from the server into the archive piece by piece.
 * A record failing its checks is left out and counted; a file failing its checks is left out
 * and named (its record's versions are kept, without a file), as the chart's export does.
 * @throws ApiError for a refusal or no answer; IntegrityError when a record's history does
 *   not verify; whatever the sink throws (the disk is full).
 */
export async function buildBackup(
  vault: UnlockedVault,
  transport: Transport,
  sink: ArchiveSink,
  onProgress: (progress: BackupProgress) => void,
  now: Date,
): Promise<BackupResult> {
  const chart = await loadWholeChart(vault, transport);
  const ok = chart.filter((entry) => entry.status === "ok");
  const manifest: BackupManifest = { format: backupFormat, formatVersion: 1, createdAt: now.toISOString(), records: [] };
  const files = new Map<string, { reference: FileReference; resource: FhirResource; users: BackupVersion[] }>();
  for (const [index, entry] of ok.entries()) {
    onProgress({ step: "records", done: index, total: ok.length });
    const versions = await loadVersions(entry, vault, transport);
    const record = { id: entry.id, versions: [] as BackupVersion[] };
    for (const { version, createdAt, author, document } of versions) {
      const { file, ...rest } = document;
      const kept: BackupVersion = { version, createdAt, author: author.name, document: rest };
      if (file) {
        const known = files.get(file.blobId) ?? { reference: file, resource: document.resource, users: [] as BackupVersion[] };
        known.users.push(kept);
        files.set(file.blobId, known);
      }
      record.versions.push(kept);
    }
    manifest.records.push(record);
  }
  onProgress({ step: "records", done: ok.length, total: ok.length });

  const writer = new ArchiveWriter(sink);
  const result: BackupResult = {
    records: manifest.records.length,
    versions: manifest.records.reduce((sum, record) => sum + record.versions.length, 0),
    files: 0,
    recordsLeftOut: chart.length - ok.length,
    filesLeftOut: [],
  };
  for (const [index, { reference, resource, users }] of [...files.values()].entries()) {
    onProgress({ step: "files", done: index, total: files.size });
    const path = backupFileName(index + 1, resource);
    let plain: Blob;
    try {
      plain = await downloadDecryptedFile(reference, "application/octet-stream", () => undefined, transport);
    } catch (caught) {
      // Only a file that fails its checks is left out (and named); an outage or a bug stops the backup.
      if (!isIntegrityError(caught)) throw caught;
      const title = attachmentOf(resource).title;
      result.filesLeftOut.push(typeof title === "string" ? title : path);
      continue;
    }
    await writer.add(path, plain, now);
    result.files += 1;
    for (const version of users) version.file = { path, size: reference.size, digest: reference.digest };
  }
  if (files.size > 0) onProgress({ step: "files", done: files.size, total: files.size });
  onProgress({ step: "writing" });
  await writer.add(bundlePath, JSON.stringify(buildBackupBundle(manifest), null, 2), now);
  await writer.add(manifestPath, JSON.stringify(manifest), now);
  await writer.add(readmePath, backupReadme(manifest, result), now);
  await writer.finish();
  return result;
}
