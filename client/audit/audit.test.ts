import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  auditEventHash,
  auditGenesisHash,
  cryptoReady,
  decryptPrivateBundle,
  encryptPrivateBundle,
  fromBase64url,
  toBase64url,
  vaultKeyFromBytes,
} from "@/crypto";
import type { TrailEvent, TrailPageJson } from "@/contract/me";
import { routes } from "@/contract/routes";
import { isIntegrityError } from "../integrity";
import type { UnlockedVault } from "../keystore/vault-store";
import { httpTransport } from "../transport/api";
import { fakeTransport } from "../transport/fake-transport";
import { decodeProfile, encodeProfile } from "../keystore/account-keys";
import { catchUpTrail, loadTrailPage, type TrailProgress } from "./audit";
import { checkTrail, useTrail } from "./trail-store";

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
      recipient: null,
    };
    previous = auditEventHash(previous, { ...fields, subjectId: userId, occurredAt: Date.parse(fields.occurredAt) });
    events.push({ ...fields, hash: toBase64url(previous) });
  }
  return events;
}

/** `events` with `edit` applied from `fromSeq` on and every later hash recomputed: a rewrite that verifies in itself. */
function rehashedFrom(events: TrailEvent[], fromSeq: number, edit: (event: TrailEvent) => TrailEvent): TrailEvent[] {
  let previous = fromSeq === 1 ? auditGenesisHash : fromBase64url(events[fromSeq - 2]!.hash);
  return events.map((event) => {
    if (event.seq < fromSeq) return event;
    const { hash: _hash, ...fields } = event.seq === fromSeq ? edit(event) : event;
    previous = auditEventHash(previous, { ...fields, subjectId: userId, occurredAt: Date.parse(fields.occurredAt), windowStart: null, windowEnd: null });
    return { ...fields, hash: toBase64url(previous) };
  });
}

/** GET /api/me/audit over `events`, as lib/audit/trail-store.ts trailPage answers it. */
function server(events: TrailEvent[], headSeq = events.length) {
  const head = headSeq === 0 ? { seq: 0, hash: toBase64url(auditGenesisHash) } : { seq: headSeq, hash: events.find((event) => event.seq === headSeq)!.hash };
  return fakeTransport().on(routes.audit.trail, ({ query }): TrailPageJson => {
    const limit = Number(query?.limit ?? 100);
    const page =
      query?.before !== undefined
        ? events.filter((event) => event.seq < Math.min(Number(query.before), headSeq + 1)).slice(-limit)
        : events.filter((event) => event.seq > Number(query?.after ?? 0) && event.seq <= headSeq).slice(0, limit);
    const previousHash = page[0] ? (page[0].seq === 1 ? toBase64url(auditGenesisHash) : events[events.indexOf(page[0]) - 1]!.hash) : null;
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

/** The vault routes over one sealed bundle, so a check can remember its head: returns what the vault holds now. */
function withVault(transport: ReturnType<typeof server>, vault: UnlockedVault) {
  let revision = 1;
  let sealed = encryptPrivateBundle(
    { identitySecretKey: new Uint8Array(64), encryptionSecretKey: new Uint8Array(32), extra: encodeProfile(vault.profile) },
    vault.keys.vaultKey,
    { userId },
  );
  transport
    .on(routes.vault.get, () => ({
      userId,
      role: "patient" as const,
      identityPublicKey: toBase64url(new Uint8Array(32)),
      certificate: toBase64url(new Uint8Array(100)),
      bundle: toBase64url(sealed),
      bundleRevision: revision,
      wraps: [],
    }))
    .on(routes.vault.putBundle, ({ body }) => {
      sealed = fromBase64url(body!.bundle);
      revision += 1;
      return { revision };
    });
  return () => decodeProfile(decryptPrivateBundle(sealed, vault.keys.vaultKey, { userId }).extra).auditHead;
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

  it("verifies a first visit from genesis in pages, with progress, holding only the newest pages, and remembers the checkpoint", async () => {
    const events = trail(1200);
    const transport = server(events);
    const vault = vaultAt(undefined);
    const stored = withVault(transport, vault);
    const progress: TrailProgress[] = [];
    const check = await catchUpTrail(vault, transport, { onProgress: (step) => progress.push(step) });
    expect(progress).toEqual([
      { verified: 500, total: 1200 },
      { verified: 1000, total: 1200 },
      { verified: 1200, total: 1200 },
    ]);
    expect(check.status).toBe("verified");
    if (check.status !== "verified") return;
    // The newest pages holding at least 500 events, from the verified link just before them.
    expect(check.events.map((event) => event.seq)).toEqual(Array.from({ length: 700 }, (_, index) => index + 501));
    expect(check.olderEnd).toEqual({ seq: 500, hash: fromBase64url(events[499]!.hash) });
    expect(stored()).toEqual({ seq: 1200, hash: events[1199]!.hash, seenSeq: 0 });

    // The next visit fetches what follows the checkpoint only: one request, ten events verified.
    const next = server(trail(1210));
    const nextVault = vaultAt(stored());
    const storedNext = withVault(next, nextVault);
    const again = await catchUpTrail(nextVault, next);
    expect(again).toMatchObject({ status: "verified", head: { seq: 1210 }, olderEnd: { seq: 1200 } });
    expect(again.status === "verified" && again.events.map((event) => event.seq)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1201));
    expect(next.callsTo(routes.audit.trail).map((call) => call.input.query)).toEqual([{ after: 1200, limit: 500 }]);
    expect(storedNext()).toMatchObject({ seq: 1210 });
  });

  it("shows a running check's progress to every page through the trail store, and clears it when done", async () => {
    const events = trail(1100);
    const transport = server(events);
    const vault = vaultAt(undefined);
    withVault(transport, vault);
    const seen: (TrailProgress | null)[] = [];
    const stop = useTrail.subscribe((state, before) => {
      if (state.progress !== before.progress) seen.push(state.progress);
    });
    const result = await checkTrail(vault, transport);
    stop();
    expect(result).toMatchObject({ status: "verified", head: { seq: 1100 } });
    expect(seen).toEqual([{ verified: 500, total: 1100 }, { verified: 1000, total: 1100 }, { verified: 1100, total: 1100 }, null]);
  });

  it("catches up from the checkpoint across several pages, and the older pages still prove against the verified link", async () => {
    const events = trail(30);
    const transport = server(events);
    const vault = vaultAt({ seq: 10, hash: events[9]!.hash });
    const stored = withVault(transport, vault);
    const check = await catchUpTrail(vault, transport);
    expect(check).toMatchObject({ status: "verified", head: { seq: 30 }, olderEnd: { seq: 10 } });
    expect(stored()).toMatchObject({ seq: 30, hash: events[29]!.hash });
    // "Show older": the page before the checkpoint is proven against the link the check started from.
    if (check.status !== "verified") return;
    const older = await loadTrailPage(vault, check.olderEnd, 4, transport);
    expect(older).toMatchObject({ status: "verified", olderEnd: { seq: 6 } });
  });

  it("refuses a gap after the checkpoint (a page that skips an event)", async () => {
    const events = trail(8);
    const gapped = events.filter((event) => event.seq !== 7);
    const check = await catchUpTrail(vaultAt({ seq: 5, hash: events[4]!.hash }), server(gapped, 8));
    expect(check).toEqual({ status: "tampered", brokenAtSeq: 7, reason: "sequence" });
  });

  it("refuses a fork: new events that chain from another branch than the checkpoint's", async () => {
    const events = trail(8);
    // The server's branch: event 5 replaced (re-hashed from there on), so seq 6 chains from a hash this browser never verified.
    const fork = rehashedFrom(events, 5, (event) => ({ ...event, actorId: doctorId }));
    expect(await catchUpTrail(vaultAt({ seq: 5, hash: events[4]!.hash }), server(fork))).toEqual({ status: "tampered", brokenAtSeq: 6, reason: "head" });
    // Nothing new on the forked branch: its head is compared with the checkpoint itself.
    expect(await catchUpTrail(vaultAt({ seq: 8, hash: events[7]!.hash }), server(fork))).toEqual({ status: "tampered", brokenAtSeq: 8, reason: "head" });
  });

  it("refuses history rewritten before the checkpoint, whether re-hashed or not", async () => {
    const events = trail(10);
    const checkpoint = { seq: 8, hash: events[7]!.hash };
    const head = { seq: 8, hash: fromBase64url(events[7]!.hash) };
    // Event 3 edited, nothing re-hashed: the older page does not verify where the edit is.
    const edited = events.map((event) => (event.seq === 3 ? { ...event, outcome: "failure" as const } : event));
    expect(await loadTrailPage(vaultAt(checkpoint), head, 8, server(edited))).toEqual({ status: "tampered", brokenAtSeq: 3, reason: "hash" });
    // Event 3 edited and every later hash recomputed: the page verifies in itself but does not arrive at the verified checkpoint.
    const rehashed = rehashedFrom(events, 3, (event) => ({ ...event, outcome: "failure" }));
    expect(await loadTrailPage(vaultAt(checkpoint), head, 8, server(rehashed))).toEqual({ status: "tampered", brokenAtSeq: 8, reason: "head" });
    // And the catch-up from that checkpoint refuses the re-hashed trail too.
    expect(await catchUpTrail(vaultAt(checkpoint), server(rehashed))).toMatchObject({ status: "tampered", reason: "head" });
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
