import "server-only";
import { inArray } from "drizzle-orm";
import type { z } from "zod";
import { toBase64url } from "@/crypto";
import type { sharedRoutes } from "@/contract/sharing";
import { grantRecords } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database } from "@/lib/db";
import { publishedKeysOf } from "@/lib/directory/directory-store";
import { statementsOf } from "@/lib/records/record-store";
import { statementJson, versionJson } from "@/lib/records/version-json";
import type { PageRequest } from "@/lib/records/pages";
import { activeGrantsForClinician, fetchSharedRecords } from "./grant-store";

type ReceivedGrants = z.input<typeof sharedRoutes.list.response>;
type SharedRecords = z.input<typeof sharedRoutes.records.response>;

/** Groups rows by a key, keeping their order. */
function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/**
 * The active grants made to a clinician, as they receive them: terms, signed statement and
 * signature, sealed share key and profile, listed records and the patient's published keys.
 * Each sealed share key handed out is a key fetch and joins its patient's trail. A fixed
 * number of queries whatever the number of grants (the key fetches are one unlocked insert
 * into the audit inbox, folded into each patient's chain later: lib/audit/audit-log.ts).
 */
export async function receivedGrantsOf(db: Database, clinicianId: string, now: Date = new Date()): Promise<ReceivedGrants> {
  const rows = await activeGrantsForClinician(db, clinicianId, now);
  await appendAudit(
    db,
    rows.map((row) => ({ subjectId: row.patientId, actorId: clinicianId, action: "share-key-fetched" as const, grantId: row.id, outcome: "success" as const })),
  );
  if (rows.length === 0) return { grants: [] };
  const [listed, patientKeys] = await Promise.all([
    db
      .select()
      .from(grantRecords)
      .where(
        inArray(
          grantRecords.grantId,
          rows.map((row) => row.id),
        ),
      ),
    publishedKeysOf(
      db,
      rows.map((row) => row.patientId),
    ),
  ]);
  const listedBy = groupBy(listed, (entry) => entry.grantId);
  return {
    grants: rows.map((row) => {
      const keys = patientKeys.get(row.patientId);
      // Every account has current keys from sign-up on; a patient without them is a broken invariant, not a refusal.
      if (!keys) throw new Error("A patient sharing records has no published keys.");
      return {
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
        recordIds: (listedBy.get(row.id) ?? []).map((entry) => entry.recordId),
        patientKeys: keys,
        team: row.teamId && row.teamKeyVersion !== null ? { teamId: row.teamId, keyVersion: row.teamKeyVersion } : null,
      };
    }),
  };
}

/**
 * One page of the records under one of a clinician's active grants, by record id
 * (`fetchSharedRecords`): each record's current version, every version's statement (to verify
 * who wrote each) and its key wrapped under the share key, with the next page's cursor and how
 * many records the grant opens. A revoked or expired grant gets the same 404 as none; a cursor
 * this server did not hand out, 400 "invalid-input". A fixed number of queries whatever the
 * number of records and versions.
 */
export async function sharedRecordsOf(
  db: Database,
  clinicianId: string,
  grantId: string,
  now: Date = new Date(),
  request: PageRequest = {},
): Promise<SharedRecords> {
  const { records: shared, nextCursor, total } = await fetchSharedRecords(db, clinicianId, grantId, now, request);
  // Each record's current version came with its page (one join); every version's statement is one more query.
  const statements = await statementsOf(
    db,
    shared.map((record) => record.id),
  );
  return {
    records: shared.map((record) => ({
      id: record.id,
      keyVersion: record.keyVersion,
      currentVersion: record.currentVersion,
      updatedAt: record.updatedAt.toISOString(),
      wrappedKey: toBase64url(record.wrappedKey),
      current: versionJson(record.current),
      statements: (statements.get(record.id) ?? []).map(statementJson),
    })),
    nextCursor,
    total,
  };
}
