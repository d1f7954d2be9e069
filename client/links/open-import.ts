import { planImport } from "../fhir";
import { prepareRecords, type NotImportable } from "../fhir/import-content";
import { matchChart, type MatchedRecord } from "../fhir/import-duplicates";
import { saveImport, type ImportResult, type ImportSaveProgress } from "../fhir/import-save";
import type { UnlockedVault } from "../keystore/vault-store";
import type { OkEntry } from "../records/records";
import type { Transport } from "../transport/api";

/** A link's records compared with the patient's chart, as the chart's FHIR import compares a file. */
export interface LinkImportReview {
  matched: MatchedRecord[];
  notImportable: NotImportable[];
  /** Records (and document summaries) not yet in the chart. */
  fresh: number;
  /** Records already in the chart (unchanged or changed): skipped. */
  already: number;
}

/**
 * Plans, prepares and matches a link's Bundle against the chart with the chart's own import
 * path (client/fhir: planImport, prepareRecords, matchChart), so duplicates are found exactly
 * as for an imported file.
 * @throws ImportError for a Bundle the import cannot read; what prepareRecords throws
 */
export async function reviewLinkImport(bundle: unknown, chart: readonly OkEntry[]): Promise<LinkImportReview> {
  const { ready, notImportable } = await prepareRecords(planImport(bundle));
  const matched = await matchChart(ready, chart);
  return {
    matched,
    notImportable,
    fresh: matched.filter((item) => item.status === "new").length,
    already: matched.filter((item) => item.status === "unchanged" || item.status === "changed").length,
  };
}

/**
 * Saves the new records of a review into the chart (records already there are left as they are).
 * @throws what saveImport throws (ImportNotSavedError, ImportOutcomeUnknownError, …)
 */
export function saveLinkImport(
  review: LinkImportReview,
  vault: UnlockedVault,
  transport: Transport,
  onProgress?: (progress: ImportSaveProgress) => void,
): Promise<ImportResult> {
  return saveImport(review.matched, { update: false }, vault, transport, onProgress);
}
