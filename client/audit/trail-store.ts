import { create } from "zustand";
import { equalBytes, type AuditChainLink } from "@/crypto";
import type { TrailEntry } from "../fhir/audit-export";
import { httpTransport, type Transport } from "../transport/api";
import { useVault, type UnlockedVault } from "../keystore/vault-store";
import { catchUpTrail, loadTrailPage, trailPageSizes, type TrailCheck, type TrailProgress, type TrailTampering } from "./audit";

/**
 * What this tab has verified of the person's trail: one contiguous run of events, oldest
 * first, from the trusted link `olderEnd` to the verified `head`. The check on every page
 * (app/_components/audit-check.tsx) and the history page share it, so events verified once
 * are not downloaded again; older pages are added at the front as the history asks for them.
 */
export interface VerifiedTrail {
  status: "verified";
  userId: string;
  head: AuditChainLink;
  /** How far the person had looked before the latest check (the "new since" badge). */
  seenSeq: number;
  events: TrailEntry[];
  olderEnd: AuditChainLink;
}

interface TrailState {
  verified: VerifiedTrail | null;
  /** Set once any check in this tab found the trail does not verify, so every page can say so. */
  tampered: TrailTampering | null;
  /** While a check runs: how many of the new events it has verified (a first check verifies the whole trail, in pages). */
  progress: TrailProgress | null;
}

export const useTrail = create<TrailState>(() => ({ verified: null, tampered: null, progress: null }));

/** Forgets what was verified (sign-out, another account). The tampering flag stays until reload: it is never cleared by a later good answer. */
export const forgetTrail = () => useTrail.setState({ verified: null });

// What was verified belongs to the open vault: a lock or sign-out drops it with the keys.
useVault.subscribe((state) => {
  if (state.vault.status !== "unlocked") forgetTrail();
});

const sameLink = (a: AuditChainLink, b: AuditChainLink) => a.seq === b.seq && equalBytes(a.hash, b.hash);

function recordTampering(found: TrailTampering): TrailTampering {
  useTrail.setState({ tampered: found });
  return found;
}

/**
 * Adds a catch-up's events to what this tab holds: after the events already verified when the
 * catch-up started at their head, otherwise in their place (another account, or a vault whose
 * head moved on elsewhere).
 */
function merge(userId: string, check: Extract<TrailCheck, { status: "verified" }>) {
  const held = useTrail.getState().verified;
  const extends_ = held !== null && held.userId === userId && sameLink(held.head, check.olderEnd);
  const verified: VerifiedTrail = extends_
    ? { ...held, head: check.head, seenSeq: check.seenSeq, events: [...held.events, ...check.events] }
    : { status: "verified", userId, head: check.head, seenSeq: check.seenSeq, events: check.events, olderEnd: check.olderEnd };
  useTrail.setState({ verified });
  return verified;
}

let checking: Promise<VerifiedTrail | TrailTampering> | null = null;

/**
 * Checks the trail up to the server's head now (see `catchUpTrail`) and keeps what was verified;
 * `progress` in the store says how far it has got meanwhile. Concurrent callers (the check on every page and the history page) share one run.
 * @throws ApiError, IntegrityError("shape"); the tampering found is returned, and flagged for every page.
 */
export function checkTrail(vault: UnlockedVault, transport: Transport = httpTransport): Promise<VerifiedTrail | TrailTampering> {
  checking ??= catchUpTrail(vault, transport, { onProgress: (progress) => useTrail.setState({ progress }) })
    .then((check) => (check.status === "tampered" ? recordTampering(check) : merge(vault.userId, check)))
    .finally(() => {
      checking = null;
      useTrail.setState({ progress: null });
    });
  return checking;
}

/**
 * Makes sure at least `count` of the newest events are held (or the whole trail, if shorter),
 * loading older pages before what is held, each proven against the one after it.
 */
export async function loadNewestEvents(
  vault: UnlockedVault,
  count: number = trailPageSizes.shown,
  transport: Transport = httpTransport,
): Promise<VerifiedTrail | TrailTampering> {
  for (;;) {
    const held = useTrail.getState().verified;
    if (!held || held.userId !== vault.userId) throw new Error("Check the trail (checkTrail) before loading its pages.");
    if (held.events.length >= count || held.olderEnd.seq === 0) return held;
    const added = await loadOlderEvents(vault, trailPageSizes.shown, transport);
    if (added.status === "tampered") return added;
  }
}

/**
 * Loads the page of `limit` events just before what is held and adds it at the front.
 * @returns the trail now held, or the tampering found (flagged for every page).
 */
export async function loadOlderEvents(
  vault: UnlockedVault,
  limit: number = trailPageSizes.shown,
  transport: Transport = httpTransport,
): Promise<VerifiedTrail | TrailTampering> {
  const held = useTrail.getState().verified;
  if (!held || held.userId !== vault.userId) throw new Error("Check the trail (checkTrail) before loading its pages.");
  const page = await loadTrailPage(vault, held.olderEnd, limit, transport);
  if (page.status === "tampered") return recordTampering(page);
  const now = useTrail.getState().verified;
  // Another load added the same page meanwhile: keep what is held.
  if (now !== held) return now ?? held;
  const verified = { ...held, events: [...page.events, ...held.events], olderEnd: page.olderEnd };
  useTrail.setState({ verified });
  return verified;
}
