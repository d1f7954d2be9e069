import { auditGenesisHash, cryptoReady, equalBytes, fromBase64url, verifyAuditSegment, type AuditEventFields } from "@/crypto";
import { adminTrailPageSize, type AdminTrailEvent } from "@/contract/admin-console";
import { routes } from "@/contract/routes";
import { auditEventResource, type TrailEntry } from "../fhir/audit-export";
import { httpTransport, type Transport } from "../transport/api";

/** One verified event of the administration trail, with the public names the server gave (clinicians only). */
export interface AdminTrailEntry extends Omit<AdminTrailEvent, "hash"> {
  actorName: string;
  subjectName: string;
}

export type AdminTrailCheck =
  | { status: "verified"; events: AdminTrailEntry[]; head: { seq: number; hash: Uint8Array } }
  | { status: "tampered"; brokenAtSeq: number; reason: "sequence" | "hash" | "head" };

/** The hash fields of an event as crypto/audit-chain.ts chains it (subject: the account acted on; actor: the administrator). */
export function adminChainFields(event: AdminTrailEvent): AuditEventFields & { hash: Uint8Array } {
  return {
    subjectId: event.subjectId,
    seq: event.seq,
    actorId: event.actorId,
    action: event.action,
    recordId: null,
    grantId: null,
    outcome: event.outcome,
    occurredAt: new Date(event.occurredAt).getTime(),
    hash: fromBase64url(event.hash),
  };
}

/**
 * Reads the whole administration trail and checks its chain in this browser, from the
 * genesis hash to the head the server states (the same check as a person's own trail:
 * crypto/audit-chain.ts `verifyAuditSegment`). A broken link is reported, never thrown; throws
 * ApiError for a refused or failed request.
 */
export async function readAdminTrail(transport: Transport = httpTransport): Promise<AdminTrailCheck> {
  await cryptoReady();
  const events: AdminTrailEvent[] = [];
  const names: Record<string, string> = {};
  let head: { seq: number; hash: string } | null = null;
  for (;;) {
    const page = await transport.call(routes.adminConsole.trail, { query: { after: events.length, limit: adminTrailPageSize.max } });
    head ??= page.head;
    events.push(...page.events);
    Object.assign(names, page.names);
    if (page.events.length === 0 || events.length >= head.seq) break;
  }
  const check = verifyAuditSegment({ seq: 0, hash: auditGenesisHash }, events.map(adminChainFields));
  if (!check.ok) return { status: "tampered", brokenAtSeq: events[check.brokenAt]!.seq, reason: check.reason };
  if (check.end.seq !== head.seq || !equalBytes(check.end.hash, fromBase64url(head.hash))) {
    return { status: "tampered", brokenAtSeq: check.end.seq + 1, reason: "head" };
  }
  const nameOf = (id: string, fallback: string) => names[id] ?? fallback;
  return {
    status: "verified",
    head: check.end,
    events: events.map(({ hash: _hash, ...event }) => ({
      ...event,
      // Administrators have no public name: the start of the id tells several apart.
      actorName: nameOf(event.actorId, `Administrator ${event.actorId.slice(0, 8)}`),
      subjectName: nameOf(event.subjectId, "An account"),
    })),
  };
}

/**
 * The administration trail as a FHIR R4 collection Bundle of AuditEvents, made by the same
 * mapping as a person's own trail (client/fhir/audit-export.ts `auditEventResource`): the
 * account acted on is the entity, the administrator the agent, typed DICOM 110137 "User
 * Security Attributes Changed".
 */
export function buildAdminAuditBundle(events: AdminTrailEntry[], now: Date): fhir4.Bundle<fhir4.AuditEvent> {
  return {
    resourceType: "Bundle",
    type: "collection",
    timestamp: now.toISOString(),
    entry: events.map((event) => {
      const entry: TrailEntry = {
        seq: event.seq,
        actorId: event.actorId,
        action: event.action,
        recordId: null,
        recordIds: null,
        grantId: null,
        outcome: event.outcome,
        occurredAt: event.occurredAt,
        recipient: null,
        actorName: event.actorName,
      };
      return { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: { ...auditEventResource(entry, event.subjectId), id: `admin-${event.seq}` } };
    }),
  };
}
