import type { OkEntry } from "../records/records";
import type { PreparedRecord } from "./import-content";
import { identityKeys, IdentityIndex, sameContent } from "./resource-identity";

/**
 * A prepared record compared with the chart and with the rest of its file (identity: see
 * resource-identity.ts): new; already in the chart, unchanged or changed; or a repeat of an
 * earlier entry of the same file (the first is kept).
 */
export type MatchedRecord =
  | { status: "new"; record: PreparedRecord }
  | { status: "unchanged" | "changed"; record: PreparedRecord; existing: OkEntry }
  | { status: "repeat"; record: PreparedRecord; firstLabel: string };

/**
 * Matches prepared records against the decrypted chart (its verified records) and each other.
 * Records are compared as they would be stored (an inline file already taken out), so a file
 * imported before is recognised. "changed" means the resource's content differs (key order aside).
 */
export async function matchChart(records: readonly PreparedRecord[], chart: readonly OkEntry[]): Promise<MatchedRecord[]> {
  const inChart = new IdentityIndex<OkEntry>();
  for (const entry of chart) inChart.add(await identityKeys(entry.document.resource, entry.document.fullUrl), entry);
  const inFile = new IdentityIndex<PreparedRecord>();
  const matched: MatchedRecord[] = [];
  for (const record of records) {
    const keys = await identityKeys(record.document.resource, record.document.fullUrl);
    const existing = inChart.find(keys);
    const earlier = inFile.find(keys);
    inFile.add(keys, record);
    if (earlier) matched.push({ status: "repeat", record, firstLabel: earlier.planned.label });
    else if (existing) matched.push({ status: sameContent(existing.document.resource, record.document.resource) ? "unchanged" : "changed", record, existing });
    else matched.push({ status: "new", record });
  }
  return matched;
}
