import { cryptoReady, fromBase64url, toBase64url, verifyAuditChain } from "@/crypto";
import { api } from "./api";
import type { TrailEntry } from "./fhir-records/audit-export";
import { updateVaultProfile } from "./vault-profile";
import { useVault } from "./vault-store";

interface TrailJson {
  events: Array<{
    seq: number;
    actorId: string | null;
    action: string;
    recordId: string | null;
    recordIds: string[] | null;
    grantId: string | null;
    outcome: TrailEntry["outcome"];
    occurredAt: string;
    hash: string;
  }>;
  actors: Record<string, string>;
}

export type TrailView =
  | {
      status: "verified";
      events: TrailEntry[];
      /** Events after this sequence number are new since the last visit. */
      seenSeq: number;
    }
  | { status: "tampered"; brokenAt: number; reason: "sequence" | "hash" | "head" };

/** Accesses by someone else: what the "new since your last visit" badge counts. */
export const accessActions = new Set(["records-received", "record-fetched", "file-fetched", "access-refused", "record-created", "sign-in-failed"]);

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

/**
 * The person's own audit trail, verified in the browser from its first event, and checked
 * to extend the chain head this browser verified last time (kept in the encrypted vault,
 * where the server can neither read nor roll it back without the vault key). Only a trail
 * that verifies is shown; the new head is then remembered.
 */
export async function loadTrail(): Promise<TrailView> {
  await cryptoReady();
  const vault = unlocked();
  const trail = await api.get<TrailJson>("/api/me/audit");
  const known = vault.profile.auditHead;
  const check = verifyAuditChain(
    trail.events.map((event) => ({ ...event, subjectId: vault.userId, occurredAt: new Date(event.occurredAt).getTime(), hash: fromBase64url(event.hash) })),
    known ? { seq: known.seq, hash: fromBase64url(known.hash) } : undefined,
  );
  if (!check.ok) return { status: "tampered", brokenAt: check.brokenAt, reason: check.reason };
  const seenSeq = known?.seenSeq ?? 0;
  // The vault is rewritten only when the trail grew since the head it holds.
  if (!known || known.seq !== check.head.seq) {
    await updateVaultProfile((profile) => ({ ...profile, auditHead: { seq: check.head.seq, hash: toBase64url(check.head.hash), seenSeq: profile.auditHead?.seenSeq ?? 0 } }));
  }
  const nameOf = (actorId: string | null) => (actorId === null ? "Health Safe Cloud" : actorId === vault.userId ? "You" : (trail.actors[actorId] ?? "Another account"));
  return {
    status: "verified",
    seenSeq,
    events: trail.events.map(({ hash: _hash, ...event }) => ({ ...event, actorName: nameOf(event.actorId) })),
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
