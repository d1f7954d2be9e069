import { beforeAll, describe, expect, it } from "vitest";
import { auditEventHash, auditGenesisHash, verifyAuditChain, verifyAuditSegment, type AuditEventFields } from "./audit-chain";
import { CryptoError } from "./errors";
import { toHex } from "./encoding";
import { cryptoReady } from "./sodium";

beforeAll(cryptoReady);

const subjectId = "6f1c1b7e-0000-4000-8000-000000000001";

function chain(count: number) {
  const events: Array<AuditEventFields & { hash: Uint8Array }> = [];
  let previous = auditGenesisHash;
  for (let seq = 1; seq <= count; seq++) {
    const fields: AuditEventFields = {
      subjectId,
      seq,
      actorId: seq % 2 ? subjectId : "6f1c1b7e-0000-4000-8000-000000000002",
      action: seq % 2 ? "record-created" : "record-fetched",
      recordId: `6f1c1b7e-0000-4000-8000-00000000010${seq % 10}`,
      grantId: seq % 2 ? null : "6f1c1b7e-0000-4000-8000-000000000200",
      outcome: "success",
      occurredAt: 1_790_000_000_000 + seq * 1000,
    };
    previous = auditEventHash(previous, fields);
    events.push({ ...fields, hash: previous });
  }
  return events;
}

describe("audit chain", () => {
  it("verifies an intact trail and reports its head", () => {
    const events = chain(5);
    const check = verifyAuditChain(events);
    expect(check.ok && check.head.seq).toBe(5);
    expect(check.ok && toHex(check.head.hash)).toBe(toHex(events[4]!.hash));
    expect(verifyAuditChain([]).ok).toBe(true);
  });

  it("gives fixed hashes for fixed events (known answer)", () => {
    expect(toHex(chain(1)[0]!.hash)).toBe(KAT_FIRST_EVENT);
  });

  it.each([
    ["an edited action", (events: ReturnType<typeof chain>) => (events[2]!.action = "record-deleted"), 2, "hash"],
    ["an edited time", (events: ReturnType<typeof chain>) => (events[1]!.occurredAt += 1), 1, "hash"],
    ["an edited actor", (events: ReturnType<typeof chain>) => (events[3]!.actorId = null), 3, "hash"],
    ["a deleted event", (events: ReturnType<typeof chain>) => events.splice(1, 1), 1, "sequence"],
    ["two swapped events", (events: ReturnType<typeof chain>) => events.splice(1, 2, events[2]!, events[1]!), 1, "sequence"],
  ])("finds %s", (_label, tamper, brokenAt, reason) => {
    const events = chain(5);
    tamper(events);
    expect(verifyAuditChain(events)).toEqual({ ok: false, brokenAt, reason });
  });

  it("finds a trail rewritten consistently from an event already seen", () => {
    const events = chain(5);
    const head = { seq: 4, hash: events[3]!.hash };
    const rewritten = chain(5).map((event) => ({ ...event }));
    rewritten[2]!.action = "record-deleted";
    let previous = rewritten[1]!.hash;
    for (const event of rewritten.slice(2)) {
      event.hash = auditEventHash(previous, event);
      previous = event.hash;
    }
    expect(verifyAuditChain(rewritten).ok).toBe(true);
    expect(verifyAuditChain(rewritten, head)).toEqual({ ok: false, brokenAt: 3, reason: "head" });
    expect(verifyAuditChain(events.slice(0, 3), head)).toEqual({ ok: false, brokenAt: 2, reason: "head" });
    expect(verifyAuditChain(events, head).ok).toBe(true);
  });

  it("covers the record ids of an event about many records, and keeps every older event's hash", () => {
    const [first] = chain(1);
    const { hash: _hash, ...fields } = first!;
    // Absent, null or never set: the nine-field form the known answer above pins.
    expect(toHex(auditEventHash(auditGenesisHash, { ...fields, recordIds: null }))).toBe(KAT_FIRST_EVENT);
    const ids = ["6f1c1b7e-0000-4000-8000-000000000101", "6f1c1b7e-0000-4000-8000-000000000102"];
    const many = { ...fields, action: "records-received", recordId: null, recordIds: ids };
    const hash = auditEventHash(auditGenesisHash, many);
    expect(verifyAuditChain([{ ...many, hash }]).ok).toBe(true);
    for (const altered of [[ids[0]!], [...ids].reverse(), [...ids, "6f1c1b7e-0000-4000-8000-000000000103"], []]) {
      expect(verifyAuditChain([{ ...many, recordIds: altered, hash }])).toEqual({ ok: false, brokenAt: 0, reason: "hash" });
    }
    // An empty list is not the same event as no list.
    expect(toHex(auditEventHash(auditGenesisHash, { ...many, recordIds: [] }))).not.toBe(toHex(auditEventHash(auditGenesisHash, { ...many, recordIds: null })));
  });

  it("hashes a counted event under its own label, covering the count and the window (known answer)", () => {
    const counted: AuditEventFields = {
      subjectId,
      seq: 1,
      actorId: "6f1c1b7e-0000-4000-8000-000000000002",
      action: "access-refused",
      recordId: null,
      grantId: "6f1c1b7e-0000-4000-8000-000000000200",
      outcome: "denied",
      occurredAt: 1_790_000_600_000,
      count: 3000,
      windowStart: 1_790_000_000_000,
      windowEnd: 1_790_000_059_000,
    };
    const hash = auditEventHash(auditGenesisHash, counted);
    expect(toHex(hash)).toBe(KAT_COUNTED_EVENT);
    for (const altered of [
      { count: 2999 },
      { windowStart: 1_790_000_000_001 },
      { windowEnd: 1_790_000_058_000 },
      { count: null, windowStart: null, windowEnd: null },
    ]) {
      expect(verifyAuditChain([{ ...counted, ...altered, hash }])).toEqual({ ok: false, brokenAt: 0, reason: "hash" });
    }
    // A count without its window (or the reverse) is not an event anyone wrote.
    expect(() => auditEventHash(auditGenesisHash, { ...counted, windowEnd: null })).toThrow(CryptoError);
    expect(() => auditEventHash(auditGenesisHash, { ...counted, count: null })).toThrow(CryptoError);
  });

  it("hashes an event naming a link's opener under its own label, covering the name (known answer)", () => {
    const opened: AuditEventFields = {
      subjectId,
      seq: 1,
      actorId: null,
      action: "link-opened",
      recordId: null,
      grantId: "6f1c1b7e-0000-4000-8000-000000000300",
      outcome: "success",
      occurredAt: 1_790_000_600_000,
      recipient: "Dr. Émile Zoë, Riverside Clinic",
    };
    const hash = auditEventHash(auditGenesisHash, opened);
    expect(toHex(hash)).toBe(KAT_RECIPIENT_EVENT);
    for (const altered of [{ recipient: "Dr. Emile Zoe, Riverside Clinic" }, { recipient: "" }, { recipient: null }, { occurredAt: 1_790_000_600_001 }]) {
      expect(verifyAuditChain([{ ...opened, ...altered, hash }])).toEqual({ ok: false, brokenAt: 0, reason: "hash" });
    }
    // A name never rides on a counted event.
    expect(() => auditEventHash(auditGenesisHash, { ...opened, count: 2, windowStart: 1, windowEnd: 2 })).toThrow(CryptoError);
  });

  it("verifies a page that follows a trusted link, at the cost of the page alone", () => {
    const events = chain(8);
    const check = verifyAuditSegment({ seq: 5, hash: events[4]!.hash }, events.slice(5));
    expect(check.ok && check.end.seq).toBe(8);
    expect(check.ok && toHex(check.end.hash)).toBe(toHex(events[7]!.hash));
    expect(verifyAuditSegment({ seq: 8, hash: events[7]!.hash }, [])).toEqual({ ok: true, end: { seq: 8, hash: events[7]!.hash } });
    // A page that does not start right after the link, or does not chain from its hash.
    expect(verifyAuditSegment({ seq: 4, hash: events[3]!.hash }, events.slice(5))).toEqual({ ok: false, brokenAt: 0, reason: "sequence" });
    expect(verifyAuditSegment({ seq: 5, hash: events[3]!.hash }, events.slice(5))).toEqual({ ok: false, brokenAt: 0, reason: "hash" });
    const edited = events.slice(5).map((event) => ({ ...event }));
    edited[1]!.outcome = "denied";
    expect(verifyAuditSegment({ seq: 5, hash: events[4]!.hash }, edited)).toEqual({ ok: false, brokenAt: 1, reason: "hash" });
  });
});

// Computed independently with Python: hashlib.blake2b(encodeCanonical(...), digest_size=32).
const KAT_FIRST_EVENT = "0e934fde5eb10415b7425989f59359272952f1fa0d5dfd09c0e3b324b067509c";
const KAT_COUNTED_EVENT = "d1b32636e03cef05ac5566cc582048c49e2336f254f0dbfece56547a87d0d0fb";
// The same, for an event naming a link's opener ("hsc/v1/audit-event-recipient", the name as a UTF-8 string after occurredAt).
const KAT_RECIPIENT_EVENT = "bb391f1fb098d4b27ed1c674953eaaa01ff03cf962968403764fef55428c4a04";
