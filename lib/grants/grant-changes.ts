import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { grantExclusions, grantRecords, grants, recordKeyWraps } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { lockOwnedRecords } from "@/lib/db/row-locks";
import type { GrantChangeResult } from "@/contract/sharing";
import { AppError } from "@/lib/errors";
import { appendAudit, type AuditInput } from "@/lib/audit/audit-log";
import { queueRotations } from "@/lib/records/grant-coverage";
import { refuseEmergencyGrant } from "./grant-kind";
import type { GrantWrap } from "./grant-store";
import { isAwaitingRenewal } from "@/lib/teams/team-grant-renewal";

/** A change the patient signed: the grant's new terms at `revision` (one more than the stored one), and wraps for the records it adds. */
export type GrantChange = Pick<typeof grants.$inferSelect, "revision" | "scope" | "permission" | "expiresAt" | "statement" | "signature"> & {
  /** The records listed (ignored for "all"). */
  recordIds: string[];
  /** One wrap per record the change adds, at its current key version: no more, no fewer. */
  wraps: GrantWrap[];
};

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Changes an active grant in place, in one transaction: the new signed statement and terms,
 * wraps for added records, and for removed records the wraps deleted and the records queued
 * for key rotation (as a per-record revocation does). A narrower permission holds from the
 * commit on. Only the grant's patient may change it; a revoked or expired grant cannot be
 * changed (share again instead); a change signed over an older revision is refused
 * (`conflict`), and the same change sent again (a retried request) is done once.
 *
 * @throws AppError not-found (not this patient's grant), conflict (ended, stale revision,
 *   wraps not matching the added records), invalid-input (end date past, no records, a
 *   record not the patient's).
 */
export async function changeGrant(db: Database, patientId: string, grantId: string, change: GrantChange, now: Date = new Date()): Promise<GrantChangeResult> {
  return db.transaction(async (tx) => {
    // The patient's records first, then the grant, the order every locker of both keeps (lib/db/row-locks.ts):
    // a key rotation holding the records waits for the grant's row to wrap keys for it. The records' lock
    // also keeps the record list exact while the grant changes.
    const owned = await lockOwnedRecords(tx, patientId);
    const [grant] = await tx
      .select()
      .from(grants)
      .where(and(eq(grants.id, grantId), eq(grants.patientId, patientId)))
      .for("update");
    if (!grant) throw new AppError("not-found", "There is no such grant.");
    if (grant.revision === change.revision && same(grant.statement, change.statement) && same(grant.signature, change.signature)) {
      return { added: [], removed: [], permissionChanged: false, endDateChanged: false };
    }
    if (grant.revokedAt || (grant.expiresAt && grant.expiresAt <= now)) {
      throw new AppError("conflict", "This share has ended, so it cannot be changed. Share again instead.");
    }
    if (grant.teamId && (await isAwaitingRenewal(tx, grantId))) {
      // A member left the team: nothing new goes under this share key until the patient's browser renews the share.
      throw new AppError("conflict", "This share is being renewed with a new key after a member left the team. Please try again in a moment.");
    }
    if (change.revision !== grant.revision + 1) {
      throw new AppError("conflict", "This share was changed meanwhile, perhaps on another device. Reload the page and make your change again.");
    }
    if (change.expiresAt && change.expiresAt <= now) throw new AppError("invalid-input", "The end date must be in the future.");

    const keyVersions = new Map(owned.map((record) => [record.id, record.keyVersion]));
    const [listed, excluded] = await Promise.all([
      tx.select({ recordId: grantRecords.recordId }).from(grantRecords).where(eq(grantRecords.grantId, grantId)),
      tx.select({ recordId: grantExclusions.recordId }).from(grantExclusions).where(eq(grantExclusions.grantId, grantId)),
    ]);
    const excludedIds = new Set(excluded.map((row) => row.recordId));
    const before = new Set(grant.scope === "all" ? owned.map((record) => record.id).filter((id) => !excludedIds.has(id)) : listed.map((row) => row.recordId));
    // An "all records" grant that stays so keeps the records taken out of it one by one.
    const after = new Set(change.scope === "all" ? (grant.scope === "all" ? [...before] : [...keyVersions.keys()]) : change.recordIds);
    if (change.scope === "records" && after.size === 0) throw new AppError("invalid-input", "Choose at least one record to share.");
    if ([...after].some((id) => !keyVersions.has(id))) throw new AppError("invalid-input", "Only your own records can be shared.");
    const added = [...after].filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.has(id));

    const offered = new Set(change.wraps.map((wrap) => `${wrap.recordId}:${wrap.keyVersion}`));
    const expected = new Set(added.map((id) => `${id}:${keyVersions.get(id)}`));
    if (offered.size !== change.wraps.length || offered.size !== expected.size || [...expected].some((key) => !offered.has(key))) {
      throw new AppError("conflict", "Your records changed while you were editing this share. Please try again.");
    }

    await tx
      .update(grants)
      .set({
        scope: change.scope,
        permission: change.permission,
        expiresAt: change.expiresAt,
        statement: change.statement,
        signature: change.signature,
        revision: change.revision,
      })
      .where(eq(grants.id, grantId));
    await tx.delete(grantRecords).where(eq(grantRecords.grantId, grantId));
    if (change.scope === "records") await tx.insert(grantRecords).values([...after].map((recordId) => ({ grantId, recordId })));
    if (change.scope === "records" || grant.scope === "records") await tx.delete(grantExclusions).where(eq(grantExclusions.grantId, grantId));
    const withdrawn = removed.length
      ? await tx
          .delete(recordKeyWraps)
          .where(and(eq(recordKeyWraps.grantId, grantId), inArray(recordKeyWraps.recordId, removed)))
          .returning({ recordId: recordKeyWraps.recordId })
      : [];
    await queueRotations(
      tx,
      patientId,
      withdrawn.map((wrap) => wrap.recordId),
    );
    if (change.wraps.length > 0) {
      await tx.insert(recordKeyWraps).values(change.wraps.map((wrap) => ({ id: randomUUID(), grantId, ...wrap })));
    }

    const permissionChanged = grant.permission !== change.permission;
    const endDateChanged = (grant.expiresAt?.getTime() ?? 0) !== (change.expiresAt?.getTime() ?? 0);
    const event = (action: AuditInput["action"], recordId: string | null = null): AuditInput => ({
      subjectId: patientId,
      actorId: patientId,
      action,
      grantId,
      recordId,
      outcome: "success",
    });
    await appendAudit(tx, [
      event("grant-changed"),
      ...(permissionChanged ? [event("grant-permission-changed")] : []),
      ...(endDateChanged ? [event("grant-end-date-changed")] : []),
      ...added.map((recordId) => event("grant-record-added", recordId)),
      ...removed.map((recordId) => event("grant-record-revoked", recordId)),
    ]);
    return { added, removed, permissionChanged, endDateChanged };
  });
}

/**
 * `changeGrant` for the share routes (POST /api/grants/[id]/change): a share to a clinician or a
 * care team. An emergency contact's grant is refused there; its own route changes it together
 * with its sealed choice (lib/emergency/emergency-store.ts `changeEmergencySet`).
 * @throws AppError wrong-grant-kind (an emergency contact's grant), and what `changeGrant` throws
 */
export async function changeShare(db: Database, patientId: string, grantId: string, change: GrantChange, now: Date = new Date()): Promise<GrantChangeResult> {
  await refuseEmergencyGrant(db, patientId, grantId);
  return changeGrant(db, patientId, grantId, change, now);
}
