import { kindOf } from "../fhir/kinds";
import type { RecordKind } from "../fhir/types";
import type { OkEntry } from "../records/records";

/** The emergency set as the patient chose it: every record of some kinds, and records named one by one. */
export interface EmergencyChoice {
  kinds: readonly RecordKind[];
  recordIds: readonly string[];
}

/** The kinds the card page offers first (the essentials a clinician needs in an emergency), in this order. */
export const essentialKinds: readonly RecordKind[] = ["allergy", "medication", "condition", "immunization"];

/** The chart's records in the emergency set, in the chart's order: those of a chosen kind, and those named. Does not throw. */
export function emergencyEntries(entries: readonly OkEntry[], choice: EmergencyChoice): OkEntry[] {
  const kinds = new Set(choice.kinds);
  const named = new Set(choice.recordIds);
  return entries.filter((entry) => {
    if (named.has(entry.id)) return true;
    const kind = kindOf(entry.document.resource);
    return kind !== null && kinds.has(kind);
  });
}

/**
 * SHA-256 (hex, WebCrypto) of what a card link carries: each record's id and version, and the
 * revealed name and birth date, in a fixed order. It changes when a record of the set is added,
 * edited or removed, or the revealed identity changes: then the link's file is made again.
 */
export async function emergencySetDigest(entries: readonly OkEntry[], patient: { name: string; birthDate: string | null }): Promise<string> {
  const parts = [...entries].map((entry) => [entry.id, entry.version] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = JSON.stringify({ records: parts, name: patient.name, birthDate: patient.birthDate });
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
