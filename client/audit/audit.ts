import { create } from "zustand";
import { auditGenesisHash, cryptoReady, equalBytes, fromBase64url, toBase64url, verifyAuditSegment, type AuditChainLink, type AuditEventFields } from "@/crypto";
import { api } from "../transport/api";
import type { TrailEntry } from "../fhir/audit-export";
import { actorNameOf } from "./trail-words";
import { updateVaultProfile } from "../keystore/vault-profile";
import { useVault } from "../keystore/vault-store";

interface TrailEventJson {
  seq: number;
  actorId: string | null;
  action: string;
  recordId: string | null;
  recordIds: string[] | null;
  grantId: string | null;
  outcome: TrailEntry["outcome"];
  occurredAt: string;
  count: number | null;
  windowStart: string | null;
  windowEnd: string | null;
  hash: string;
}

/** One page of GET /api/me/audit (lib/audit/audit-service.ts trailPage). */
interface TrailPageJson {
  head: { seq: number; hash: string };
  previousHash: string | null;
  events: TrailEventJson[];
  actors: Record<string, string>;
}

/** Where a trail does not check out: the sequence number of the first event that fails, and how. */
export interface TrailTampering {
  status: "tampered";
  brokenAtSeq: number;
  /** "head": what the server sent does not extend the head this browser verified before (rolled back or rewritten). */
  reason: "sequence" | "hash" | "head";
}

export type TrailCheck = { status: "verified"; head: AuditChainLink; seenSeq: number } | TrailTampering;

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

/** Set once any check in this tab found the trail does not verify, so every page can say so. */
export const useTrailIntegrity = create<{ tampered: boolean }>(() => ({ tampered: false }));

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

function tampered(brokenAtSeq: number, reason: TrailTampering["reason"]): TrailTampering {
  useTrailIntegrity.setState({ tampered: true });
  return { status: "tampered", brokenAtSeq, reason };
}

const pageOf = (query: { after: number } | { before: number }, limit: number) =>
  api.get<TrailPageJson>(`/api/me/audit?${"after" in query ? `after=${query.after}` : `before=${query.before}`}&limit=${limit}`);

function chainFields(subjectId: string, event: TrailEventJson): AuditEventFields & { hash: Uint8Array } {
  const ms = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  return { ...event, subjectId, occurredAt: new Date(event.occurredAt).getTime(), windowStart: ms(event.windowStart), windowEnd: ms(event.windowEnd), hash: fromBase64url(event.hash) };
}

let checking: Promise<TrailCheck> | null = null;

/**
 * Checks that the person's trail extends the head this browser verified last time (kept in
 * the encrypted vault, where the server can neither read nor roll it back without the vault
 * key), fetching and verifying only the events after it, page by page: the cost follows
 * what is new, not the trail's length. The first check on an account (no head yet) starts
 * from the genesis hash. A server head behind the stored one (a rollback), a first new
 * event that does not chain from the stored hash (a rewrite) or a page that does not
 * reach the server's head is refused; otherwise the new head is remembered. Concurrent
 * callers (the check on every page and the history page) share one run.
 */
export function checkTrail(): Promise<TrailCheck> {
  checking ??= catchUp().finally(() => {
    checking = null;
  });
  return checking;
}

async function catchUp(): Promise<TrailCheck> {
  await cryptoReady();
  const vault = unlocked();
  const known = vault.profile.auditHead;
  let link: AuditChainLink = known ? { seq: known.seq, hash: fromBase64url(known.hash) } : { seq: 0, hash: auditGenesisHash };
  for (;;) {
    const page = await pageOf({ after: link.seq }, trailPageSizes.catchUp);
    if (page.head.seq < link.seq) return tampered(page.head.seq + 1, "head");
    const check = verifyAuditSegment(link, page.events.map((event) => chainFields(vault.userId, event)));
    if (!check.ok) return tampered(link.seq + check.brokenAt + 1, check.brokenAt === 0 && link.seq > 0 ? "head" : check.reason);
    link = check.end;
    if (page.events.length === 0 || link.seq >= page.head.seq) {
      if (link.seq !== page.head.seq || !equalBytes(link.hash, fromBase64url(page.head.hash))) return tampered(link.seq, "head");
      break;
    }
  }
  // The vault is rewritten only when the trail grew since the head it holds.
  if (!known || known.seq !== link.seq) {
    const head = { seq: link.seq, hash: toBase64url(link.hash) };
    await updateVaultProfile((profile) => ({ ...profile, auditHead: { ...head, seenSeq: profile.auditHead?.seenSeq ?? 0 } }));
  }
  return { status: "verified", head: link, seenSeq: known?.seenSeq ?? 0 };
}

/**
 * The page of the trail that ends at `end`, a link already trusted (the verified head, or
 * the `olderEnd` of the page after it): the page is hashed from the hash the server says
 * precedes it and must arrive exactly at `end`, so every event on it is proven without
 * reading anything older. An edited, removed or reordered event is reported by its seq.
 */
export async function loadTrailPage(end: AuditChainLink, limit: number = trailPageSizes.shown): Promise<TrailPage> {
  await cryptoReady();
  const vault = unlocked();
  if (end.seq === 0) return { status: "verified", events: [], olderEnd: end };
  const page = await pageOf({ before: end.seq + 1 }, limit);
  const first = page.events[0];
  if (!first || page.previousHash === null) return tampered(end.seq, "sequence");
  const start = { seq: first.seq - 1, hash: fromBase64url(page.previousHash) };
  if (start.seq < 0 || (start.seq === 0 && !equalBytes(start.hash, auditGenesisHash))) return tampered(first.seq, "hash");
  const check = verifyAuditSegment(start, page.events.map((event) => chainFields(vault.userId, event)));
  if (!check.ok) return tampered(start.seq + check.brokenAt + 1, check.reason);
  // Missing events at the end, or a page re-hashed to hide an edit: it does not arrive at the trusted link.
  if (check.end.seq !== end.seq) return tampered(check.end.seq + 1, "sequence");
  if (!equalBytes(check.end.hash, end.hash)) return tampered(end.seq, "head");
  return {
    status: "verified",
    olderEnd: start,
    events: page.events.map(({ hash: _hash, ...event }) => ({ ...event, actorName: actorNameOf(event, vault.userId, page.actors) })),
  };
}

/** Remembers that everything up to `seq` has been seen, so the badge starts from there next time. */
export async function markTrailSeen(seq: number): Promise<void> {
  await updateVaultProfile((profile) => (profile.auditHead ? { ...profile, auditHead: { ...profile.auditHead, seenSeq: Math.max(profile.auditHead.seenSeq, seq) } } : profile));
}

export interface ActionEntry {
  subjectId: string;
  action: string;
  recordId: string | null;
  /** The records an event about many covers (records-received), sorted. */
  recordIds: string[] | null;
  grantId: string | null;
  outcome: TrailEntry["outcome"];
  occurredAt: string;
}

/** A clinician's own access history: what they opened or tried to open in other people's charts. */
export const loadMyActions = () => api.get<{ events: ActionEntry[] }>("/api/me/audit/actions").then((result) => result.events);

/** Exports happen in the browser: this tells the trail that one happened (how many records, never which content). */
export const reportExport = () => api.post("/api/me/audit/exports");
