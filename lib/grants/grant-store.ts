import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { uuid } from "@/contract/common";
import { grantExclusions, grantRecords, grants, keyCertificates, recordKeyWraps, records, recordVersions, users } from "@/drizzle/schema";
import type { Database, Executor } from "@/lib/db";
import { lockOwnedRecords } from "@/lib/db/row-locks";
import { literalLimit } from "@/lib/db/literal-limit";
import { AppError } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/audit-log";
import { noteRefusal } from "@/lib/audit/refusals";
import { crashPoint } from "@/lib/crash-points";
import { awaitingRenewal, coverageOf, endGrant, notEmergency, queueRotations, servingGrant } from "@/lib/records/grant-coverage";
import { granteeIs } from "@/lib/teams/team-grants";
import { refuseEmergencyGrant } from "./grant-kind";
import { checkTeamGrantee } from "@/lib/teams/team-store";
import { decodeCursor, encodeCursor, pageWithin, rowsToRead, type PageRequest } from "@/lib/records/pages";
import type { StoredVersion } from "@/lib/records/record-store";

type GrantRow = typeof grants.$inferSelect;

/** A record's key wrapped for a grant, at the record's current key version. */
export type GrantWrap = Pick<typeof recordKeyWraps.$inferSelect, "recordId" | "keyVersion" | "wrappedKey">;

/** A grant as the patient signed it, with the records it lists and one wrap per record it covers. */
export type NewGrant = Pick<GrantRow, "scope" | "permission" | "expiresAt" | "statement" | "signature" | "sealedProfile"> & {
  grantId: GrantRow["id"];
  /** The clinician, or for a grant to a care team the team (with `teamKeyVersion`). */
  clinicianId: string;
  /** Present exactly for a grant to a care team: the team key version the share key is sealed to. */
  teamKeyVersion?: number;
  sealedShareKey: NonNullable<GrantRow["sealedShareKey"]>;
  recordIds: string[];
  wraps: GrantWrap[];
};

const notFound = () => new AppError("not-found", "There is no such grant.");

/**
 * Stores a grant, its record list and one wrap per shared record in one transaction. The
 * wraps must cover exactly the shared records at their current key version: no more (the
 * server would otherwise hand out keys the patient did not list), no fewer.
 *
 * Re-sending the same signed grant is accepted and changes nothing: a browser whose request
 * was cut off (a dropped connection, a server that stopped after the commit) sends it again
 * rather than making a second grant.
 */
export async function createGrant(db: Database, patientId: string, grant: NewGrant, now: Date = new Date()): Promise<void> {
  if (grant.expiresAt && grant.expiresAt <= now) throw new AppError("invalid-input", "The end date must be in the future.");
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ patientId: grants.patientId, statement: grants.statement }).from(grants).where(eq(grants.id, grant.grantId));
    if (existing) {
      if (existing.patientId === patientId && Buffer.from(existing.statement).equals(Buffer.from(grant.statement))) return;
      throw new AppError("conflict", "A different grant with this id already exists.");
    }
    const team = grant.teamKeyVersion === undefined ? null : { teamId: grant.clinicianId, teamKeyVersion: grant.teamKeyVersion };
    if (team) await checkTeamGrantee(tx, team.teamId, team.teamKeyVersion);
    else {
      const [clinician] = await tx
        .select({ role: users.role })
        .from(users)
        .innerJoin(keyCertificates, and(eq(keyCertificates.userId, users.id), isNull(keyCertificates.supersededAt)))
        .where(and(eq(users.id, grant.clinicianId), isNull(users.disabledAt)));
      if (!clinician || (clinician.role !== "doctor" && clinician.role !== "nurse")) {
        throw new AppError("invalid-input", "Records can be shared only with a doctor or a nurse.");
      }
    }
    // Locking the patient's records keeps "all records" exact while the grant is written.
    const owned = await lockOwnedRecords(tx, patientId);
    const current = new Map(owned.map((record) => [record.id, record.keyVersion]));
    const shared = grant.scope === "all" ? [...current.keys()] : grant.recordIds;
    if (grant.scope === "records" && shared.length === 0) throw new AppError("invalid-input", "Choose at least one record to share.");
    if (shared.some((id) => !current.has(id))) throw new AppError("invalid-input", "Only your own records can be shared.");
    const covered = new Set(grant.wraps.map((wrap) => `${wrap.recordId}:${wrap.keyVersion}`));
    const expected = new Set(shared.map((id) => `${id}:${current.get(id)}`));
    if (covered.size !== grant.wraps.length || covered.size !== expected.size || [...expected].some((key) => !covered.has(key))) {
      throw new AppError("conflict", "Your records changed while sharing. Please try again.");
    }
    await tx.insert(grants).values({
      id: grant.grantId,
      patientId,
      ...(team
        ? { clinicianId: null, teamId: team.teamId, teamKeyVersion: team.teamKeyVersion, shareKeyTeamVersion: team.teamKeyVersion }
        : { clinicianId: grant.clinicianId }),
      scope: grant.scope,
      permission: grant.permission,
      expiresAt: grant.expiresAt,
      sealedShareKey: grant.sealedShareKey,
      statement: grant.statement,
      signature: grant.signature,
      sealedProfile: grant.sealedProfile,
    });
    if (grant.scope === "records") {
      await tx.insert(grantRecords).values(shared.map((recordId) => ({ grantId: grant.grantId, recordId })));
    }
    if (grant.wraps.length > 0) {
      await tx.insert(recordKeyWraps).values(
        grant.wraps.map((wrap) => ({
          id: randomUUID(),
          recordId: wrap.recordId,
          keyVersion: wrap.keyVersion,
          grantId: grant.grantId,
          wrappedKey: wrap.wrappedKey,
        })),
      );
    }
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "grant-created", grantId: grant.grantId, outcome: "success" }]);
    crashPoint("grants.create.before-commit");
  });
  crashPoint("grants.create.after-commit");
}

/**
 * Cuts a clinician off at once: the share key and every wrap under it are deleted, the
 * grant marked revoked and the records it opened queued for key rotation, atomically.
 * Revoking twice is harmless: a retried revoke finds the work done and writes nothing,
 * so the trail holds one revocation however often the request was sent. A grant to a care
 * team ends the same way. An emergency contact's grant is refused (`wrong-grant-kind`): it
 * ends through lib/emergency, as `emergency-ended`.
 */
export async function revokeGrant(db: Database, patientId: string, grantId: string, now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    const [grant] = await tx
      .select({ id: grants.id, revokedAt: grants.revokedAt })
      .from(grants)
      .where(and(eq(grants.id, grantId), eq(grants.patientId, patientId)))
      .for("update");
    if (!grant) throw notFound();
    await refuseEmergencyGrant(tx, patientId, grantId);
    if (grant.revokedAt) return;
    await endGrant(tx, grantId, patientId, now);
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "grant-revoked", grantId, outcome: "success" }]);
    crashPoint("grants.revoke.before-commit");
  });
  crashPoint("grants.revoke.after-commit");
}

/**
 * Takes one record out of a grant: its wrap goes at once, and the record is queued for key rotation. Idempotent.
 * An emergency contact's grant is refused (`wrong-grant-kind`): its set changes through lib/emergency with its sealed choice.
 */
export async function revokeRecordFromGrant(db: Database, patientId: string, grantId: string, recordId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [grant] = await tx
      .select({ id: grants.id, scope: grants.scope })
      .from(grants)
      .where(and(eq(grants.id, grantId), eq(grants.patientId, patientId)))
      .for("update");
    if (!grant) throw notFound();
    await refuseEmergencyGrant(tx, patientId, grantId);
    const [record] = await tx
      .select({ id: records.id })
      .from(records)
      .where(and(eq(records.id, recordId), eq(records.ownerId, patientId)));
    if (!record) throw new AppError("not-found", "There is no such record in your chart.");
    const removed = await tx
      .delete(recordKeyWraps)
      .where(and(eq(recordKeyWraps.grantId, grantId), eq(recordKeyWraps.recordId, recordId)))
      .returning({ recordId: recordKeyWraps.recordId });
    const changed =
      grant.scope === "all"
        ? await tx.insert(grantExclusions).values({ grantId, recordId }).onConflictDoNothing().returning({ recordId: grantExclusions.recordId })
        : await tx
            .delete(grantRecords)
            .where(and(eq(grantRecords.grantId, grantId), eq(grantRecords.recordId, recordId)))
            .returning({ recordId: grantRecords.recordId });
    // Already taken out (a retried request): nothing to queue, nothing new for the trail.
    if (changed.length === 0 && removed.length === 0) return;
    await queueRotations(
      tx,
      patientId,
      removed.map((wrap) => wrap.recordId),
    );
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "grant-record-revoked", grantId, recordId, outcome: "success" }]);
    crashPoint("grants.revoke-record.before-commit");
  });
  crashPoint("grants.revoke-record.after-commit");
}

/**
 * Adds wraps the patient's browser made for active grants that cover a record but lack
 * its key (records a clinician contributed, or written while a grant was being made).
 * A wrap for a grant that does not cover the record, or for an old key version, is refused.
 */
export async function addGrantWraps(
  db: Database,
  patientId: string,
  wraps: Array<{ grantId: string; recordId: string; keyVersion: number; wrappedKey: Uint8Array }>,
  now: Date = new Date(),
): Promise<void> {
  await db.transaction(async (tx) => {
    // The records first, then the grants (lib/db/row-locks.ts): key versions and coverage hold until the wraps commit.
    const owned = await lockOwnedRecords(tx, patientId, [...new Set(wraps.map((wrap) => wrap.recordId))]);
    const coverage = await coverageOf(tx, patientId, now, { lockGrants: true });
    const keyVersions = new Map(owned.map((record) => [record.id, record.keyVersion]));
    for (const wrap of wraps) {
      if (keyVersions.get(wrap.recordId) !== wrap.keyVersion || !coverage.grantsCovering(wrap.recordId).includes(wrap.grantId)) {
        throw new AppError("conflict", "Your records or your sharing changed meanwhile. Please try again.");
      }
    }
    if (wraps.length > 0) {
      await tx
        .insert(recordKeyWraps)
        .values(wraps.map((wrap) => ({ id: randomUUID(), ...wrap })))
        .onConflictDoNothing();
    }
  });
}

/**
 * The patient's grants (not emergency contacts, listed on their own page: lib/emergency), each
 * with its records, exclusions and whether it awaits renewal; a grant renewed after a member
 * left its team is left out: its successor stands for the one continuing share.
 */
export async function grantsOfPatient(db: Database, patientId: string) {
  const all = await db
    .select({ grant: grants, awaitingRenewal: sql<boolean>`(${grants.revokedAt} is null and ${awaitingRenewal})` })
    .from(grants)
    .where(and(eq(grants.patientId, patientId), notEmergency))
    // Oldest first, by a stable key: pages number shares by their place in this list.
    .orderBy(asc(grants.createdAt), asc(grants.id))
    .then((found) => found.map((row) => ({ ...row.grant, awaitingRenewal: Boolean(row.awaitingRenewal) })));
  const renewedIds = new Set(all.flatMap((row) => (row.renewsGrantId ? [row.renewsGrantId] : [])));
  const byId = new Map(all.map((row) => [row.id, row]));
  // Every grant a share renewed, oldest last: the browser's rollback guard takes them as the same share, not as missing.
  const renewedChain = (row: (typeof all)[number]) => {
    const chain: string[] = [];
    for (let id = row.renewsGrantId; id && !chain.includes(id); id = byId.get(id)?.renewsGrantId ?? null) chain.push(id);
    return chain;
  };
  const rows = all.filter((row) => !renewedIds.has(row.id)).map((row) => ({ ...row, renewedGrantIds: renewedChain(row) }));
  const ids = rows.map((row) => row.id);
  const [listed, excluded] = ids.length
    ? await Promise.all([
        db.select().from(grantRecords).where(inArray(grantRecords.grantId, ids)),
        db.select().from(grantExclusions).where(inArray(grantExclusions.grantId, ids)),
      ])
    : [[], []];
  return rows.map((row) => ({
    ...row,
    recordIds: listed.filter((entry) => entry.grantId === row.id).map((entry) => entry.recordId),
    excludedRecordIds: excluded.filter((entry) => entry.grantId === row.id).map((entry) => entry.recordId),
  }));
}

export async function activeGrantsForClinician(db: Database, clinicianId: string, now: Date = new Date()) {
  return db
    .select()
    .from(grants)
    .where(and(granteeIs(clinicianId), servingGrant(now)))
    .orderBy(asc(grants.createdAt), asc(grants.id));
}

/** The grant, if it is this clinician's (or their team's, while they are a member) and still active; otherwise the same refusal as for no grant at all. */
export async function activeGrantOf(db: Database, clinicianId: string, grantId: string, now: Date = new Date()) {
  const [grant] = await db
    .select()
    .from(grants)
    .where(and(eq(grants.id, grantId), granteeIs(clinicianId), servingGrant(now)));
  if (!grant) throw notFound();
  return grant;
}

/**
 * The grant, if it is this clinician's and active. Otherwise the same 404 as for no grant
 * at all (or 429 once the clinician is over the refused-request limit), and, if the grant
 * exists, the attempt is counted into its patient's audit trail (lib/audit/refusals.ts).
 */
export async function activeGrantAudited(db: Database, clinicianId: string, grantId: string, now: Date = new Date()) {
  try {
    return await activeGrantOf(db, clinicianId, grantId, now);
  } catch (error) {
    const [grant] = await db.select({ patientId: grants.patientId }).from(grants).where(eq(grants.id, grantId));
    await noteRefusal(db, clinicianId, grant ? { ownerId: grant.patientId, grantId } : null, now);
    throw error;
  }
}

/** Where the next page of a grant's records starts: after this record id. */
const sharedCursorSchema = z.strictObject({ r: uuid });

/**
 * A clinician's fetch of one page of the records under one grant (by record id; see
 * `recordsUnderGrant`): refused and audited, or audited before anything is returned as what
 * the server saw, one list: a single records-received event naming every record of the page
 * (not an "opened" per record: which ones the clinician then reads happens in their browser,
 * unseen). The read and its event share one transaction. Also returns the cursor of the next
 * page (null on the last) and how many records the grant opens.
 * Throws AppError "not-found" (no such active grant of this clinician), "invalid-input" (a
 * cursor this server did not hand out).
 */
export async function fetchSharedRecords(db: Database, clinicianId: string, grantId: string, now: Date = new Date(), request: PageRequest = {}) {
  const grant = await activeGrantAudited(db, clinicianId, grantId, now);
  const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor, sharedCursorSchema).r;
  return db.transaction(async (tx) => {
    const [rows, total] = await Promise.all([recordsUnderGrant(tx, grantId, now, { after, rows: rowsToRead(request.limit) }), countUnderGrant(tx, grantId)]);
    const { page, more } = pageWithin(rows, request.limit, (row) => row.served?.paddedSize ?? 0);
    const served = page.flatMap((row) => (row.served ? [row.served] : []));
    await appendAudit(tx, [
      {
        subjectId: grant.patientId,
        actorId: clinicianId,
        action: "records-received",
        recordIds: served.map((record) => record.id),
        grantId,
        outcome: "success",
      },
    ]);
    const last = page[page.length - 1];
    return { records: served, nextCursor: more && last ? encodeCursor({ r: last.id }) : null, total };
  });
}

/**
 * About how many records a grant opens: its wraps, read from the index alone. A grant's wraps
 * are of current keys (a rotation deletes the old key's), so this is exact but for a rotation
 * under way.
 */
async function countUnderGrant(db: Executor, grantId: string): Promise<number> {
  const [row] = await db.select({ total: count() }).from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId));
  return row?.total ?? 0;
}

/**
 * The records a clinician may open under an active grant, by record id, each with its wrap
 * under the grant's share key and its current version's padded size: all of them, or
 * `page.rows` of the grant's wraps after record `page.after` (a wrap not of its record's
 * current key, which no committed state holds, is read but not returned, so a page never ends
 * early). Reading from the start notes when the grant was last opened (a later page of the
 * same list does not write again).
 */
export async function recordsUnderGrant(db: Executor, grantId: string, now: Date = new Date(), page: { after?: string; rows?: number } = {}) {
  if (page.after === undefined) await db.update(grants).set({ lastOpenedAt: now }).where(eq(grants.id, grantId));
  // The page's wraps from the index (grant_id, record_id) alone, then their records: the join
  // never runs over every record of the grant, whatever the planner knows of the tables.
  const wrapsQuery = db
    .select({ recordId: recordKeyWraps.recordId, keyVersion: recordKeyWraps.keyVersion, wrappedKey: recordKeyWraps.wrappedKey })
    .from(recordKeyWraps)
    .where(and(eq(recordKeyWraps.grantId, grantId), page.after === undefined ? undefined : gt(recordKeyWraps.recordId, page.after)))
    .orderBy(asc(recordKeyWraps.recordId));
  const pageWraps = (page.rows === undefined ? wrapsQuery : wrapsQuery.limit(literalLimit(page.rows))).as("page_wraps");
  const rows = await db
    .select({
      wrapRecordId: pageWraps.recordId,
      id: records.id,
      keyVersion: records.keyVersion,
      currentVersion: records.currentVersion,
      updatedAt: records.updatedAt,
      wrappedKey: pageWraps.wrappedKey,
      paddedSize: recordVersions.paddedSize,
      // The current version the page serves, from the row the join reads anyway (not a query of its own).
      blobId: recordVersions.blobId,
      version: recordVersions.version,
      versionKeyVersion: recordVersions.keyVersion,
      authorId: recordVersions.authorId,
      content: recordVersions.contentCiphertext,
      commitment: recordVersions.commitment,
      signature: recordVersions.signature,
      createdAt: recordVersions.createdAt,
    })
    .from(pageWraps)
    .leftJoin(records, and(eq(records.id, pageWraps.recordId), eq(records.keyVersion, pageWraps.keyVersion)))
    .leftJoin(recordVersions, and(eq(recordVersions.recordId, records.id), eq(recordVersions.version, records.currentVersion)))
    .orderBy(asc(pageWraps.recordId));
  return rows.map((row) => {
    const { id, keyVersion, currentVersion, updatedAt, paddedSize, version, versionKeyVersion, authorId, content, commitment, signature, createdAt } = row;
    if (id === null || keyVersion === null || currentVersion === null || updatedAt === null || paddedSize === null)
      return { id: row.wrapRecordId, served: null };
    // Not null once its record's row joined (the version's columns are); the check narrows the left join's types.
    if (
      version === null ||
      versionKeyVersion === null ||
      authorId === null ||
      content === null ||
      commitment === null ||
      signature === null ||
      createdAt === null
    )
      return { id: row.wrapRecordId, served: null };
    const current: StoredVersion = { blobId: row.blobId, version, keyVersion: versionKeyVersion, authorId, content, commitment, signature, createdAt };
    return { id, served: { id, keyVersion, currentVersion, updatedAt, wrappedKey: row.wrappedKey, paddedSize, current } };
  });
}

/** Whether a clinician holds, under an active grant, the current key of the record that carries a file. */
export async function clinicianMayReadBlob(db: Database, clinicianId: string, blobId: string, now: Date = new Date()): Promise<boolean> {
  const rows = await db
    .select({ grantId: grants.id })
    .from(recordVersions)
    .innerJoin(records, eq(records.id, recordVersions.recordId))
    .innerJoin(recordKeyWraps, and(eq(recordKeyWraps.recordId, records.id), eq(recordKeyWraps.keyVersion, records.keyVersion)))
    .innerJoin(grants, eq(grants.id, recordKeyWraps.grantId))
    .where(and(eq(recordVersions.blobId, blobId), granteeIs(clinicianId), servingGrant(now)))
    .limit(1);
  return rows.length > 0;
}
