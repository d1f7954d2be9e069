import {
  auditGenesisHash,
  cryptoReady,
  equalBytes,
  fromBase64url,
  toBase64url,
  verifyAuditSegment,
  type AuditChainLink,
  type AuditEventFields,
} from "@/crypto";
import type { TrailEvent, TrailPageJson } from "@/contract/me";
import { routes } from "@/contract/routes";
import { httpTransport, type Transport } from "../transport/api";
import type { TrailEntry } from "../fhir/audit-export";
import { actorNameOf } from "./trail-words";
import { updateVaultProfile } from "../keystore/vault-profile";
import type { UnlockedVault } from "../keystore/vault-store";

/** Where a trail does not check out: the sequence number of the first event that fails, and how. */
export interface TrailTampering {
  status: "tampered";
  brokenAtSeq: number;
  /** "head": what the server sent does not extend the head this browser verified before (rolled back or rewritten). */
  reason: "sequence" | "hash" | "head";
}

/**
 * A trail that checks out up to `head`: `events` (oldest first, with who did them) are the ones
 * verified on the way, each chained from `olderEnd` (the trusted link just before the first)
 * to `head`; `seenSeq` is how far the person had looked before this check.
 */
export interface TrailCatchUp {
  status: "verified";
  head: AuditChainLink;
  seenSeq: number;
  events: TrailEntry[];
  olderEnd: AuditChainLink;
}

export type TrailCheck = TrailCatchUp | TrailTampering;

export type TrailPage =
  | {
      status: "verified";
      /** Oldest first. */
      events: TrailEntry[];
      /** The trusted link just before the page: where the next older page must end (seq 0: there is none). */
      olderEnd: AuditChainLink;
    }
  | TrailTampering;

/** Newest events fetched per request when catching up, and events per page of the history. */
export const trailPageSizes = { catchUp: 500, shown: 50 } as const;

const tampered = (brokenAtSeq: number, reason: TrailTampering["reason"]): TrailTampering => ({ status: "tampered", brokenAtSeq, reason });

const pageOf = (transport: Transport, query: { after: number } | { before: number }, limit: number) =>
  transport.call(routes.audit.trail, { query: { ...query, limit } });

function chainFields(subjectId: string, event: TrailEvent): AuditEventFields & { hash: Uint8Array } {
  const ms = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  return {
    ...event,
    subjectId,
    occurredAt: new Date(event.occurredAt).getTime(),
    windowStart: ms(event.windowStart),
    windowEnd: ms(event.windowEnd),
    hash: fromBase64url(event.hash),
  };
}

/** A verified page's events as the history shows them: without their hashes, with who did them. */
const entriesOf = (page: TrailPageJson, userId: string): TrailEntry[] =>
  page.events.map(({ hash: _hash, ...event }) => ({
    ...event,
    actorName: actorNameOf(event, userId, page.actors),
    ...(event.grantId && page.teams?.[event.grantId] ? { teamName: page.teams[event.grantId] } : {}),
  }));

/** How far a catch-up has got: events verified so far of those it is checking (the server's head minus the start). */
export interface TrailProgress {
  verified: number;
  total: number;
}

/**
 * Checks that the person's trail extends the head this browser verified last time (kept in
 * the encrypted vault, where the server can neither read nor roll it back without the vault
 * key), fetching and verifying only the events after it, page by page: the cost follows
 * what is new, not the trail's length. The first check on an account (no head yet) starts
 * from the genesis hash and verifies the whole trail in pages, reporting `onProgress` after
 * each. A server head behind the stored one (a rollback), a first new event that does not
 * chain from the stored hash (a rewrite, or a fork from before it) or a page that does not
 * reach the server's head is refused; otherwise the new head is remembered in the vault.
 * Returns at most the newest `keep` events verified on the way (whole pages; `olderEnd` is
 * the verified link before them), for the history to show without fetching them again:
 * a long first check holds one or two pages, not the whole trail.
 * @throws ApiError, IntegrityError("shape") for a page outside the contract.
 */
export async function catchUpTrail(
  vault: UnlockedVault,
  transport: Transport = httpTransport,
  options: { keep?: number; onProgress?: (progress: TrailProgress) => void } = {},
): Promise<TrailCheck> {
  await cryptoReady();
  const keep = options.keep ?? trailPageSizes.catchUp;
  const known = vault.profile.auditHead;
  const start: AuditChainLink = known ? { seq: known.seq, hash: fromBase64url(known.hash) } : { seq: 0, hash: auditGenesisHash };
  let link = start;
  // Verified pages kept, oldest first, each with the link it chains from.
  let pages: { from: AuditChainLink; events: TrailEntry[] }[] = [];
  for (;;) {
    const page = await pageOf(transport, { after: link.seq }, trailPageSizes.catchUp);
    if (page.head.seq < link.seq) return tampered(page.head.seq + 1, "head");
    const check = verifyAuditSegment(
      link,
      page.events.map((event) => chainFields(vault.userId, event)),
    );
    if (!check.ok) return tampered(link.seq + check.brokenAt + 1, check.brokenAt === 0 && link.seq > 0 ? "head" : check.reason);
    if (page.events.length > 0) pages.push({ from: link, events: entriesOf(page, vault.userId) });
    link = check.end;
    // Older pages are dropped once the newer ones hold `keep` events: they can be fetched again, proven against `olderEnd`.
    while (pages.length > 1 && pages.slice(1).reduce((sum, held) => sum + held.events.length, 0) >= keep) pages = pages.slice(1);
    options.onProgress?.({ verified: link.seq - start.seq, total: Math.max(page.head.seq - start.seq, link.seq - start.seq) });
    if (page.events.length === 0 || link.seq >= page.head.seq) {
      if (link.seq !== page.head.seq || !equalBytes(link.hash, fromBase64url(page.head.hash))) return tampered(link.seq, "head");
      break;
    }
  }
  // The vault is rewritten only when the trail grew since the head it holds.
  if (!known || known.seq !== link.seq) {
    const head = { seq: link.seq, hash: toBase64url(link.hash) };
    await updateVaultProfile(vault, (profile) => ({ ...profile, auditHead: { ...head, seenSeq: profile.auditHead?.seenSeq ?? 0 } }), transport);
  }
  return { status: "verified", head: link, seenSeq: known?.seenSeq ?? 0, events: pages.flatMap((held) => held.events), olderEnd: pages[0]?.from ?? link };
}

/**
 * The page of the trail that ends at `end`, a link already trusted (the verified head, or
 * the `olderEnd` of the page after it): the page is hashed from the hash the server says
 * precedes it and must arrive exactly at `end`, so every event on it is proven without
 * reading anything older. An edited, removed or reordered event is reported by its seq.
 * @throws ApiError, IntegrityError("shape") for a page outside the contract.
 */
export async function loadTrailPage(
  vault: UnlockedVault,
  end: AuditChainLink,
  limit: number = trailPageSizes.shown,
  transport: Transport = httpTransport,
): Promise<TrailPage> {
  await cryptoReady();
  if (end.seq === 0) return { status: "verified", events: [], olderEnd: end };
  const page = await pageOf(transport, { before: end.seq + 1 }, limit);
  const first = page.events[0];
  if (!first || page.previousHash === null) return tampered(end.seq, "sequence");
  const start = { seq: first.seq - 1, hash: fromBase64url(page.previousHash) };
  if (start.seq === 0 && !equalBytes(start.hash, auditGenesisHash)) return tampered(first.seq, "hash");
  const check = verifyAuditSegment(
    start,
    page.events.map((event) => chainFields(vault.userId, event)),
  );
  if (!check.ok) return tampered(start.seq + check.brokenAt + 1, check.reason);
  // Missing events at the end, or a page re-hashed to hide an edit: it does not arrive at the trusted link.
  if (check.end.seq !== end.seq) return tampered(check.end.seq + 1, "sequence");
  if (!equalBytes(check.end.hash, end.hash)) return tampered(end.seq, "head");
  return { status: "verified", olderEnd: start, events: entriesOf(page, vault.userId) };
}

/** Remembers that everything up to `seq` has been seen, so the badge starts from there next time. */
export async function markTrailSeen(vault: UnlockedVault, seq: number, transport: Transport = httpTransport): Promise<void> {
  await updateVaultProfile(
    vault,
    (profile) => (profile.auditHead ? { ...profile, auditHead: { ...profile.auditHead, seenSeq: Math.max(profile.auditHead.seenSeq, seq) } } : profile),
    transport,
  );
}

export type { ClinicianAction as ActionEntry } from "@/contract/me";

/** A clinician's own access history: what they opened or tried to open in other people's charts, newest first. */
export const loadMyActions = (transport: Transport = httpTransport) => transport.call(routes.audit.actions, {}).then((result) => result.events);

/** Exports happen in the browser: this tells the trail that one happened (how many records, never which content). */
export const reportExport = (transport: Transport = httpTransport) => transport.call(routes.audit.recordExport, {});
