import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, lt, ne } from "drizzle-orm";
import { auditGenesisHash, toBase64url } from "@/crypto";
import { auditEvents, auditHeads, auditInbox, careTeams, clinicianDirectory, departedAuditEvents, grants, organizations } from "@/drizzle/schema";
import type { AuditAction } from "@/contract/me";
import type { Database } from "@/lib/db";
import { settleTrail } from "./audit-counts";

export { trailPageSize } from "@/contract/me";

/**
 * Which page of a trail: the events after a sequence number (oldest first; what a browser
 * that verified up to `after` has not seen), or the `limit` events just before one (older
 * pages of the history, loaded on demand).
 */
export type TrailQuery = { after: number; limit: number } | { before: number; limit: number };

/**
 * One page of a person's trail, oldest first, with the hashes their browser re-checks:
 * `head` is the chain's last link (seq 0 and the genesis hash for an empty trail), and
 * `previousHash` the hash the page's first event chains from (null for an empty page).
 * Events past the head read first are left out, so the page and the head agree. Reading
 * the newest events (`after`) first folds the person's audit inbox and appends any pending
 * counts (settleTrail, lib/audit/audit-counts.ts), so the person sees every event and every
 * refused attempt made up to now.
 */
export async function trailPage(db: Database, subjectId: string, query: TrailQuery, now: Date = new Date()) {
  if ("after" in query) await settleTrail(db, subjectId, now);
  const [stored] = await db.select({ seq: auditHeads.seq, hash: auditHeads.hash }).from(auditHeads).where(eq(auditHeads.subjectId, subjectId));
  const head = stored ?? { seq: 0, hash: auditGenesisHash };
  const end = "after" in query ? head.seq + 1 : Math.min(query.before, head.seq + 1);
  const inRange =
    "after" in query ? and(gt(auditEvents.seq, query.after), lt(auditEvents.seq, end)) : and(gte(auditEvents.seq, end - query.limit), lt(auditEvents.seq, end));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectId, subjectId), inRange))
    .orderBy(asc(auditEvents.seq))
    .limit(query.limit);
  const actorIds = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => id !== null && id !== subjectId))];
  const names = actorIds.length
    ? await db
        .select({ userId: clinicianDirectory.userId, displayName: clinicianDirectory.displayName })
        .from(clinicianDirectory)
        .where(inArray(clinicianDirectory.userId, actorIds))
    : [];
  // The care team of each team grant an event names: who joined or left it ("Dr Bob Example left Cardiology · Riverside"),
  // and which team a member's read came through. Organization data the server holds; a grant not to a team (or a link) names none.
  const teamGrantIds = [...new Set(rows.flatMap((row) => (row.grantId ? [row.grantId] : [])))];
  const teams = teamGrantIds.length
    ? await db
        .select({ grantId: grants.id, name: careTeams.name, organization: organizations.name })
        .from(grants)
        .innerJoin(careTeams, eq(careTeams.id, grants.teamId))
        .innerJoin(organizations, eq(organizations.id, careTeams.organizationId))
        .where(and(inArray(grants.id, teamGrantIds), eq(grants.patientId, subjectId)))
    : [];
  return {
    head: { seq: head.seq, hash: toBase64url(head.hash) },
    previousHash: rows[0] ? toBase64url(rows[0].prevHash) : null,
    events: rows.map((row) => ({
      seq: row.seq,
      actorId: row.actorId,
      // The column holds what appendAudit wrote (an AuditAction); the route's response schema checks it again.
      action: row.action as AuditAction,
      recordId: row.recordId,
      recordIds: row.recordIds,
      grantId: row.grantId,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
      /** A counted event: how many attempts, the first and the last; null for one event. */
      count: row.count,
      windowStart: row.windowStart?.toISOString() ?? null,
      windowEnd: row.windowEnd?.toISOString() ?? null,
      /** What a link's opener said they were; null for any other event. */
      recipient: row.recipient,
      hash: toBase64url(row.hash),
    })),
    /** Public directory names of the clinicians on the page; patients have none on the server. */
    actors: Object.fromEntries(names.map((entry) => [entry.userId, entry.displayName])),
    /** The care team (with its organization) of each team grant an event on the page names, by grant id. */
    teams: Object.fromEntries(teams.map((team) => [team.grantId, `${team.name} · ${team.organization}`])),
  };
}

/**
 * What a clinician did in other people's charts, newest first: chained events and those still
 * in the inbox (appended without a lock, not folded yet), so a read just made is listed at once,
 * and the events kept from the trails of patients who have since deleted their account
 * (`departed_audit_events`), with `subjectId` null: that patient's id is gone, and the kept
 * trail's id is the departed person's to quote, not the clinician's to hold.
 * Refused attempts are left out: they are written only when the grant, record or file exists,
 * with its owner as the subject, so listing them would tell a prober that an id exists and
 * whose it is, which the refusal itself (the same 404 as for nothing) does not. The owner sees
 * them in their trail.
 */
export async function actionsBy(db: Database, actorId: string, limit = 2000) {
  const [chained, waiting, departed] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, actorId), ne(auditEvents.subjectId, actorId), ne(auditEvents.outcome, "denied")))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(limit),
    db
      .select()
      .from(auditInbox)
      .where(and(eq(auditInbox.actorId, actorId), ne(auditInbox.subjectId, actorId), ne(auditInbox.outcome, "denied")))
      .orderBy(desc(auditInbox.occurredAt), desc(auditInbox.id))
      .limit(limit),
    db
      .select()
      .from(departedAuditEvents)
      .where(and(eq(departedAuditEvents.actorId, actorId), ne(departedAuditEvents.outcome, "denied")))
      .orderBy(desc(departedAuditEvents.occurredAt), desc(departedAuditEvents.id))
      .limit(limit),
  ]);
  // Inbox rows are newer than the chained rows of the same time: they are listed first among equals.
  const rows = [...waiting, ...chained, ...departed.map((row) => ({ ...row, subjectId: null }))]
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime())
    .slice(0, limit);
  return {
    events: rows.map((row) => ({
      subjectId: row.subjectId,
      // The column holds what appendAudit wrote (an AuditAction); the route's response schema checks it again.
      action: row.action as AuditAction,
      recordId: row.recordId,
      recordIds: row.recordIds,
      grantId: row.grantId,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
    })),
  };
}
