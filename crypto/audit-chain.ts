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
 *
 * An event that counts repeated attempts (refused requests or failed sign-ins from one actor
 * against one person, summarised once per window) is hashed under its own label,
 * "hsc/v1/audit-event-counted", with [count, windowStart ms, windowEnd ms] after occurredAt
 * (and before any record ids): a counted event can never hash like an uncounted one.
 *
 * An event that names who acted by what they declared (the recipient a SMART Health Link's
 * opener gave, STU1 "recipient") is hashed under "hsc/v1/audit-event-recipient", with the
 * recipient (UTF-8 text) after occurredAt: the name is as much part of the trail as the time,
 * and a server that rewrote it would break the chain. An event is never both counted and named.
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
  /** How many attempts a counted event summarises, and when the first and last happened (ms since the epoch); absent or null otherwise. */
  count?: number | null;
  windowStart?: number | null;
  windowEnd?: number | null;
  /** The self-declared name of whoever acted without an account (a link's opener); absent or null otherwise. */
  recipient?: string | null;
}

export const auditGenesisHash: Uint8Array = new Uint8Array(32);

/**
 * hash(n) from hash(n-1) and event n's fields (layout above).
 * @returns 32 bytes
 * @throws CryptoError("invalid-argument") for a previous hash that is not 32 bytes, count, windowStart and windowEnd not all present or all absent, a recipient on a counted event, or a number (seq, occurredAt, count, window) that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function auditEventHash(previousHash: Uint8Array, event: AuditEventFields): Uint8Array {
  if (previousHash.length !== 32) throw new CryptoError("invalid-argument");
  const counted = event.count !== undefined && event.count !== null;
  if (counted !== (event.windowStart !== undefined && event.windowStart !== null) || counted !== (event.windowEnd !== undefined && event.windowEnd !== null)) {
    throw new CryptoError("invalid-argument");
  }
  const named = event.recipient !== undefined && event.recipient !== null;
  if (named && counted) throw new CryptoError("invalid-argument");
  return lib().crypto_generichash(
    32,
    encodeCanonical(counted ? "hsc/v1/audit-event-counted" : named ? "hsc/v1/audit-event-recipient" : "hsc/v1/audit-event", [
      previousHash,
      event.subjectId,
      event.seq,
      event.actorId ?? "",
      event.action,
      event.recordId ?? "",
      event.grantId ?? "",
      event.outcome,
      event.occurredAt,
      ...(counted ? [event.count!, event.windowStart!, event.windowEnd!] : []),
      ...(named ? [event.recipient!] : []),
      ...(event.recordIds ? [event.recordIds.length, ...event.recordIds] : []),
    ]),
    null,
  );
}

export type AuditChainCheck =
  | { ok: true; head: { seq: number; hash: Uint8Array } }
  /** The first event (by position) whose hash, sequence number or link does not check out. */
  | { ok: false; brokenAt: number; reason: "sequence" | "hash" | "head" };

/** Where a verified stretch of the chain ends: the last event's sequence number and hash (seq 0 and the genesis hash before any event). */
export interface AuditChainLink {
  seq: number;
  hash: Uint8Array;
}

export type AuditSegmentCheck =
  | { ok: true; end: AuditChainLink }
  /** `brokenAt` is the position in `events` of the first event that does not check out. */
  | { ok: false; brokenAt: number; reason: "sequence" | "hash" };

/**
 * Verifies consecutive events that follow `start` (a link already trusted, or the hash a
 * page claims precedes it when the page is then tied to a trusted link by its end). Costs
 * one hash per event given, whatever the length of the trail before them.
 * @throws what auditEventHash throws (a start hash that is not 32 bytes, an event whose fields cannot be encoded); a broken link is reported in the result, never thrown
 */
export function verifyAuditSegment(start: AuditChainLink, events: ReadonlyArray<AuditEventFields & { hash: Uint8Array }>): AuditSegmentCheck {
  let previous = start.hash;
  for (const [index, event] of events.entries()) {
    if (event.seq !== start.seq + index + 1) return { ok: false, brokenAt: index, reason: "sequence" };
    const expected = auditEventHash(previous, event);
    if (!equalBytes(expected, event.hash)) return { ok: false, brokenAt: index, reason: "hash" };
    previous = expected;
  }
  return { ok: true, end: { seq: start.seq + events.length, hash: previous } };
}

/**
 * Verifies a whole trail from its first event, and that it extends a head verified before
 * (the last seq and hash this browser saw), if any.
 * @throws what auditEventHash throws (an event whose fields cannot be encoded); a broken chain is reported in the result, never thrown
 */
export function verifyAuditChain(
  events: ReadonlyArray<AuditEventFields & { hash: Uint8Array }>,
  knownHead?: { seq: number; hash: Uint8Array },
): AuditChainCheck {
  const check = verifyAuditSegment({ seq: 0, hash: auditGenesisHash }, events);
  if (!check.ok) return check;
  if (knownHead && knownHead.seq > 0) {
    const seen = events[knownHead.seq - 1];
    if (!seen || !equalBytes(seen.hash, knownHead.hash)) return { ok: false, brokenAt: Math.min(knownHead.seq, events.length) - 1, reason: "head" };
  }
  return { ok: true, head: check.end };
}
