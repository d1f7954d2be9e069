import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { careTeams, grantExclusions, grantRecords, grants, recordKeyWraps } from "@/drizzle/schema";
import type { Database, Executor } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/audit-log";
import { crashPoint } from "@/lib/crash-points";
import { activeGrant, awaitingRenewal, endGrant, notEmergency } from "@/lib/records/grant-coverage";
import { lockCareTeam, lockOwnedRecords } from "@/lib/db/row-locks";

/**
 * Renewing a grant to a care team after a member left it. A grant's share key is derived from
 * the patient's vault key and the grant id (crypto/share-key.ts), so re-sealing it to the team's
 * new key (team-store.ts `updateReseals`) does not take it from the member who left: they may
 * have kept it. The patient's browser therefore makes a successor grant — a new id, hence a new
 * share key, sealed to the team's current certified key; the same team, records, permission and
 * end date; a new signed statement; every covered record key wrapped under the new share key —
 * and the server stores it and ends the old grant in one transaction, the successor pointing at
 * it (`renewsGrantId`), so the patient's list shows one continuing share.
 */

/** A successor grant as the patient's browser seals it: its terms are the old grant's, copied by the server. */
export interface GrantRenewal {
  grantId: string;
  /** The team key version the new share key is sealed to: the team's current one. */
  teamKeyVersion: number;
  sealedShareKey: Uint8Array;
  statement: Uint8Array;
  signature: Uint8Array;
  sealedProfile: Uint8Array | null;
  /** For a "records" grant the records it lists (those of the old grant, or fewer); empty for "all". */
  recordIds: string[];
  /** One wrap per record the successor covers, at its current key version: no more, no fewer. */
  wraps: Array<{ recordId: string; keyVersion: number; wrappedKey: Uint8Array }>;
}

/**
 * The patient's active grants to care teams that lost a member since their share key was made
 * (`awaitingRenewal`), oldest first, each with its terms and whether its team has its new key
 * yet (`ready`: a renewal before that would seal to a key the member who left holds).
 */
export async function grantsToRenew(db: Executor, patientId: string, now: Date = new Date()) {
  const rows = await db
    .select({
      id: grants.id,
      teamId: grants.teamId,
      scope: grants.scope,
      permission: grants.permission,
      expiresAt: grants.expiresAt,
      revision: grants.revision,
      statement: grants.statement,
      signature: grants.signature,
      sealedProfile: grants.sealedProfile,
      needsNewKey: careTeams.needsNewKey,
    })
    .from(grants)
    .innerJoin(careTeams, eq(careTeams.id, grants.teamId))
    .where(and(eq(grants.patientId, patientId), activeGrant(now), awaitingRenewal, notEmergency))
    .orderBy(asc(grants.createdAt), asc(grants.id));
  const ids = rows.map((row) => row.id);
  const [listed, excluded] = ids.length
    ? await Promise.all([
        db.select().from(grantRecords).where(inArray(grantRecords.grantId, ids)),
        db.select().from(grantExclusions).where(inArray(grantExclusions.grantId, ids)),
      ])
    : [[], []];
  return rows.map(({ needsNewKey, ...row }) => ({
    ...row,
    teamId: row.teamId!,
    ready: !needsNewKey,
    recordIds: listed.filter((entry) => entry.grantId === row.id).map((entry) => entry.recordId),
    excludedRecordIds: excluded.filter((entry) => entry.grantId === row.id).map((entry) => entry.recordId),
  }));
}

/**
 * Renews one grant to a care team, in one transaction: the successor is stored with the old
 * grant's team, scope, permission, end date, records (or exclusions, for "all") and start date,
 * its wraps checked to cover exactly its records at their current key versions; the old grant
 * ends as a revocation does (share key and wraps deleted, its records queued for key rotation);
 * one `grant-renewed` event joins the patient's trail (no revocation, no new share).
 *
 * Idempotent: the same successor sent again (a retried request, or a crash after the commit)
 * changes nothing and answers `renewed: false`, so there is never a second successor (the
 * column is unique) nor a share lost (the old grant ends only in the successor's transaction).
 *
 * @throws AppError not-found (not this patient's grant), invalid-input (not a team grant; a
 *   record the old grant does not list), conflict (renewed already by another successor,
 *   ended, needs no renewal, the team's key is being replaced or moved on, the id is taken, or
 *   the wraps do not match the records).
 */
export async function renewTeamGrant(
  db: Database,
  patientId: string,
  oldGrantId: string,
  renewal: GrantRenewal,
  now: Date = new Date(),
): Promise<{ renewed: boolean }> {
  const result = await db.transaction(async (tx) => {
    const [old] = await tx
      .select()
      .from(grants)
      .where(and(eq(grants.id, oldGrantId), eq(grants.patientId, patientId)))
      .for("update");
    if (!old) throw new AppError("not-found", "There is no such grant.");
    const [successor] = await tx.select({ id: grants.id, statement: grants.statement }).from(grants).where(eq(grants.renewsGrantId, oldGrantId));
    if (successor) {
      if (successor.id === renewal.grantId && Buffer.from(successor.statement).equals(Buffer.from(renewal.statement))) return { renewed: false };
      throw new AppError("conflict", "This share was renewed already, perhaps on another device.");
    }
    if (!old.teamId) throw new AppError("invalid-input", "Only a share with a care team is renewed.");
    if (old.revokedAt || (old.expiresAt && old.expiresAt <= now)) throw new AppError("conflict", "This share has ended.");
    const team = await lockCareTeam(tx, old.teamId);
    if (!team) throw new AppError("conflict", "This share has ended.");
    if (!team.needsNewKey && team.keyVersion <= (old.shareKeyTeamVersion ?? 0)) throw new AppError("conflict", "This share's key is current.");
    if (team.needsNewKey || renewal.teamKeyVersion !== team.keyVersion) {
      throw new AppError("conflict", "The team's key is being replaced. Please try again in a moment.");
    }
    const [taken] = await tx.select({ id: grants.id }).from(grants).where(eq(grants.id, renewal.grantId));
    if (taken) throw new AppError("conflict", "A different grant with this id already exists.");

    // Locking the patient's records keeps the successor's coverage exact while it is written.
    const owned = await lockOwnedRecords(tx, patientId);
    const keyVersions = new Map(owned.map((record) => [record.id, record.keyVersion]));
    const [listed, excluded] = await Promise.all([
      tx.select({ recordId: grantRecords.recordId }).from(grantRecords).where(eq(grantRecords.grantId, oldGrantId)),
      tx.select({ recordId: grantExclusions.recordId }).from(grantExclusions).where(eq(grantExclusions.grantId, oldGrantId)),
    ]);
    const excludedIds = new Set(excluded.map((row) => row.recordId));
    const listedIds = new Set(listed.map((row) => row.recordId));
    let covered: string[];
    if (old.scope === "all") {
      if (renewal.recordIds.length > 0) throw new AppError("invalid-input", "A share of all records lists no records.");
      covered = owned.map((record) => record.id).filter((id) => !excludedIds.has(id));
    } else {
      covered = [...new Set(renewal.recordIds)];
      if (covered.length === 0) throw new AppError("invalid-input", "Choose at least one record to share.");
      if (covered.some((id) => !listedIds.has(id) || !keyVersions.has(id)))
        throw new AppError("invalid-input", "A renewed share lists only records the share listed.");
    }
    const offered = new Set(renewal.wraps.map((wrap) => `${wrap.recordId}:${wrap.keyVersion}`));
    const expected = new Set(covered.map((id) => `${id}:${keyVersions.get(id)}`));
    if (offered.size !== renewal.wraps.length || offered.size !== expected.size || [...expected].some((key) => !offered.has(key))) {
      throw new AppError("conflict", "Your records changed while the share was renewed. It will be tried again.");
    }

    await tx.insert(grants).values({
      id: renewal.grantId,
      patientId,
      clinicianId: null,
      teamId: old.teamId,
      teamKeyVersion: team.keyVersion,
      shareKeyTeamVersion: team.keyVersion,
      scope: old.scope,
      permission: old.permission,
      expiresAt: old.expiresAt,
      sealedShareKey: renewal.sealedShareKey,
      statement: renewal.statement,
      signature: renewal.signature,
      sealedProfile: renewal.sealedProfile,
      // One continuing share: it began when the first grant was made, and was last opened when that one was.
      createdAt: old.createdAt,
      lastOpenedAt: old.lastOpenedAt,
      renewsGrantId: oldGrantId,
      renewedAt: now,
    });
    if (old.scope === "records") await tx.insert(grantRecords).values(covered.map((recordId) => ({ grantId: renewal.grantId, recordId })));
    else if (excludedIds.size > 0) await tx.insert(grantExclusions).values([...excludedIds].map((recordId) => ({ grantId: renewal.grantId, recordId })));
    if (renewal.wraps.length > 0) {
      await tx.insert(recordKeyWraps).values(renewal.wraps.map((wrap) => ({ id: randomUUID(), grantId: renewal.grantId, ...wrap })));
    }
    // The old share key and its wraps go now; the records they opened move to new keys, wrapped for the successor only.
    await endGrant(tx, oldGrantId, patientId, now);
    await appendAudit(tx, [{ subjectId: patientId, actorId: patientId, action: "grant-renewed", grantId: renewal.grantId, outcome: "success" }], now);
    crashPoint("grants.renew.before-commit");
    return { renewed: true };
  });
  crashPoint("grants.renew.after-commit");
  return result;
}

/** Whether the grant awaits renewal (its team lost a member since its share key was made): it cannot be changed until renewed. */
export async function isAwaitingRenewal(db: Executor, grantId: string): Promise<boolean> {
  const rows = await db
    .select({ id: grants.id })
    .from(grants)
    .where(and(eq(grants.id, grantId), isNull(grants.revokedAt), awaitingRenewal));
  return rows.length > 0;
}
