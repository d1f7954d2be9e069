import { encodeCanonical } from "./canonical";
import { equalBytes } from "./encoding";
import { CryptoError } from "./errors";
import { lib } from "./sodium";

/**
 * The hash chain over one person's audit trail. Each event's hash covers the previous
 * hash and every field of the event, so an edited, deleted, inserted or reordered event
 * breaks every hash after it:
 *
 *   hash(n) = BLAKE2b-256(encodeCanonical("hsc/v1/audit-event",
 *             [hash(n-1), subjectId, seq, actorId, action, recordId, grantId, outcome, occurredAt ms]))
 *
 * with hash(0) = 32 zero bytes and "" for an absent actor, record or grant. An event about
 * many records at once (a clinician's list of shared records) appends their count and each
 * id, in order, after occurredAt; the field count in the encoding tells the two forms apart,
 * so every event written before such events existed keeps its hash.
 */
export interface AuditEventFields {
  subjectId: string;
  seq: number;
  actorId: string | null;
  action: string;
  recordId: string | null;
  grantId: string | null;
  outcome: string;
  /** Milliseconds since the epoch, UTC. */
  occurredAt: number;
  /** The records an event covers when it covers many (sorted); absent or null otherwise. */
  recordIds?: readonly string[] | null;
}

export const auditGenesisHash: Uint8Array = new Uint8Array(32);

export function auditEventHash(previousHash: Uint8Array, event: AuditEventFields): Uint8Array {
  if (previousHash.length !== 32) throw new CryptoError("invalid-argument");
  return lib().crypto_generichash(
    32,
    encodeCanonical("hsc/v1/audit-event", [
      previousHash,
      event.subjectId,
      event.seq,
      event.actorId ?? "",
      event.action,
      event.recordId ?? "",
      event.grantId ?? "",
      event.outcome,
      event.occurredAt,
      ...(event.recordIds ? [event.recordIds.length, ...event.recordIds] : []),
    ]),
    null,
  );
}

export type AuditChainCheck =
  | { ok: true; head: { seq: number; hash: Uint8Array } }
  /** The first event (by position) whose hash, sequence number or link does not check out. */
  | { ok: false; brokenAt: number; reason: "sequence" | "hash" | "head" };

/**
 * Verifies a whole trail from its first event, and that it extends a head verified before
 * (the last seq and hash this browser saw), if any.
 */
export function verifyAuditChain(
  events: ReadonlyArray<AuditEventFields & { hash: Uint8Array }>,
  knownHead?: { seq: number; hash: Uint8Array },
): AuditChainCheck {
  let previous = auditGenesisHash;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return { ok: false, brokenAt: index, reason: "sequence" };
    const expected = auditEventHash(previous, event);
    if (!equalBytes(expected, event.hash)) return { ok: false, brokenAt: index, reason: "hash" };
    previous = expected;
  }
  if (knownHead && knownHead.seq > 0) {
    const seen = events[knownHead.seq - 1];
    if (!seen || !equalBytes(seen.hash, knownHead.hash)) return { ok: false, brokenAt: Math.min(knownHead.seq, events.length) - 1, reason: "head" };
  }
  return { ok: true, head: { seq: events.length, hash: previous } };
}
