import "server-only";
import { eq, inArray } from "drizzle-orm";
import { toBase64url } from "@/crypto";
import { keyRotations, recordKeyWraps } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database } from "@/lib/db";
import { listOwnedRecords } from "@/lib/records/record-store";
import { versionJson } from "@/lib/records/version-json";
import { closeExpiredGrants, coverageOf, missingWraps } from "@/lib/records/grant-coverage";
import { grantsToRenew } from "@/lib/teams/team-grant-renewal";
import { teamEntriesOf } from "@/lib/teams/team-service";

/**
 * What the patient's browser has to do to keep sharing exact: records whose key a revoked or
 * expired grant held (rotate them), and records an active grant covers but cannot yet open
 * (wrap them). Expired grants are closed first, so their records join the rotation. Records a
 * grant awaiting renewal opens (`teamRenewalsOf`) are held back until it is renewed.
 */
export async function keyMaintenanceOf(db: Database, patientId: string, now: Date = new Date()) {
  await closeExpiredGrants(db, patientId, now);
  const [pending, missing, coverage, owned, toRenew] = await Promise.all([
    db.select({ recordId: keyRotations.recordId }).from(keyRotations).where(eq(keyRotations.ownerId, patientId)),
    missingWraps(db, patientId, now),
    coverageOf(db, patientId, now),
    listOwnedRecords(db, patientId),
    grantsToRenew(db, patientId, now),
  ]);
  // A record a grant awaiting renewal opens keeps its key until the grant is renewed: its next key then goes
  // under the new share key only, and the team's members are not cut off from it meanwhile.
  const held = toRenew.length
    ? new Set(
        (
          await db
            .selectDistinct({ recordId: recordKeyWraps.recordId })
            .from(recordKeyWraps)
            .where(
              inArray(
                recordKeyWraps.grantId,
                toRenew.map((grant) => grant.id),
              ),
            )
        ).map((row) => row.recordId),
      )
    : new Set<string>();
  const byId = new Map(owned.map((record) => [record.id, record]));
  // The work list carries ciphertext and owner wraps: its fetch is audited like the chart's.
  if (pending.length > 0 || missing.length > 0) {
    await appendAudit(db, [{ subjectId: patientId, actorId: patientId, action: "chart-fetched", outcome: "success" }]);
  }
  const keyOf = (recordId: string) => {
    const record = byId.get(recordId)!;
    return { recordId, keyVersion: record.keyVersion, ownerWrap: toBase64url(record.ownerWrap) };
  };
  return {
    rotations: pending
      .filter((row) => byId.has(row.recordId) && !held.has(row.recordId))
      .map((row) => {
        const record = byId.get(row.recordId)!;
        return {
          ...keyOf(row.recordId),
          currentVersion: record.currentVersion,
          current: versionJson(record.current),
          grantIds: coverage.grantsCovering(row.recordId),
        };
      }),
    missingWraps: missing.filter((wrap) => byId.has(wrap.recordId)).map((wrap) => ({ ...keyOf(wrap.recordId), grantId: wrap.grantId })),
  };
}

/**
 * The patient's grants to care teams to renew (lib/teams/team-grant-renewal.ts): each with the
 * terms its successor copies, the statement the patient signed for them, and the team's
 * current certified key once it has one (null while the team waits for it).
 */
export async function teamRenewalsOf(db: Database, patientId: string, now: Date = new Date()) {
  const toRenew = await grantsToRenew(db, patientId, now);
  const teams = new Map(
    (
      await teamEntriesOf(
        db,
        toRenew.filter((grant) => grant.ready).map((grant) => grant.teamId),
      )
    ).map((entry) => [entry.teamId, entry]),
  );
  return {
    renewals: toRenew.map((grant) => ({
      grantId: grant.id,
      teamId: grant.teamId,
      team: grant.ready ? (teams.get(grant.teamId) ?? null) : null,
      scope: grant.scope,
      permission: grant.permission,
      expiresAt: grant.expiresAt?.toISOString() ?? null,
      revision: grant.revision,
      statement: toBase64url(grant.statement),
      signature: toBase64url(grant.signature),
      sealedProfile: grant.sealedProfile ? toBase64url(grant.sealedProfile) : null,
      recordIds: grant.recordIds,
      excludedRecordIds: grant.excludedRecordIds,
    })),
  };
}
