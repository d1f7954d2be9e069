import { cryptoReady } from "@/crypto";
import { bodyLimits } from "@/contract/body-limits";
import { importsRoutes } from "@/contract/imports";
import { maxRecordsPerRequest, type NewRecord } from "@/contract/records";
import { ApiError, retryTransient, type Transport } from "../transport/api";
import { batchesWithin } from "../transport/request-batches";
import { countOf, pluralOf } from "../format";
import type { UnlockedVault } from "../keystore/vault-store";
import { activeAllRecordsGrants, sealNewRecords, wrapForGrants, type RecordDocument } from "./records";

/** How far an import has gone: `saved` of `total` records sent and staged (none is in the chart before the last). */
export interface ImportProgress {
  saved: number;
  total: number;
}

/**
 * An import failed and none of its records was saved: the server was told to drop what it
 * had staged (or, unreachable, drops it itself after IMPORT_GRACE_MINUTES; staged records
 * are never shown). `reason` is the failure that stopped it (an ApiError as thrown, or the
 * RangeError of a record too large for any request).
 */
export class ImportNotSavedError extends Error {
  override readonly name = "ImportNotSavedError";
  constructor(
    readonly total: number,
    readonly reason: unknown,
  ) {
    super(`Nothing was imported: none of the ${countOf(total, "record")} ${pluralOf(total, "was", "were")} saved.`);
  }
}

/**
 * The commit was sent but never answered, and the server could not be asked since: the
 * records are either all in the chart or none is (never some). Reloading the chart tells.
 */
export class ImportOutcomeUnknownError extends Error {
  override readonly name = "ImportOutcomeUnknownError";
  constructor(
    readonly total: number,
    readonly reason: unknown,
  ) {
    super(
      `The server did not answer: the ${countOf(total, "record")} ${pluralOf(total, "is", "are")} either all saved or none is. Reload the chart to see which.`,
    );
  }
}

/**
 * Consecutive requests for `records`: at most `maxRecordsPerRequest` records and
 * `bodyLimits.recordsBatch` bytes of JSON body each (contract/, the limits the server holds
 * them to). Throws RangeError for a record that fits no request.
 */
export function importBatches<T extends NewRecord>(records: readonly T[], limits = { records: maxRecordsPerRequest, bytes: bodyLimits.recordsBatch }): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < records.length; start += limits.records) {
    batches.push(...batchesWithin(records.slice(start, start + limits.records), "records", limits.bytes));
  }
  return batches;
}

const isSharingChanged = (error: unknown) => error instanceof ApiError && error.status === 409 && error.code === "conflict";

/**
 * Encrypts, signs and imports new records all or nothing, in as many requests as their size
 * needs: an import is started on the server, the records are staged in batches
 * (`importBatches`), each request retried while the failure is transient (`retryTransient`),
 * and the import committed, which puts every record in the chart at once. `onProgress` hears
 * `{saved: 0, total}` first and then after each batch staged. Each record is wrapped for
 * every active "all records" grant; if sharing changes meanwhile (409), the grants are read
 * again and the same sealed records re-sent with new wraps (the server takes a record it has
 * staged as done, keeping the new wraps), up to three times, progress starting again.
 * On any failure it cannot retry, the import is abandoned on the server.
 * Returns the new records' ids, in order.
 * @throws ImportNotSavedError: nothing was saved; ImportOutcomeUnknownError: all or nothing was, the server never said which;
 * IntegrityError: an answer out of its contract's shape (the import abandoned all the same).
 */
export async function importRecords(
  documents: Array<RecordDocument & { recordId?: string }>,
  vault: UnlockedVault,
  transport: Transport,
  onProgress?: (progress: ImportProgress) => void,
): Promise<string[]> {
  await cryptoReady();
  const sealed = sealNewRecords(documents, vault);
  const total = sealed.length;
  const ids = sealed.map((record) => record.id);
  if (total === 0) return ids;
  onProgress?.({ saved: 0, total });
  let importId: string;
  try {
    ({ importId } = await retryTransient(() => transport.call(importsRoutes.start, {})));
  } catch (caught) {
    if (caught instanceof ApiError) throw new ImportNotSavedError(total, caught);
    throw caught;
  }
  let commitSent = false;
  try {
    for (let attempt = 0; ; attempt += 1) {
      const allGrants = await retryTransient(() => activeAllRecordsGrants(vault, transport));
      const records = sealed.map((record) => ({ ...record, grantWraps: wrapForGrants(record.id, 1, record.ownerWrap, allGrants, vault) }));
      try {
        let saved = 0;
        if (attempt > 0) onProgress?.({ saved, total });
        for (const batch of importBatches(records)) {
          await retryTransient(() => transport.call(importsRoutes.addRecords, { params: { id: importId }, body: { records: batch } }));
          saved += batch.length;
          onProgress?.({ saved, total });
        }
        commitSent = true;
        await retryTransient(() => transport.call(importsRoutes.commit, { params: { id: importId } }));
        return ids;
      } catch (caught) {
        if (!isSharingChanged(caught) || attempt >= 2) throw caught;
      }
    }
  } catch (caught) {
    const outcome = await abandon(importId, transport);
    // Anything else (an IntegrityError from a server answering out of shape) is the caller's to report as it is.
    if (!(caught instanceof ApiError || caught instanceof RangeError)) throw caught;
    if (outcome === "committed") return ids;
    if (outcome === "unknown" && commitSent) throw new ImportOutcomeUnknownError(total, caught);
    throw new ImportNotSavedError(total, caught);
  }
}

/**
 * Asks the server to drop the import. "committed": it says the import was committed (a
 * commit whose answer was lost went through); "unknown": no answer (the sweep drops it later).
 */
async function abandon(importId: string, transport: Transport): Promise<"abandoned" | "committed" | "unknown"> {
  try {
    await retryTransient(() => transport.call(importsRoutes.abandon, { params: { id: importId } }));
    return "abandoned";
  } catch (caught) {
    if (!(caught instanceof ApiError)) throw caught;
    if (caught.status === 409) return "committed";
    // 404: gone already (swept); anything else leaves it to the sweep, and it is never shown meanwhile.
    return caught.status === 404 ? "abandoned" : "unknown";
  }
}
