import { z } from "zod";
import { recordsRoutes } from "@/contract/records";
import { bundleViolations } from "../fhir";
import type { Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";
import { ArchiveError, readArchive } from "./backup-archive";
import { backupFormat, bundlePath, manifestPath, type BackupManifest } from "./backup";
import { uploadEncryptedFile, type FileReference } from "./files";
import { saveVersion, type RecordDocument } from "./records";
import { importRecords } from "./import-records";

/**
 * Restoring a full backup (backup.ts) into an empty account: the archive is read and checked
 * in the browser, then every record is encrypted, signed and stored anew as the person
 * restoring it (the original authors stay named in the backup, not as signers), with its
 * versions in order and its files uploaded encrypted and checked byte for byte against the
 * digest the backup names.
 */

export type BackupProblemCode = "not-a-backup" | "damaged" | "not-empty" | "file-differs";

/** Why a backup cannot be restored, in words a person can act on. */
export class BackupRestoreError extends Error {
  override readonly name = "BackupRestoreError";
  constructor(
    readonly code: BackupProblemCode,
    message: string,
  ) {
    super(message);
  }
}

const positive = z.number().int().min(1);
const fileSchema = z.object({ path: z.string().startsWith("files/"), size: z.number().int().min(0), digest: z.string().min(1) });
const documentSchema = z.looseObject({
  v: z.literal(1),
  kind: z.string().min(1),
  resource: z.looseObject({ resourceType: z.string().min(1) }),
  fullUrl: z.string().optional(),
  context: z
    .array(z.object({ fullUrl: z.string().optional(), resource: z.looseObject({ resourceType: z.string().min(1), id: z.string().optional() }) }))
    .optional(),
});
const manifestSchema = z.object({
  format: z.literal(backupFormat),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  records: z.array(
    z.object({
      id: z.string().min(1),
      versions: z
        .array(z.object({ version: positive, createdAt: z.string(), author: z.string(), document: documentSchema, file: fileSchema.optional() }))
        .min(1)
        // Versions run 1, 2, 3... with none missing: the history is restored as it was.
        .refine((versions) => versions.every((version, index) => version.version === index + 1), "versions must run 1, 2, 3… in order"),
    }),
  ),
});

/** What a backup holds, checked, ready to show and restore. */
export interface BackupContents {
  manifest: BackupManifest;
  /** Each file's decrypted contents, by its path in the archive. */
  files: Map<string, Blob>;
  summary: { records: number; versions: number; files: number; createdAt: string; kinds: Map<string, number> };
}

/**
 * Opens a backup archive and checks it: a ZIP, with a `backup.json` of this format whose
 * records' versions run 1..n, every file it names present with the size it names, and a
 * `health-records.json` Bundle keeping the FHIR R4 Bundle invariants with one entry per version.
 * @throws BackupRestoreError "not-a-backup" (another ZIP, or not a ZIP) or "damaged" (cut
 *   short, a file missing or of another size, a manifest or bundle that does not parse).
 */
export async function readBackup(archive: Blob, onProgress: (readBytes: number, totalBytes: number) => void = () => undefined): Promise<BackupContents> {
  let entries: Map<string, Blob>;
  try {
    entries = await readArchive(archive, onProgress);
  } catch (caught) {
    if (!(caught instanceof ArchiveError)) throw caught;
    throw new BackupRestoreError("not-a-backup", `This is not a backup this app made: ${caught.message}`);
  }
  const manifestBlob = entries.get(manifestPath);
  if (!manifestBlob) throw new BackupRestoreError("not-a-backup", `This ZIP is not a Health Safe Cloud backup: it has no ${manifestPath}.`);
  const manifest = manifestSchema.safeParse(await jsonOf(manifestBlob, manifestPath));
  if (!manifest.success)
    throw new BackupRestoreError("damaged", `The backup's ${manifestPath} is not as this app writes it (${manifest.error.issues[0]?.message ?? "unknown"}).`);
  const files = new Map<string, Blob>();
  let versions = 0;
  const kinds = new Map<string, number>();
  for (const record of manifest.data.records) {
    versions += record.versions.length;
    const kind = record.versions[record.versions.length - 1]!.document.kind;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    for (const version of record.versions) {
      if (!version.file) continue;
      const contents = entries.get(version.file.path);
      if (!contents) throw new BackupRestoreError("damaged", `The backup is missing the file ${version.file.path}.`);
      if (contents.size !== version.file.size) throw new BackupRestoreError("damaged", `The file ${version.file.path} is not the size the backup names.`);
      files.set(version.file.path, contents);
    }
  }
  const bundleBlob = entries.get(bundlePath);
  if (!bundleBlob) throw new BackupRestoreError("damaged", `The backup is missing ${bundlePath}.`);
  const bundle = await jsonOf(bundleBlob, bundlePath);
  const violations = bundleViolations(bundle);
  if (violations.length > 0) throw new BackupRestoreError("damaged", `The backup's ${bundlePath} is not a valid FHIR Bundle (${violations[0]!.message}).`);
  const recordUrls = new Set(manifest.data.records.map((record) => `urn:uuid:${record.id}`));
  const versionEntries = ((bundle as { entry?: Array<{ fullUrl?: string }> }).entry ?? []).filter((entry) => recordUrls.has(entry.fullUrl ?? "")).length;
  if (versionEntries !== versions) throw new BackupRestoreError("damaged", `The backup's ${bundlePath} and ${manifestPath} do not hold the same versions.`);
  return {
    manifest: manifest.data as BackupManifest,
    files,
    summary: { records: manifest.data.records.length, versions, files: files.size, createdAt: manifest.data.createdAt, kinds },
  };
}

async function jsonOf(blob: Blob, name: string): Promise<unknown> {
  try {
    return JSON.parse(await blob.text()) as unknown;
  } catch (caught) {
    if (!(caught instanceof SyntaxError)) throw caught;
    throw new BackupRestoreError("damaged", `The backup's ${name} is not JSON.`);
  }
}

export type RestoreProgress = { step: "files"; done: number; total: number } | { step: "versions"; done: number; total: number };

/**
 * Restores a checked backup into the signed-in patient's chart, which must be empty: each
 * record is created anew (a new id) with its first version, then its later versions are
 * saved in order, each signed by the person restoring. Every file is uploaded encrypted and
 * its new digest compared with the backup's, so the stored file is byte-equal to the one
 * backed up; versions of one record sharing a file share the upload.
 * @throws BackupRestoreError "not-empty" (the chart has records: nothing was restored) or
 *   "file-differs" (a file's bytes are not the ones backed up); ApiError for a refusal or no
 *   answer (records already restored stay: the message says how many).
 */
export async function restoreBackup(contents: BackupContents, vault: UnlockedVault, transport: Transport, onProgress: (progress: RestoreProgress) => void) {
  // One record is enough to know; the page says how many there are.
  const first = await transport.call(recordsRoutes.list, { query: { limit: 1 } });
  if (first.records.length > 0) {
    const count = Math.max(first.total, first.records.length);
    throw new BackupRestoreError(
      "not-empty",
      `Your chart already has ${count} record${count === 1 ? "" : "s"}. A backup is restored only into an empty chart, so nothing is duplicated or mixed: nothing was restored.`,
    );
  }
  const plan = contents.manifest.records.map((record) => ({ record, id: crypto.randomUUID(), uploaded: new Map<string, FileReference>() }));
  const fileCount = plan.reduce((sum, { record }) => sum + new Set(record.versions.flatMap((version) => (version.file ? [version.file.path] : []))).size, 0);
  let filesDone = 0;
  const documentOf = async (item: (typeof plan)[number], index: number): Promise<RecordDocument> => {
    const version = item.record.versions[index]!;
    if (!version.file) return version.document as RecordDocument;
    let reference = item.uploaded.get(version.file.path);
    if (!reference) {
      onProgress({ step: "files", done: filesDone, total: fileCount });
      reference = await uploadEncryptedFile(
        contents.files.get(version.file.path)!,
        { recordId: item.id, version: version.version, keyVersion: 1 },
        () => undefined,
        transport,
      );
      if (reference.digest !== version.file.digest || reference.size !== version.file.size) {
        throw new BackupRestoreError("file-differs", `The file ${version.file.path} in the backup is not the one that was backed up.`);
      }
      item.uploaded.set(version.file.path, reference);
      filesDone += 1;
    }
    return { ...(version.document as RecordDocument), file: reference };
  };
  const firsts: Array<RecordDocument & { recordId: string }> = [];
  for (const item of plan) firsts.push({ ...(await documentOf(item, 0)), recordId: item.id });
  const total = plan.reduce((sum, { record }) => sum + record.versions.length, 0);
  onProgress({ step: "versions", done: 0, total });
  // Every record's first version in one staged import: all of them are in the chart, or none is.
  await importRecords(firsts, vault, transport, ({ saved }) => onProgress({ step: "versions", done: saved, total }));
  let done = plan.length;
  onProgress({ step: "versions", done, total });
  for (const item of plan) {
    for (let index = 1; index < item.record.versions.length; index += 1) {
      await saveVersion({ id: item.id, version: index, keyVersion: 1 }, await documentOf(item, index), vault, transport);
      done += 1;
      onProgress({ step: "versions", done, total });
    }
  }
  return { records: plan.length, versions: total, files: filesDone };
}
