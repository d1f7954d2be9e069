/**
 * What this browser has already seen of a person's data, so a server that serves an older
 * (genuinely signed) state is caught: an earlier version of a record, an earlier key, a
 * grant list from before a revocation, or an older copy of the encrypted vault.
 *
 * Signatures prove who wrote something, not that it is the latest: only memory does. The
 * ledger lives in this browser's storage, per person, and holds ids and counters the server
 * already knows, nothing more. A new browser starts with an empty ledger and trusts what it
 * is first shown (the vault's own counter carries the protection across devices once seen).
 */

import { IntegrityError, isIntegrityError } from "../integrity";
/** The IntegrityError("rollback") for an older copy of `what` ("your sharing list") than this browser has seen. */
export const rollbackError = (what: string) =>
  new IntegrityError(
    "rollback",
    `The server sent an older copy of ${what} than this browser has already seen. ` +
      "It may have been tampered with or restored from an old backup, so it is not shown. Contact support before relying on it.",
  );

/** Whether `error` is a rollback found by this guard (its message names what was rolled back). */
export const isRollback = (error: unknown): error is IntegrityError => isIntegrityError(error) && error.code === "rollback";

/** [version, keyVersion]; [-1, -1] marks a record this browser deleted. */
type RecordMark = [number, number];
const deleted: RecordMark = [-1, -1];

interface GrantMark {
  /** Revoked or expired: it can never become active again. */
  ended: boolean;
  /** The records a "chosen records" grant listed when last seen. */
  listed: string[];
  /**
   * Records taken out of a "chosen records" grant: they never come back into it at this
   * revision. A change the patient signs (a higher revision) may list them again.
   */
  withdrawn: string[];
  /** The grant statement's revision when last seen (left out: 1). */
  revision?: number;
}

export interface SeenLedger {
  v: 1;
  vault: number;
  records: Record<string, RecordMark>;
  grants: Record<string, GrantMark>;
  /** A clinician's side: the highest statement revision verified for each grant shared with them. */
  received: Record<string, number>;
}

export const emptyLedger = (): SeenLedger => ({ v: 1, vault: 0, records: {}, grants: {}, received: {} });

export interface ServedRecord {
  id: string;
  /** Left out where only a key is served, not a version. */
  version?: number;
  keyVersion: number;
}

export interface ServedGrant {
  id: string;
  scope: "records" | "all";
  revokedAt: string | null;
  expiresAt: string | null;
  recordIds: string[];
  /** The statement's revision (left out: 1). */
  revision?: number;
  /** The grants this one renewed with a new share key after a member left a care team: no longer listed, not missing. */
  renewedGrantIds?: string[];
}

/** Records served older than seen (or served again after this browser deleted them). */
export function staleRecordIds(ledger: SeenLedger, served: ServedRecord[]): Set<string> {
  const stale = new Set<string>();
  for (const record of served) {
    const mark = ledger.records[record.id];
    if (!mark) continue;
    if (mark[0] < 0 || (record.version !== undefined && record.version < mark[0]) || record.keyVersion < mark[1]) stale.add(record.id);
  }
  return stale;
}

export function rememberRecords(ledger: SeenLedger, served: Array<Required<ServedRecord>>): SeenLedger {
  const records = { ...ledger.records };
  for (const record of served) {
    const mark = records[record.id];
    if (mark && mark[0] < 0) continue;
    records[record.id] = [Math.max(mark?.[0] ?? 0, record.version), Math.max(mark?.[1] ?? 0, record.keyVersion)];
  }
  return { ...ledger, records };
}

export const rememberDeletion = (ledger: SeenLedger, recordId: string): SeenLedger => ({ ...ledger, records: { ...ledger.records, [recordId]: deleted } });

const isEnded = (grant: ServedGrant, now: number) => grant.revokedAt !== null || (grant.expiresAt !== null && new Date(grant.expiresAt).getTime() <= now);

/**
 * Why a patient's grant list is older than one already seen, or null. Grants are never
 * deleted, an ended grant never restarts, a grant's revision never goes down, and a record
 * withdrawn from a grant never returns at the same revision.
 */
export function grantListRollback(ledger: SeenLedger, served: ServedGrant[], now = Date.now()): string | null {
  const byId = new Map(served.map((grant) => [grant.id, grant]));
  const renewed = new Set(served.flatMap((grant) => grant.renewedGrantIds ?? []));
  for (const [id, mark] of Object.entries(ledger.grants)) {
    const grant = byId.get(id);
    // A grant renewed after a member left its team lives on as its successor, which names it.
    if (!grant && renewed.has(id)) continue;
    if (!grant) return "a grant is missing";
    if (mark.ended && !isEnded(grant, now)) return "an ended grant is active again";
    if ((grant.revision ?? 1) < (mark.revision ?? 1)) return "a grant is older than one already seen";
    if ((grant.revision ?? 1) === (mark.revision ?? 1) && grant.scope === "records" && mark.withdrawn.some((recordId) => grant.recordIds.includes(recordId)))
      return "a withdrawn record is shared again";
  }
  return null;
}

export function rememberGrants(ledger: SeenLedger, served: ServedGrant[], now = Date.now()): SeenLedger {
  const grants = { ...ledger.grants };
  for (const grant of served) {
    const previous = ledger.grants[grant.id];
    const left = (previous?.listed ?? []).filter((id) => !grant.recordIds.includes(id));
    const revision = Math.max(previous?.revision ?? 1, grant.revision ?? 1);
    // A signed change starts a new list: what it listed again is legitimately back.
    const carried = revision === (previous?.revision ?? 1) ? (previous?.withdrawn ?? []) : [];
    grants[grant.id] = {
      ended: (previous?.ended ?? false) || isEnded(grant, now),
      listed: grant.scope === "records" ? grant.recordIds : [],
      withdrawn: [...new Set([...carried, ...left])],
      revision,
    };
  }
  return { ...ledger, grants };
}

/** Whether a clinician is served a grant statement older than one this browser verified. */
export const receivedGrantRolledBack = (ledger: SeenLedger, grantId: string, revision: number) => revision < (ledger.received[grantId] ?? 0);
export const rememberReceivedGrant = (ledger: SeenLedger, grantId: string, revision: number): SeenLedger => ({
  ...ledger,
  received: { ...ledger.received, [grantId]: Math.max(ledger.received[grantId] ?? 0, revision) },
});

export const vaultRolledBack = (ledger: SeenLedger, sequence: number) => sequence < ledger.vault;
export const rememberVault = (ledger: SeenLedger, sequence: number): SeenLedger => ({ ...ledger, vault: Math.max(ledger.vault, sequence) });

// This browser's copy, per person. Storage that is full or switched off only loses the
// protection, never the person's data, so failures to read or write are not errors.
const storageKey = (userId: string) => `hsc.seen.v1.${userId}`;

/** This browser's local storage; none where there is no such thing (Node, where the services' unit tests run), which only loses the protection. */
const browserStorage = (): Storage | null => (typeof localStorage === "undefined" ? null : localStorage);

/** Storage that is full, switched off or denied (a DOMException), or a copy that is not JSON (a SyntaxError). */
const isStorageFailure = (error: unknown) => error instanceof DOMException || error instanceof SyntaxError;

export function readLedger(userId: string): SeenLedger {
  try {
    const parsed = JSON.parse(browserStorage()?.getItem(storageKey(userId)) ?? "null") as Partial<SeenLedger> | null;
    if (parsed?.v !== 1 || typeof parsed.vault !== "number" || typeof parsed.records !== "object" || typeof parsed.grants !== "object") return emptyLedger();
    const received = typeof parsed.received === "object" && parsed.received !== null ? parsed.received : {};
    return { v: 1, vault: parsed.vault, records: parsed.records ?? {}, grants: parsed.grants ?? {}, received };
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    return emptyLedger();
  }
}

function writeLedger(userId: string, ledger: SeenLedger) {
  try {
    browserStorage()?.setItem(storageKey(userId), JSON.stringify(ledger));
  } catch (error) {
    // See above.
    if (!isStorageFailure(error)) throw error;
  }
}

const update = (userId: string, change: (ledger: SeenLedger) => SeenLedger) => writeLedger(userId, change(readLedger(userId)));

/** Checked before anything is opened; remembered (below) only once it verified, so a forged high number cannot lock records out. */
export const staleRecords = (userId: string, served: ServedRecord[]) => staleRecordIds(readLedger(userId), served);
export const rememberVerifiedRecords = (userId: string, verified: Array<Required<ServedRecord>>) =>
  update(userId, (ledger) => rememberRecords(ledger, verified));
export const rememberDeletedRecord = (userId: string, recordId: string) => update(userId, (ledger) => rememberDeletion(ledger, recordId));

/** Throws IntegrityError("rollback") for a grant list older than one seen here; otherwise remembers it. */
export function guardGrantList(userId: string, served: ServedGrant[]): void {
  const ledger = readLedger(userId);
  if (grantListRollback(ledger, served)) throw rollbackError("your sharing list");
  writeLedger(userId, rememberGrants(ledger, served));
}

/**
 * For a clinician, after a grant statement verified: throws IntegrityError("rollback") if its revision is
 * lower than one verified here before (an older statement replayed); otherwise remembers it.
 */
export function guardReceivedGrant(userId: string, grantId: string, revision: number): void {
  const ledger = readLedger(userId);
  if (receivedGrantRolledBack(ledger, grantId, revision)) throw rollbackError("a share");
  writeLedger(userId, rememberReceivedGrant(ledger, grantId, revision));
}

/** Throws IntegrityError("rollback") for a vault older than one opened here; otherwise remembers its counter. */
export function guardVault(userId: string, sequence: number): void {
  const ledger = readLedger(userId);
  if (vaultRolledBack(ledger, sequence)) throw rollbackError("your encrypted vault");
  writeLedger(userId, rememberVault(ledger, sequence));
}
