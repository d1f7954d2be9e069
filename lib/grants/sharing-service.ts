import "server-only";
import { and, inArray, isNotNull } from "drizzle-orm";
import type { z } from "zod";
import { cryptoReady, fromBase64url, toBase64url } from "@/crypto";
import type { Contribution, GrantChange, grantsRoutes, NewGrant } from "@/contract/sharing";
import { clinicianDirectory, users } from "@/drizzle/schema";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { contributeRecord } from "./contributions";
import { addGrantWraps, createGrant, grantsOfPatient, revokeGrant, revokeRecordFromGrant } from "./grant-store";
import { keyMaintenanceOf, teamRenewalsOf } from "./key-maintenance";
import { renewTeamGrant } from "@/lib/teams/team-grant-renewal";
import type { GrantRenewalJson } from "@/contract/team-renewal";
import { changeShare } from "./grant-changes";
import { receivedGrantsOf, sharedRecordsOf } from "./shared-store";
import type { PageRequest } from "@/lib/records/pages";
import { teamNamesOf } from "@/lib/teams/team-store";

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

/** Stores a grant the patient's browser sealed (POST /api/grants); a re-sent one changes nothing. Returns its id. */
export async function shareMyRecords(body: NewGrant) {
  const { db, userId } = await as("patient");
  await createGrant(db, userId, {
    grantId: body.grantId,
    clinicianId: body.clinicianId,
    ...(body.teamKeyVersion === undefined ? {} : { teamKeyVersion: body.teamKeyVersion }),
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
  return { grantId: body.grantId };
}

/** Changes one of the patient's grants in place; returns what changed (record ids, flags). An emergency contact's: AppError wrong-grant-kind. */
export async function changeMyGrant(grantId: string, body: GrantChange) {
  const { db, userId } = await as("patient");
  return changeShare(db, userId, grantId, {
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

/** The patient's grants, each with the clinician's directory name, for GET /api/grants. */
export async function myGrants(): Promise<z.input<typeof grantsRoutes.list.response>> {
  const { db, userId } = await as("patient");
  const rows = await grantsOfPatient(db, userId);
  const clinicianIds = [...new Set(rows.flatMap((row) => (row.clinicianId ? [row.clinicianId] : [])))];
  const teamNames = await teamNamesOf(
    db,
    rows.flatMap((row) => (row.teamId ? [row.teamId] : [])),
  );
  const names = clinicianIds.length ? await db.select().from(clinicianDirectory).where(inArray(clinicianDirectory.userId, clinicianIds)) : [];
  const disabled = clinicianIds.length
    ? await db
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, clinicianIds), isNotNull(users.disabledAt)))
    : [];
  const disabledIds = new Set(disabled.map((row) => row.id));
  return {
    grants: rows.map((row) => ({
      id: row.id,
      // A grant names exactly one clinician or one team (the grants table's check).
      clinicianId: row.clinicianId ?? row.teamId!,
      clinicianName: row.teamId
        ? (teamNames.get(row.teamId) ?? "A care team")
        : (names.find((entry) => entry.userId === row.clinicianId)?.displayName ?? "Unknown clinician"),
      teamId: row.teamId,
      clinicianDisabled: row.clinicianId !== null && disabledIds.has(row.clinicianId),
      scope: row.scope,
      permission: row.permission,
      expiresAt: row.expiresAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      revokedAt: row.revokedAt?.toISOString() ?? null,
      renewedAt: row.renewedAt?.toISOString() ?? null,
      renewedGrantIds: row.renewedGrantIds,
      awaitingRenewal: row.awaitingRenewal,
      statement: toBase64url(row.statement),
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

/** What the patient's browser must do to keep sharing exact after revokes and end dates (GET /api/me/key-maintenance). */
export async function myKeyMaintenance() {
  const { db, userId } = await as("patient");
  return keyMaintenanceOf(db, userId);
}

/** The patient's grants to care teams to renew after a member left (GET /api/me/team-renewals). */
export async function myTeamRenewals() {
  const { db, userId } = await as("patient");
  return teamRenewalsOf(db, userId);
}

/** Stores a successor to a grant to a care team and ends the old grant, at once (POST /api/grants/[id]/renewal); a re-sent one changes nothing. */
export async function renewMyTeamGrant(grantId: string, body: GrantRenewalJson) {
  const { db, userId } = await as("patient");
  return renewTeamGrant(db, userId, grantId, {
    grantId: body.grantId,
    teamKeyVersion: body.teamKeyVersion,
    sealedShareKey: fromBase64url(body.sealedShareKey),
    statement: fromBase64url(body.statement),
    signature: fromBase64url(body.signature),
    sealedProfile: body.sealedProfile ? fromBase64url(body.sealedProfile) : null,
    recordIds: body.recordIds,
    wraps: body.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
}

/** Adds wraps for records active grants cover but cannot open yet (POST /api/grants/wraps). */
export async function addMyGrantWraps(wraps: Array<{ grantId: string; recordId: string; keyVersion: number; wrappedKey: string }>) {
  const { db, userId } = await as("patient");
  await addGrantWraps(
    db,
    userId,
    wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  );
}

/** A clinician with the contribute permission adds a record to the patient's chart (POST /api/shared/[grantId]/records). Returns its id. */
export async function contributeToChart(grantId: string, item: Contribution) {
  const { db, userId } = await as("clinician");
  await contributeRecord(db, userId, grantId, item);
  return { id: item.id };
}

/** What is shared with the signed-in clinician (GET /api/shared); see `receivedGrantsOf`. */
export async function sharedWithMe() {
  const { db, userId } = await as("clinician");
  return receivedGrantsOf(db, userId);
}

/** One page of ciphertext and wraps for one active grant (GET /api/shared/[grantId]/records); see `sharedRecordsOf`. */
export async function sharedRecords(grantId: string, page: PageRequest) {
  const { db, userId } = await as("clinician");
  return sharedRecordsOf(db, userId, grantId, new Date(), page);
}
