import "server-only";
import { eq } from "drizzle-orm";
import { toBase64url } from "@/crypto";
import { keyRotations } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database } from "@/lib/db";
import { listOwnedRecords } from "@/lib/records/record-store";
import { versionJson } from "@/lib/records/version-json";
import { closeExpiredGrants, coverageOf, missingWraps } from "@/lib/records/grant-coverage";

/**
 * What the patient's browser has to do to keep sharing exact: records whose key a revoked
 * or expired grant held (rotate them), and records an active grant covers but cannot yet
 * open (wrap them). Expired grants are closed first, so their records join the rotation.
 */
export async function keyMaintenanceOf(db: Database, patientId: string, now: Date = new Date()) {
  await closeExpiredGrants(db, patientId, now);
  const [pending, missing, coverage, owned] = await Promise.all([
    db.select({ recordId: keyRotations.recordId }).from(keyRotations).where(eq(keyRotations.ownerId, patientId)),
    missingWraps(db, patientId, now),
    coverageOf(db, patientId, now),
    listOwnedRecords(db, patientId),
  ]);
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
      .filter((row) => byId.has(row.recordId))
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
