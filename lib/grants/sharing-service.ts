import "server-only";
import { inArray } from "drizzle-orm";
import { cryptoReady, fromBase64url, toBase64url } from "@/crypto";
import { clinicianDirectory, grantRecords } from "@/drizzle/schema";
import { requireSession } from "@/lib/sessions/current-session";
import { appendAudit } from "@/lib/audit/audit-log";
import { getDatabase } from "@/lib/db";
import { publishedKeys } from "@/lib/directory/directory-store";
import { AppError } from "@/lib/errors";
import { currentVersionsOf, statementsOf } from "@/lib/records/record-store";
import { statementJson, versionJson } from "@/lib/records/version-json";
import { contributeRecord } from "./contributions";
import { activeGrantsForClinician, addGrantWraps, createGrant, fetchSharedRecords, grantsOfPatient, revokeGrant, revokeRecordFromGrant } from "./grant-store";
import { keyMaintenanceOf } from "./key-maintenance";
import { changeGrant } from "./grant-changes";
import type { ChangeGrantRequest, ContributionRequest, CreateGrantRequest } from "./schemas";

async function as(role: "patient" | "clinician") {
  const session = await requireSession();
  const isClinician = session.role === "doctor" || session.role === "nurse";
  if ((role === "patient" && session.role !== "patient") || (role === "clinician" && !isClinician)) {
    throw new AppError("forbidden", role === "patient" ? "Only patients share records." : "Only doctors and nurses receive shared records.");
  }
  await cryptoReady();
  const { db } = await getDatabase();
  return { db, userId: session.userId };
}

export async function shareMyRecords(body: CreateGrantRequest) {
  const { db, userId } = await as("patient");
  await createGrant(db, userId, {
    grantId: body.grantId,
    clinicianId: body.clinicianId,
    scope: body.scope,
    permission: body.permission,
    expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    sealedShareKey: fromBase64url(body.sealedShareKey),
    statement: fromBase64url(body.statement),
    signature: fromBase64url(body.signature),
    sealedProfile: body.sealedProfile ? fromBase64url(body.sealedProfile) : null,
    recordIds: body.recordIds,
    wraps: body.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
}

/** Changes one of the patient's grants in place; returns what changed (record ids, flags). */
export async function changeMyGrant(grantId: string, body: ChangeGrantRequest) {
  const { db, userId } = await as("patient");
  return changeGrant(db, userId, grantId, {
    revision: body.revision,
    scope: body.scope,
    permission: body.permission,
    expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    statement: fromBase64url(body.statement),
    signature: fromBase64url(body.signature),
    recordIds: body.recordIds,
    wraps: body.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
}

export async function myGrants() {
  const { db, userId } = await as("patient");
  const rows = await grantsOfPatient(db, userId);
  const names = rows.length
    ? await db.select().from(clinicianDirectory).where(inArray(clinicianDirectory.userId, [...new Set(rows.map((row) => row.clinicianId))]))
    : [];
  return {
    grants: rows.map((row) => ({
      id: row.id,
      clinicianId: row.clinicianId,
      clinicianName: names.find((entry) => entry.userId === row.clinicianId)?.displayName ?? "Unknown clinician",
      scope: row.scope,
      permission: row.permission,
      expiresAt: row.expiresAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      revokedAt: row.revokedAt?.toISOString() ?? null,
      revision: row.revision,
      lastOpenedAt: row.lastOpenedAt?.toISOString() ?? null,
      recordIds: row.recordIds,
      excludedRecordIds: row.excludedRecordIds,
    })),
  };
}

export async function revokeMyGrant(grantId: string) {
  const { db, userId } = await as("patient");
  await revokeGrant(db, userId, grantId);
}

export async function revokeMyGrantRecord(grantId: string, recordId: string) {
  const { db, userId } = await as("patient");
  await revokeRecordFromGrant(db, userId, grantId, recordId);
}

export async function myKeyMaintenance() {
  const { db, userId } = await as("patient");
  return keyMaintenanceOf(db, userId);
}

export async function addMyGrantWraps(wraps: Array<{ grantId: string; recordId: string; keyVersion: number; wrappedKey: string }>) {
  const { db, userId } = await as("patient");
  await addGrantWraps(db, userId, wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })));
}

export async function contributeToChart(grantId: string, item: ContributionRequest) {
  const { db, userId } = await as("clinician");
  await contributeRecord(db, userId, grantId, item);
}

export async function sharedWithMe() {
  const { db, userId } = await as("clinician");
  const rows = await activeGrantsForClinician(db, userId);
  // Each sealed share key handed out is a key fetch, and joins its patient's trail.
  await appendAudit(
    db,
    rows.map((row) => ({ subjectId: row.patientId, actorId: userId, action: "share-key-fetched" as const, grantId: row.id, outcome: "success" as const })),
  );
  const listed = rows.length ? await db.select().from(grantRecords).where(inArray(grantRecords.grantId, rows.map((row) => row.id))) : [];
  return {
    grants: await Promise.all(
      rows.map(async (row) => ({
        grantId: row.id,
        patientId: row.patientId,
        scope: row.scope,
        permission: row.permission,
        expiresAt: row.expiresAt?.toISOString() ?? null,
        sealedShareKey: row.sealedShareKey ? toBase64url(row.sealedShareKey) : null,
        sealedProfile: row.sealedProfile ? toBase64url(row.sealedProfile) : null,
        statement: toBase64url(row.statement),
        signature: toBase64url(row.signature),
        revision: row.revision,
        recordIds: listed.filter((entry) => entry.grantId === row.id).map((entry) => entry.recordId),
        patientKeys: await publishedKeys(db, row.patientId),
      })),
    ),
  };
}

/** Ciphertext and wraps for one active grant; a revoked or expired grant gets the same 404 as none. */
export async function sharedRecords(grantId: string) {
  const { db, userId } = await as("clinician");
  const shared = await fetchSharedRecords(db, userId, grantId);
  const ids = shared.map((record) => record.id);
  // Two queries for the whole list, not one per record: the current versions, and every version's statement.
  const [currents, statements] = await Promise.all([currentVersionsOf(db, ids), statementsOf(db, ids)]);
  return {
    records: shared.flatMap((record) => {
      const current = currents.get(record.id);
      if (!current) return [];
      return [
        {
          id: record.id,
          keyVersion: record.keyVersion,
          currentVersion: record.currentVersion,
          updatedAt: record.updatedAt.toISOString(),
          wrappedKey: toBase64url(record.wrappedKey),
          current: versionJson(current),
          statements: (statements.get(record.id) ?? []).map(statementJson),
        },
      ];
    }),
  };
}
