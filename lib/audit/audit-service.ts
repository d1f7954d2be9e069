import "server-only";
import { and, asc, desc, eq, inArray, ne } from "drizzle-orm";
import { toBase64url } from "@/crypto";
import { auditEvents, clinicianDirectory } from "@/drizzle/schema";
import type { Database } from "@/lib/db";

/** A person's whole trail, oldest first, with the hashes their browser re-checks. */
export async function trailOf(db: Database, subjectId: string) {
  const rows = await db.select().from(auditEvents).where(eq(auditEvents.patientId, subjectId)).orderBy(asc(auditEvents.seq));
  const actorIds = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => id !== null && id !== subjectId))];
  const names = actorIds.length
    ? await db.select({ userId: clinicianDirectory.userId, displayName: clinicianDirectory.displayName }).from(clinicianDirectory).where(inArray(clinicianDirectory.userId, actorIds))
    : [];
  return {
    events: rows.map((row) => ({
      seq: row.seq,
      actorId: row.actorId,
      action: row.action,
      recordId: row.recordId,
      recordIds: row.recordIds,
      grantId: row.grantId,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
      hash: toBase64url(row.hash),
    })),
    /** Public directory names of the clinicians in the trail; patients have none on the server. */
    actors: Object.fromEntries(names.map((entry) => [entry.userId, entry.displayName])),
  };
}

/**
 * What a clinician did in other people's charts, newest first. Refused attempts are left
 * out: they are written only when the grant, record or file exists, with its owner as the
 * subject, so listing them would tell a prober that an id exists and whose it is, which the
 * refusal itself (the same 404 as for nothing) does not. The owner sees them in their trail.
 */
export async function actionsBy(db: Database, actorId: string, limit = 2000) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.actorId, actorId), ne(auditEvents.patientId, actorId), ne(auditEvents.outcome, "denied")))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(limit);
  return {
    events: rows.map((row) => ({
      subjectId: row.patientId,
      action: row.action,
      recordId: row.recordId,
      recordIds: row.recordIds,
      grantId: row.grantId,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
    })),
  };
}
