import { beforeAll, describe, expect, it, vi } from "vitest";
import { auditEventHash, auditGenesisHash, cryptoReady, toBase64url, vaultKeyFromBytes } from "@/crypto";
import type { TrailEvent, TrailPageJson } from "@/contract/me";
import { routes } from "@/contract/routes";
import { isIntegrityError } from "../integrity";
import type { UnlockedVault } from "../keystore/vault-store";
import { httpTransport } from "../transport/api";
import { fakeTransport } from "../transport/fake-transport";
import { catchUpTrail, loadTrailPage } from "./audit";

const userId = "6f1c1b7e-0000-4000-8000-000000000001";
const doctorId = "6f1c1b7e-0000-4000-8000-000000000002";

/** A trail of `length` events as the server writes it: each hashed from the one before, from the genesis hash (crypto/ auditEventHash). */
function trail(length: number): TrailEvent[] {
  const events: TrailEvent[] = [];
  let previous = auditGenesisHash;
  for (let seq = 1; seq <= length; seq++) {
    const fields = {
      seq,
      actorId: seq % 2 ? userId : doctorId,
      action: seq % 2 ? ("sign-in" as const) : ("records-received" as const),
      recordId: null,
      recordIds: seq % 2 ? null : ["6f1c1b7e-0000-4000-8000-000000000100"],
      grantId: null,
      outcome: "success" as const,
      occurredAt: new Date(Date.UTC(2026, 10, 30, 1, seq)).toISOString(),
      count: null,
      windowStart: null,
      windowEnd: null,
    };
    previous = auditEventHash(previous, { ...fields, subjectId: userId, occurredAt: Date.parse(fields.occurredAt) });
    events.push({ ...fields, hash: toBase64url(previous) });
  }
  return events;
}

/** GET /api/me/audit over `events`, as lib/audit/trail-store.ts trailPage answers it. */
function server(events: TrailEvent[], headSeq = events.length) {
  const head = headSeq === 0 ? { seq: 0, hash: toBase64url(auditGenesisHash) } : { seq: headSeq, hash: events[headSeq - 1]!.hash };
  return fakeTransport().on(routes.audit.trail, ({ query }): TrailPageJson => {
    const limit = Number(query?.limit ?? 100);
    const page =
      query?.before !== undefined
        ? events.filter((event) => event.seq < Math.min(Number(query.before), headSeq + 1)).slice(-limit)
        : events.filter((event) => event.seq > Number(query?.after ?? 0) && event.seq <= headSeq).slice(0, limit);
    const previousHash = page[0] ? (page[0].seq === 1 ? toBase64url(auditGenesisHash) : events[page[0].seq - 2]!.hash) : null;
    return { head, previousHash, events: page, actors: { [doctorId]: "Dr Ada Example" } };
  });
}

/** A vault whose profile already holds `head` as the last verified link (so a check that finds nothing new writes nothing). */
function vaultAt(head: { seq: number; hash: string } | undefined): UnlockedVault {
  const key = () => new Uint8Array(32);
  return {
    status: "unlocked",
    userId,
    role: "patient",
    keys: { identitySecretKey: key(), identityPublicKey: key(), encryptionSecretKey: key(), encryptionPublicKey: key(), vaultKey: vaultKeyFromBytes(key()) },
    profile: { displayName: "Pat", ...(head ? { auditHead: { ...head, seenSeq: 0 } } : {}) },
  };
}

beforeAll(() => cryptoReady());

describe("incremental trail verification", () => {
  it("verifies only the events after the head the vault holds, and names who did them", async () => {
    const events = trail(12);
    const transport = server(events);
    const check = await catchUpTrail(vaultAt({ seq: 12, hash: events[11]!.hash }), transport);
    expect(check).toMatchObject({ status: "verified", head: { seq: 12 }, events: [] });
    // Nothing new: one request, for what follows seq 12.
    expect(transport.callsTo(routes.audit.trail).map((call) => call.input.query)).toEqual([{ after: 12, limit: 500 }]);

    const page = await loadTrailPage(vaultAt({ seq: 12, hash: events[11]!.hash }), (check as { head: { seq: number; hash: Uint8Array } }).head, 5, transport);
    expect(page.status).toBe("verified");
    if (page.status !== "verified") return;
    expect(page.events.map((event) => event.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(page.events.map((event) => event.actorName)).toEqual(["Dr Ada Example", "You", "Dr Ada Example", "You", "Dr Ada Example"]);
    expect(page.olderEnd.seq).toBe(7);
  });

  it("reports an edited event by its sequence number", async () => {
    const events = trail(6);
    const edited = events.map((event) => (event.seq === 4 ? { ...event, action: "record-deleted" as const } : event));
    const check = await catchUpTrail(vaultAt({ seq: 2, hash: events[1]!.hash }), server(edited));
    expect(check).toEqual({ status: "tampered", brokenAtSeq: 4, reason: "hash" });
  });

  it("refuses a head older than the one this browser verified (a rollback), before writing anything", async () => {
    const events = trail(6);
    const transport = server(events, 3);
    const check = await catchUpTrail(vaultAt({ seq: 5, hash: events[4]!.hash }), transport);
    expect(check).toEqual({ status: "tampered", brokenAtSeq: 4, reason: "head" });
    expect(transport.callsTo(routes.vault.get)).toEqual([]);
  });

  it("refuses a trail rewritten from the stored head on (the first new event does not chain from it)", async () => {
    const rewritten = trail(8).map((event) => (event.seq > 5 ? { ...event, occurredAt: new Date(Date.UTC(2027, 0, 1, 0, event.seq)).toISOString() } : event));
    // The stored head's hash is not the one the server's trail passes through.
    const check = await catchUpTrail(vaultAt({ seq: 5, hash: rewritten[0]!.hash }), server(rewritten));
    expect(check).toMatchObject({ status: "tampered", reason: "head", brokenAtSeq: 6 });
  });

  it("turns an answer outside the contract into IntegrityError('shape'), never a TypeError later", async () => {
    const events = trail(3);
    // What a tampered server sends: an action no trail holds, and a counted event without its window.
    for (const bad of [events.map((event) => ({ ...event, action: "made-up-action" })), events.map((event) => ({ ...event, count: 3 }))]) {
      const answer = { head: { seq: 3, hash: events[2]!.hash }, previousHash: null, events: bad, actors: {} };
      vi.stubGlobal("fetch", async () => new Response(JSON.stringify(answer), { headers: { "content-type": "application/json" } }));
      const error = await catchUpTrail(vaultAt(undefined), httpTransport).catch((caught: unknown) => caught);
      expect(isIntegrityError(error) && error.code).toBe("shape");
    }
    vi.unstubAllGlobals();
  });

  it("lets a programming error through as itself", async () => {
    const transport = fakeTransport().on(routes.audit.trail, () => {
      throw new TypeError("a bug in the fake server");
    });
    await expect(catchUpTrail(vaultAt(undefined), transport)).rejects.toBeInstanceOf(TypeError);
  });
});
