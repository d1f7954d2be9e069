import "server-only";
import { and, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { careTeams, emergencyContacts, grantExclusions, grantRecords, grants, keyRotations, recordKeyWraps, records, users } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database, Executor, Transaction } from "@/lib/db";

/** Active means: not revoked and not past its end date. Expired grants are treated as revoked. */
export const activeGrant = (now: Date) => and(isNull(grants.revokedAt), or(isNull(grants.expiresAt), gt(grants.expiresAt, now)));

/**
 * What serves a clinician: an active grant whose clinician an administrator has not disabled
 * (lib/admin/account-status.ts). A disabled clinician also has no session, so this is the
 * second lock on the same door; the grant itself stays as the patient made it. An emergency
 * contact's grant never serves here: only the emergency routes serve it, once its gate opens
 * (lib/emergency/emergency-store.ts).
 */
export const servingGrant = (now: Date) =>
  and(activeGrant(now), sql`not exists (select 1 from ${users} where ${users.id} = ${grants.clinicianId} and ${users.disabledAt} is not null)`, notEmergency);

/** Not an emergency contact's grant (lib/emergency): those have their own list, gate and routes. */
export const notEmergency = sql`not exists (select 1 from ${emergencyContacts} where ${emergencyContacts.grantId} = ${grants.id})`;

/**
 * A grant to a care team that lost a member since its share key was made (the team's key
 * version moved past the one the share key was made at, or a new one is awaited): the member
 * who left may know the share key, so nothing new is wrapped under it. The patient's browser
 * renews the grant with a new share key (lib/teams/team-grant-renewal.ts); until then it keeps
 * serving what it already opens, and its records' key rotations wait (lib/grants/key-maintenance.ts).
 */
export const awaitingRenewal = sql`(${grants.teamId} is not null and exists (select 1 from ${careTeams} where ${careTeams.id} = ${grants.teamId} and (${careTeams.needsNewKey} or ${careTeams.keyVersion} > coalesce(${grants.shareKeyTeamVersion}, 0))))`;

export interface Coverage {
  /** The patient's active grants, by id. */
  grants: Map<string, { scope: "records" | "all" }>;
  /** Which active grants cover a record: "all records" grants unless the record was taken out, and grants listing it. */
  grantsCovering(recordId: string): string[];
}

/**
 * Which of the patient's active grants cover which records: the grants new record keys are
 * wrapped for. A grant awaiting renewal is left out (`awaitingRenewal`): no new key goes under
 * its share key.
 * With `lockGrants` (a transaction that writes wraps for them), the active grants' rows are
 * locked FOR SHARE until it ends, after any record rows it locks (lib/db/row-locks.ts): a revoke,
 * an expiry or a change of a grant waits for the wraps to commit, or commits first and is seen
 * here (PostgreSQL re-reads a row it waited for, and drops it when it no longer matches). Without
 * it, a wrap could be stored for a grant revoked meanwhile, beyond the revoke's rotations.
 */
export async function coverageOf(db: Executor, patientId: string, now: Date, { lockGrants = false }: { lockGrants?: boolean } = {}): Promise<Coverage> {
  const query = db
    .select({ id: grants.id, scope: grants.scope })
    .from(grants)
    .where(and(eq(grants.patientId, patientId), activeGrant(now), sql`not ${awaitingRenewal}`))
    .orderBy(grants.id);
  const active = lockGrants ? await query.for("share") : await query;
  const ids = active.map((grant) => grant.id);
  const [listed, excluded] = ids.length
    ? await Promise.all([
        db.select().from(grantRecords).where(inArray(grantRecords.grantId, ids)),
        db.select().from(grantExclusions).where(inArray(grantExclusions.grantId, ids)),
      ])
    : [[], []];
  const pair = (entry: { grantId: string; recordId: string }) => `${entry.grantId}:${entry.recordId}`;
  const listedPairs = new Set(listed.map(pair));
  const excludedPairs = new Set(excluded.map(pair));
  return {
    grants: new Map(active.map((grant) => [grant.id, { scope: grant.scope }])),
    grantsCovering: (recordId) =>
      active
        .filter((grant) => {
          const key = pair({ grantId: grant.id, recordId });
          return grant.scope === "all" ? !excludedPairs.has(key) : listedPairs.has(key);
        })
        .map((grant) => grant.id),
  };
}

/** Queues the records whose keys a grant's holder had, so the patient's browser rotates them. */
export async function queueRotations(tx: Transaction, patientId: string, recordIds: string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await tx
    .insert(keyRotations)
    .values([...new Set(recordIds)].map((recordId) => ({ recordId, ownerId: patientId })))
    .onConflictDoNothing();
}

/**
 * Ends a grant in one transaction: the share key and every wrap under it are deleted, and
 * each record those wraps opened is queued for key rotation.
 */
export async function endGrant(tx: Transaction, grantId: string, patientId: string, now: Date): Promise<void> {
  const removed = await tx.delete(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId)).returning({ recordId: recordKeyWraps.recordId });
  await tx
    .update(grants)
    .set({ sealedShareKey: null, sealedProfile: null, revokedAt: now })
    .where(and(eq(grants.id, grantId), isNull(grants.revokedAt)));
  await queueRotations(
    tx,
    patientId,
    removed.map((wrap) => wrap.recordId),
  );
}

/** Expired grants behave as revoked already; this makes it so in storage, and queues their rotations. */
export async function closeExpiredGrants(db: Database, patientId: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const expired = await tx
      .select({ id: grants.id })
      .from(grants)
      .where(and(eq(grants.patientId, patientId), isNull(grants.revokedAt), lte(grants.expiresAt, now)))
      .for("update");
    for (const grant of expired) await endGrant(tx, grant.id, patientId, now);
    await appendAudit(
      tx,
      expired.map((grant) => ({ subjectId: patientId, actorId: null, action: "grant-expired" as const, grantId: grant.id, outcome: "success" as const })),
    );
    return expired.length;
  });
}

/** Records of the patient lacking a wrap for an active grant that covers them (records contributed by a clinician, or created during a grant). */
export async function missingWraps(db: Database, patientId: string, now: Date) {
  const coverage = await coverageOf(db, patientId, now);
  if (coverage.grants.size === 0) return [];
  const owned = await db.select({ id: records.id, keyVersion: records.keyVersion }).from(records).where(eq(records.ownerId, patientId));
  const present = await db
    .select({ recordId: recordKeyWraps.recordId, keyVersion: recordKeyWraps.keyVersion, grantId: recordKeyWraps.grantId })
    .from(recordKeyWraps)
    .where(inArray(recordKeyWraps.grantId, [...coverage.grants.keys()]));
  const have = new Set(present.map((wrap) => `${wrap.grantId}:${wrap.recordId}:${wrap.keyVersion}`));
  return owned.flatMap((record) =>
    coverage
      .grantsCovering(record.id)
      .filter((grantId) => !have.has(`${grantId}:${record.id}:${record.keyVersion}`))
      .map((grantId) => ({ grantId, recordId: record.id, keyVersion: record.keyVersion })),
  );
}
