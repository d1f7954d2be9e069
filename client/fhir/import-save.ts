import { uploadEncryptedFile } from "../records/files";
import { importRecords } from "../records/import-records";
import { saveVersion, type RecordDocument } from "../records/records";
import { ApiError, isNetworkFailure, type Transport } from "../transport/api";
import { countOf, pluralOf } from "../format";
import type { UnlockedVault } from "../keystore/vault-store";
import type { MatchedRecord } from "./import-duplicates";
import type { InlineFile } from "./import-content";

/** How far an import is: `done` of `total` steps, each a record saved or a file uploaded. */
export interface ImportSaveProgress {
  done: number;
  total: number;
  phase: "files" | "records" | "updates";
  /** Records saved so far (new ones and updates), of `records`. */
  savedRecords: number;
  records: number;
}

/** What an import stored. */
export interface ImportResult {
  created: number;
  updated: number;
}

/**
 * The new records of an import were all saved, but updating the records already in the chart
 * stopped part-way: `updated` of them got their new version. `reason` is what stopped it.
 */
export class ImportUpdatesStoppedError extends Error {
  override readonly name = "ImportUpdatesStoppedError";
  constructor(
    readonly created: number,
    readonly updated: number,
    readonly reason: unknown,
  ) {
    super(`The ${countOf(created, "new record")} ${pluralOf(created, "was", "were")} saved, but updating stopped after ${countOf(updated, "record")}.`);
  }
}

const noProgress = () => undefined;

const uploadInline = (file: InlineFile, context: { recordId: string; version: number; keyVersion: number }, transport: Transport) =>
  uploadEncryptedFile(new Blob([file.bytes as BlobPart]), context, noProgress, transport);

/**
 * Stores an import: each new record's file is encrypted and uploaded first, then the new
 * records are saved together (client/records/import-records.ts: all or nothing); with
 * `update`, records already in the chart whose content differs get a new version (the file's
 * content as the new version), unchanged ones and repeats are left alone.
 * @throws what uploadEncryptedFile and importRecords throw (ApiError with the server's reason,
 *   ImportNotSavedError: nothing new was saved), unchanged; ImportUpdatesStoppedError when an
 *   update fails after the new records were saved.
 */
export async function saveImport(
  matched: readonly MatchedRecord[],
  options: { update: boolean },
  vault: UnlockedVault,
  transport: Transport,
  onProgress: (progress: ImportSaveProgress) => void = noProgress,
): Promise<ImportResult> {
  const created = matched.flatMap((item) => (item.status === "new" ? [item.record] : []));
  const updates = options.update ? matched.flatMap((item) => (item.status === "changed" ? [item] : [])) : [];
  const files = created.filter((record) => record.file).length + updates.filter((item) => item.record.file).length;
  const records = created.length + updates.length;
  const total = files + records;
  let uploaded = 0;
  let saved = 0;
  const report = (phase: ImportSaveProgress["phase"]) => onProgress({ done: uploaded + saved, total, phase, savedRecords: saved, records });

  report("files");
  const documents: Array<RecordDocument & { recordId?: string }> = [];
  for (const record of created) {
    if (!record.file) {
      documents.push(record.document);
      continue;
    }
    const recordId = crypto.randomUUID();
    const file = await uploadInline(record.file, { recordId, version: 1, keyVersion: 1 }, transport);
    uploaded += 1;
    report("files");
    documents.push({ ...record.document, recordId, file });
  }
  if (documents.length > 0) {
    await importRecords(documents, vault, transport, (progress) => {
      saved = progress.saved;
      report("records");
    });
  }
  let updated = 0;
  for (const { record, existing } of updates) {
    const context = { recordId: existing.id, version: existing.version + 1, keyVersion: existing.keyVersion };
    try {
      const file = record.file ? await uploadInline(record.file, context, transport) : undefined;
      if (file) uploaded += 1;
      await saveVersion(existing, { ...record.document, ...(file ? { file } : {}) }, vault, transport);
    } catch (caught) {
      // Only failures of the server or the connection are named so; a bug is thrown as it is.
      if (caught instanceof ApiError || isNetworkFailure(caught)) throw new ImportUpdatesStoppedError(created.length, updated, caught);
      throw caught;
    }
    updated += 1;
    saved += 1;
    report("updates");
  }
  return { created: created.length, updated: updates.length };
}
