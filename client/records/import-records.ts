import { createRecords, RecordsPartlySavedError, type RecordDocument } from "./records";
import type { Transport } from "../transport/api";
import type { UnlockedVault } from "../keystore/vault-store";

export interface ImportProgress {
  saved: number;
  total: number;
}

/** Records per createRecords call: small enough for steady progress, large enough to keep requests few. */
const recordsPerStep = 250;

/**
 * Saves records all or nothing, in as many requests as needed; nothing is visible in the chart until all are saved.
 *
 * PLACEHOLDER (issue 14): this version calls `createRecords` in steps of `recordsPerStep` and
 * reports progress after each; it is NOT yet all or nothing across steps (a failure after the
 * first step throws RecordsPartlySavedError with the number saved). The server-side
 * all-or-nothing import replaces it at merge, with this same signature.
 * @throws ApiError for a refusal or no answer before anything was saved; RecordsPartlySavedError after.
 */
export async function importRecords(
  documents: Array<RecordDocument & { recordId?: string }>,
  vault: UnlockedVault,
  transport: Transport,
  onProgress?: (progress: ImportProgress) => void,
): Promise<string[]> {
  const ids: string[] = [];
  onProgress?.({ saved: 0, total: documents.length });
  for (let start = 0; start < documents.length; start += recordsPerStep) {
    try {
      ids.push(...(await createRecords(documents.slice(start, start + recordsPerStep), vault, transport)));
    } catch (caught) {
      if (ids.length === 0) throw caught;
      const partly = caught instanceof RecordsPartlySavedError ? caught : null;
      throw new RecordsPartlySavedError(ids.length + (partly?.saved ?? 0), partly ? partly.reason : caught);
    }
    onProgress?.({ saved: ids.length, total: documents.length });
  }
  return ids;
}
