import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import {
  auditEvents,
  auditHeads,
  auditInbox,
  auditPendingCounts,
  blobs,
  clinicianDirectory,
  departedAuditEvents,
  encryptedKeyBundles,
  grants,
  imports,
  noticeEmails,
  noticePreferences,
  notices,
  passkeyCredentials,
  rateLimitBuckets,
  recordVersions,
  records,
  recoveryVerifiers,
  sessions,
  knownBrowsers,
  shlLinks,
  users,
  vaultKeyWraps,
  webauthnChallenges,
} from "@/drizzle/schema";
import { getDatabase, type Database, type Transaction } from "@/lib/db";
import { appendAudit, foldAuditInbox, lockAuditHeads } from "@/lib/audit/audit-log";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { AppError } from "@/lib/errors";
import { activeGrant, notEmergency } from "@/lib/records/grant-coverage";
import { emailQueuing } from "@/lib/notices/email-queuing";
import { granteesOf, recordNotices } from "@/lib/notices/notice-store";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";

/** How long a deleted account's trail is kept: six years (HIPAA, 45 CFR 164.316(b)(2)(i)). */
export const departedTrailYears = 6;

/** What a deletion did: the kept trail's id (shown to the person once) and how many events it holds. */
export interface AccountDeletion {
  trailId: string;
  keptEvents: number;
}

/**
 * Deletes an account and everything in it, in one transaction: records with every version and
 * key wrap, files and link JWEs (their rows; the bytes go after the commit), grants given and
 * received (clinicians are cut off at commit: no grant, no wrap, no share key), SMART Health
 * Links with their accesses and tokens, imports, passkeys, sessions, the vault, key
 * certificates, challenges, rate-limit rows naming the account or its passkeys, the directory
 * entry. The person's own audit trail moves to `departed_audit_events` under a fresh trail id
 * (see the schema and README "Leaving"); events where the person appears as the actor in
 * someone else's trail stay there, as part of that person's hash-chained trail.
 *
 * Patients whose grants to a departing clinician end here get a `grant-holder-departed` event
 * in their trail (which raises a notice) and those records queued for key rotation, as after a
 * revoke. Clinicians (and care team members) a departing patient shared with get a
 * `patient-left` notice. A clinician whose signed versions are in patients' charts
 * keeps a stub: the `users` row (disabled) and the public key certificates those signatures
 * are checked with, nothing else.
 *
 * After the commit the bytes of the deleted files are removed from the blob store; if that
 * fails (the store unreachable), the blob sweeper removes them as orphans (bytes no row names).
 * @throws AppError "not-found" when there is no such account.
 */
export async function deleteAccount(db: Database, blobStore: BlobStore, userId: string, now: Date = new Date()): Promise<AccountDeletion> {
  const { deletion, blobIds } = await db.transaction(async (tx) => {
    // FOR UPDATE, not lib/db/row-locks.ts's FOR NO KEY UPDATE: this transaction may delete the row.
    const [account] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    if (!account) throw new AppError("not-found", "There is no such account.");
    // Every grant row this transaction ends or deletes, before any trail head: the order of a revoke
    // and of an import's commit (its grants, then the head). Head first, an import holding a grant
    // FOR SHARE and waiting on the head would wait crosswise with the delete of that grant.
    await tx
      .select({ id: grants.id })
      .from(grants)
      .where(or(eq(grants.patientId, userId), eq(grants.clinicianId, userId)))
      .orderBy(grants.id)
      .for("update");
    const heldGrants = await tx
      .select({ id: grants.id, patientId: grants.patientId })
      .from(grants)
      .where(and(eq(grants.clinicianId, userId), isNull(grants.revokedAt)));
    // Every head this transaction chains into, locked once in one order, so it waits on nobody crosswise.
    await lockAuditHeads(tx, [userId, ...heldGrants.map((grant) => grant.patientId)]);
    const deletion = await keepTrail(tx, userId, now);
    await queueRotationsForClinicianGrants(tx, userId);
    await appendAudit(
      tx,
      heldGrants.map((grant) => ({
        subjectId: grant.patientId,
        actorId: userId,
        action: "grant-holder-departed" as const,
        grantId: grant.id,
        outcome: "success" as const,
      })),
      now,
    );
    await tellGranteesOfDeparture(tx, userId, now);
    await deleteRateLimitRows(tx, userId);
    const blobIds = (await tx.select({ id: blobs.id }).from(blobs).where(eq(blobs.ownerId, userId))).map((row) => row.id);
    // Children before what they reference: versions hold files, imports hold files, links hold JWEs.
    await tx.delete(records).where(eq(records.ownerId, userId));
    await tx.delete(imports).where(eq(imports.ownerId, userId));
    await tx.delete(shlLinks).where(eq(shlLinks.ownerId, userId));
    await tx.delete(grants).where(or(eq(grants.patientId, userId), eq(grants.clinicianId, userId)));
    await forgetActorInNotices(tx, userId);
    if (blobIds.length > 0) await tx.delete(blobs).where(inArray(blobs.id, blobIds));
    await tx.delete(webauthnChallenges).where(eq(webauthnChallenges.userId, userId));
    // An administrator's verifications of directory entries name them without cascade; the entries stay, unattributed.
    await tx.update(clinicianDirectory).set({ verifiedBy: null }).where(eq(clinicianDirectory.verifiedBy, userId));
    const [authored] = await tx
      .select({ one: sql`1` })
      .from(recordVersions)
      .where(eq(recordVersions.authorId, userId))
      .limit(1);
    if (authored) await keepAuthorStub(tx, userId, now);
    else await tx.delete(users).where(eq(users.id, userId));
    return { deletion, blobIds };
  });
  try {
    await blobStore.delete(blobIds);
  } catch (error) {
    // Only the bytes are left, named by no row: the sweeper's orphan pass removes them.
    logger().warn({ err: error instanceof Error ? error.name : "unknown", files: blobIds.length }, "file bytes of a deleted account left to the sweeper");
  }
  return deletion;
}

/**
 * Moves the person's trail (their inbox folded in first, under their locked head) into
 * `departed_audit_events` under a new random id, replacing their own id as actor by it, and
 * deletes the chain, its head and anything left in the inbox.
 */
async function keepTrail(tx: Transaction, userId: string, now: Date): Promise<AccountDeletion> {
  await lockAuditHeads(tx, [userId]);
  await foldAuditInbox(tx, [userId]);
  const trailId = randomUUID();
  const keepUntil = new Date(now);
  keepUntil.setUTCFullYear(keepUntil.getUTCFullYear() + departedTrailYears);
  // Times as ISO text: under drizzle, postgres.js takes no Date in a bare sql parameter.
  const kept = await tx.execute(sql`
    insert into ${departedAuditEvents}
      (trail_id, seq, actor_id, action, record_id, grant_id, record_ids, outcome, occurred_at, count, window_start, window_end, recipient, departed_at, keep_until)
    select ${trailId}, seq, case when actor_id = ${userId} then ${trailId}::uuid else actor_id end, action, record_id, grant_id, record_ids,
           outcome, occurred_at, count, window_start, window_end, recipient, ${now.toISOString()}::timestamptz, ${keepUntil.toISOString()}::timestamptz
    from ${auditEvents} where subject_id = ${userId}
    returning id`);
  // The append-only trigger lets this transaction delete this subject's events and no one else's (migration 0022).
  await tx.execute(sql`select set_config('hsc.departing_subject', ${userId}, true)`);
  await tx.delete(auditEvents).where(eq(auditEvents.subjectId, userId));
  await tx.delete(auditHeads).where(eq(auditHeads.subjectId, userId));
  await tx.delete(auditInbox).where(eq(auditInbox.subjectId, userId));
  return { trailId, keptEvents: rowCount(kept) };
}

/** Rows an `execute` returned, whichever driver ran it (postgres.js: an array; PGlite: `{ rows }`). */
function rowCount(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  return (result as { rows?: unknown[] }).rows?.length ?? 0;
}

/** The records a departing clinician could open under live grants: their patients' browsers move them to new keys, as after a revoke. */
async function queueRotationsForClinicianGrants(tx: Transaction, clinicianId: string): Promise<void> {
  await tx.execute(sql`
    insert into key_rotations (record_id, owner_id)
    select distinct w.record_id, g.patient_id from record_key_wraps w join grants g on g.id = w.grant_id
    where g.clinician_id = ${clinicianId} and g.revoked_at is null
    on conflict do nothing`);
}

/**
 * The clinicians (and care team members) a departing patient shares with learn that the share
 * ended with the account: a `patient-left` notice each, naming nobody (the account's id goes
 * with it, as from others' notices). Raised here, not from an audit event: the patient's
 * trail leaves with them.
 */
async function tellGranteesOfDeparture(tx: Transaction, patientId: string, now: Date): Promise<void> {
  const given = await tx
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.patientId, patientId), activeGrant(now), notEmergency));
  const grantees = await granteesOf(
    tx,
    given.map((grant) => grant.id),
  );
  const recipients = [...new Set([...grantees.values()].flat())].filter((recipientId) => recipientId !== patientId);
  await recordNotices(
    tx,
    recipients.map((recipientId) => ({ recipientId, kind: "patient-left" as const, actorId: null, grantId: null, linkId: null, recordId: null })),
    now,
    emailQueuing(),
  );
}

/** Rate-limit rows whose key names the account: its id, one of its passkeys, its recovery key. */
async function deleteRateLimitRows(tx: Transaction, userId: string): Promise<void> {
  const passkeys = await tx.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, userId));
  const recovery = await tx.select({ publicKey: recoveryVerifiers.publicKey }).from(recoveryVerifiers).where(eq(recoveryVerifiers.userId, userId));
  const names = [userId, ...passkeys.map((row) => row.id), ...recovery.map((row) => `recovery:${Buffer.from(row.publicKey).toString("base64url")}`)];
  await tx.delete(rateLimitBuckets).where(or(...names.map((name) => sql`strpos(${rateLimitBuckets.key}, ${name}) > 0`)));
}

/**
 * A clinician whose signed versions are in patients' charts: the patients' browsers check those
 * signatures against the author's key certificates, so the `users` row (disabled) and the
 * certificates stay; everything else of the account goes (cascades of `users` do not run, so
 * each table is named here).
 */
async function keepAuthorStub(tx: Transaction, userId: string, now: Date): Promise<void> {
  await tx.delete(vaultKeyWraps).where(eq(vaultKeyWraps.userId, userId));
  await tx.delete(passkeyCredentials).where(eq(passkeyCredentials.userId, userId));
  await tx.delete(sessions).where(eq(sessions.userId, userId));
  await tx.delete(knownBrowsers).where(eq(knownBrowsers.userId, userId));
  await tx.delete(encryptedKeyBundles).where(eq(encryptedKeyBundles.userId, userId));
  await tx.delete(recoveryVerifiers).where(eq(recoveryVerifiers.userId, userId));
  await tx.delete(clinicianDirectory).where(eq(clinicianDirectory.userId, userId));
  await tx.delete(auditPendingCounts).where(eq(auditPendingCounts.subjectId, userId));
  // Their own notices (a clinician's: shares started and ended) and email choices: the stub keeps the row they would cascade from.
  await tx.delete(notices).where(eq(notices.recipientId, userId));
  await tx.delete(noticeEmails).where(eq(noticeEmails.recipientId, userId));
  await tx.delete(noticePreferences).where(eq(noticePreferences.userId, userId));
  await tx.update(users).set({ disabledAt: now }).where(eq(users.id, userId));
}

/** Removes kept trails whose time is up (the upkeep). Returns how many events went. */
export async function sweepDepartedTrails(db: Database, now: Date = new Date()): Promise<number> {
  const removed = await db.delete(departedAuditEvents).where(lte(departedAuditEvents.keepUntil, now)).returning({ id: departedAuditEvents.id });
  return removed.length;
}

/** Once at start-up and every hour, on any number of instances (each delete removes only rows past their time): sweepDepartedTrails. */
export function startDepartedTrailUpkeep(): void {
  startPeriodicTask("departed-trails", 3600_000, async () => {
    const { db } = await getDatabase();
    const removed = await sweepDepartedTrails(db);
    if (removed > 0) logger().info({ events: removed }, "kept trails of deleted accounts past their six years removed");
  });
}

/**
 * Others' notices about what the departing account did (a clinician's reads, notes) stay, as
 * "a clinician": their actor and grant ids go, and with them the fold key that repeats them
 * (made unique per row, so nothing folds into them any more). The person's own notices go
 * with the account (a cascade).
 */
async function forgetActorInNotices(tx: Transaction, userId: string): Promise<void> {
  await tx
    .update(notices)
    .set({ actorId: null, grantId: null, foldKey: sql`${notices.kind} || '|departed|' || ${notices.id}::text` })
    .where(eq(notices.actorId, userId));
}
