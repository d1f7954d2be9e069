import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, sql, type SQL } from "drizzle-orm";
import {
  careTeamKeySeals,
  careTeamKeys,
  careTeamMembers,
  careTeams,
  clinicianDirectory,
  grants,
  keyCertificates,
  organizationAdminStatements,
  organizationAdmins,
  organizations,
  recordKeyWraps,
  users,
} from "@/drizzle/schema";
import type { Executor, Transaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { activeGrant, queueRotations } from "@/lib/records/grant-coverage";
import { lockCareTeam } from "@/lib/db/row-locks";

/**
 * Organizations, care teams and their keys, as stored (the services in team-service.ts decide
 * who may call what). The server keeps each team key version's certified public key and the
 * private key sealed to each member and organization administrator; it can open none of them.
 */

const noSuchTeam = () => new AppError("not-found", "There is no such team.");

/** A team key version as the browser that made it sends it (crypto/team-key.ts), with the private key sealed to each holder. */
export interface NewTeamKey {
  keyVersion: number;
  publicKey: Uint8Array;
  signedAt: number;
  signature: Uint8Array;
  seals: Array<{ userId: string; sealedKey: Uint8Array }>;
}

/** Whether the user administers the organization. */
export async function isOrganizationAdmin(db: Executor, userId: string, organizationId: string): Promise<boolean> {
  const rows = await db
    .select({ userId: organizationAdmins.userId })
    .from(organizationAdmins)
    .where(and(eq(organizationAdmins.organizationId, organizationId), eq(organizationAdmins.userId, userId)));
  return rows.length > 0;
}

/** The team, locked for the rest of the transaction. Throws AppError "not-found". */
async function lockedTeam(tx: Transaction, teamId: string) {
  const team = await lockCareTeam(tx, teamId);
  if (!team) throw noSuchTeam();
  return team;
}

/**
 * Who must hold a team's private key: its members and its organization's administrators
 * (who re-seal after a member leaves), each with a current certified key.
 */
export async function keyHoldersOf(db: Executor, teamId: string, organizationId: string): Promise<string[]> {
  const [members, admins] = await Promise.all([
    db.select({ userId: careTeamMembers.userId }).from(careTeamMembers).where(eq(careTeamMembers.teamId, teamId)),
    db.select({ userId: organizationAdmins.userId }).from(organizationAdmins).where(eq(organizationAdmins.organizationId, organizationId)),
  ]);
  return [...new Set([...members, ...admins].map((row) => row.userId))];
}

/** Refuses members who are not doctors or nurses with an administrator-verified directory entry and current keys. */
async function checkVerifiedClinicians(db: Executor, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .innerJoin(clinicianDirectory, eq(clinicianDirectory.userId, users.id))
    .innerJoin(keyCertificates, and(eq(keyCertificates.userId, users.id), isNull(keyCertificates.supersededAt)))
    .where(and(inArray(users.id, userIds), isNull(users.disabledAt), isNotNull(clinicianDirectory.verifiedAt), inArray(users.role, ["doctor", "nurse"])));
  if (new Set(rows.map((row) => row.id)).size !== new Set(userIds).size) {
    throw new AppError("invalid-input", "Only doctors and nurses whose directory entry an administrator verified can join a care team.");
  }
}

/** A user's current identity public key (from their current key certificate), or null without one. */
async function identityKeyOf(db: Executor, userId: string): Promise<Uint8Array | null> {
  const [row] = await db
    .select({ identityPublicKey: keyCertificates.identityPublicKey })
    .from(keyCertificates)
    .where(and(eq(keyCertificates.userId, userId), isNull(keyCertificates.supersededAt)))
    .orderBy(desc(keyCertificates.createdAt))
    .limit(1);
  return row?.identityPublicKey ?? null;
}

/**
 * The latest deployment administrator's statement naming `adminId`, with exactly this identity
 * key, an administrator of the organization: the chain a team key version they make is served
 * with. Null when there is none (a member, or an organization made before statements).
 */
async function chainStatementFor(db: Executor, organizationId: string, adminId: string, identityPublicKey: Uint8Array): Promise<string | null> {
  const rows = await db
    .select({ id: organizationAdminStatements.id, adminIdentityPublicKey: organizationAdminStatements.adminIdentityPublicKey })
    .from(organizationAdminStatements)
    .where(and(eq(organizationAdminStatements.organizationId, organizationId), eq(organizationAdminStatements.adminId, adminId)))
    .orderBy(desc(organizationAdminStatements.issuedAt));
  return rows.find((row) => Buffer.from(row.adminIdentityPublicKey).equals(Buffer.from(identityPublicKey)))?.id ?? null;
}

/**
 * Stores a key version after checking its seals cover exactly the team's key holders, with the
 * maker's identity key and the statement that certifies them for the organization (if any), so
 * the version can be checked up the chain, and after the maker's account is gone.
 */
async function storeTeamKey(tx: Transaction, team: { id: string; organizationId: string }, makerId: string, key: NewTeamKey, holders: string[]): Promise<void> {
  const sealedTo = new Set(key.seals.map((seal) => seal.userId));
  if (sealedTo.size !== key.seals.length || sealedTo.size !== holders.length || holders.some((id) => !sealedTo.has(id))) {
    throw new AppError("conflict", "The team's members or administrators changed meanwhile. Please try again.");
  }
  const makerIdentityPublicKey = await identityKeyOf(tx, makerId);
  if (!makerIdentityPublicKey) throw new AppError("conflict", "Your keys changed meanwhile. Please reload the page and try again.");
  const chainStatementId = await chainStatementFor(tx, team.organizationId, makerId, makerIdentityPublicKey);
  await tx.insert(careTeamKeys).values({
    teamId: team.id,
    keyVersion: key.keyVersion,
    publicKey: key.publicKey,
    makerId,
    signedAt: key.signedAt,
    signature: key.signature,
    makerIdentityPublicKey,
    chainStatementId,
  });
  await tx
    .insert(careTeamKeySeals)
    .values(key.seals.map((seal) => ({ teamId: team.id, keyVersion: key.keyVersion, userId: seal.userId, sealedKey: seal.sealedKey })));
}

/** A deployment administrator's statement naming one organization administrator, as their browser signed it (the rest of its fields are the request's). */
export interface NewOrganizationAdminStatement {
  id: string;
  adminId: string;
  adminIdentityPublicKey: Uint8Array;
  signerName: string;
  issuedAt: number;
  signature: Uint8Array;
}

/**
 * Creates an organization and names its administrators (any accounts with current keys), with
 * the creator's signed statement for each (stored as signed: patients' browsers check them;
 * the identity key each names must be the administrator's current one).
 * Throws AppError "invalid-input" for an administrator without an account or keys, or without
 * exactly one statement; "conflict" for a reused id or a statement naming another identity key.
 */
export async function insertOrganization(
  tx: Transaction,
  creatorId: string,
  organization: { id: string; name: string; administratorIds: string[]; statements: NewOrganizationAdminStatement[] },
) {
  const ids = [...new Set(organization.administratorIds)];
  const found = await tx
    .select({ id: users.id, identityPublicKey: keyCertificates.identityPublicKey })
    .from(users)
    .innerJoin(keyCertificates, and(eq(keyCertificates.userId, users.id), isNull(keyCertificates.supersededAt)))
    .where(and(inArray(users.id, ids), isNull(users.disabledAt)));
  if (new Set(found.map((row) => row.id)).size !== ids.length) throw new AppError("invalid-input", "Every administrator must be an account in use.");
  const statementOf = new Map(organization.statements.map((statement) => [statement.adminId, statement]));
  if (organization.statements.length !== ids.length || ids.some((id) => !statementOf.has(id))) {
    throw new AppError("invalid-input", "Each administrator needs exactly one signed statement.");
  }
  for (const row of found) {
    if (!Buffer.from(row.identityPublicKey).equals(Buffer.from(statementOf.get(row.id)!.adminIdentityPublicKey))) {
      throw new AppError("conflict", "An administrator's keys changed meanwhile. Please try again.");
    }
  }
  const inserted = await tx
    .insert(organizations)
    .values({ id: organization.id, name: organization.name, createdBy: creatorId })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0) throw new AppError("conflict", "An organization with this id already exists.");
  await tx.insert(organizationAdmins).values(ids.map((userId) => ({ organizationId: organization.id, userId })));
  await tx.insert(organizationAdminStatements).values(
    organization.statements.map((statement) => ({
      ...statement,
      organizationId: organization.id,
      organizationName: organization.name,
      signerId: creatorId,
    })),
  );
}

/**
 * Creates a care team with its first key (version 1) and members, in one transaction. The key
 * must be sealed to exactly the members and the organization's administrators.
 */
export async function insertTeam(
  tx: Transaction,
  makerId: string,
  team: { id: string; organizationId: string; name: string; memberIds: string[]; key: NewTeamKey },
): Promise<void> {
  if (team.key.keyVersion !== 1) throw new AppError("invalid-input", "A new team's key is version 1.");
  const memberIds = [...new Set(team.memberIds)];
  await checkVerifiedClinicians(tx, memberIds);
  const inserted = await tx
    .insert(careTeams)
    .values({ id: team.id, organizationId: team.organizationId, name: team.name, keyVersion: 1 })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0) throw new AppError("conflict", "A team with this id already exists.");
  if (memberIds.length > 0) await tx.insert(careTeamMembers).values(memberIds.map((userId) => ({ teamId: team.id, userId })));
  await storeTeamKey(tx, team, makerId, team.key, await keyHoldersOf(tx, team.id, team.organizationId));
}

/**
 * Adds a verified clinician to a team, with the team's current key sealed to them. Adding a
 * member again changes nothing. Refused (conflict) while the team waits for a new key.
 */
export async function insertMember(
  tx: Transaction,
  teamId: string,
  member: { userId: string; keyVersion: number; sealedKey: Uint8Array },
  now: Date = new Date(),
): Promise<string[] | null> {
  const team = await lockedTeam(tx, teamId);
  await checkVerifiedClinicians(tx, [member.userId]);
  if (team.needsNewKey || member.keyVersion !== team.keyVersion) throw new AppError("conflict", "The team's key changed meanwhile. Please try again.");
  const added = await tx.insert(careTeamMembers).values({ teamId, userId: member.userId }).onConflictDoNothing().returning();
  if (added.length === 0) return null;
  await tx
    .insert(careTeamKeySeals)
    .values({ teamId, keyVersion: team.keyVersion, userId: member.userId, sealedKey: member.sealedKey })
    .onConflictDoUpdate({ target: [careTeamKeySeals.teamId, careTeamKeySeals.keyVersion, careTeamKeySeals.userId], set: { sealedKey: member.sealedKey } });
  // Whoever joins can open what the team's patients share from now on: each of them is told.
  const sharing = await tx
    .selectDistinct({ patientId: grants.patientId })
    .from(grants)
    .where(and(eq(grants.teamId, teamId), activeGrant(now)));
  return sharing.map((row) => row.patientId);
}

/**
 * Removes a member in one transaction: their membership and every team key sealed to them go
 * (the server serves them nothing of the team's from this commit on), the team is marked as
 * needing a new key, and the records the team's active grants open are queued for key rotation
 * in their patients' charts, as after a revoke. Returns the patients whose records were queued;
 * removing someone who is not a member changes nothing (an empty list).
 */
export async function deleteMember(tx: Transaction, teamId: string, userId: string, now: Date = new Date()): Promise<string[] | null> {
  await lockedTeam(tx, teamId);
  const removed = await tx
    .delete(careTeamMembers)
    .where(and(eq(careTeamMembers.teamId, teamId), eq(careTeamMembers.userId, userId)))
    .returning();
  if (removed.length === 0) return null;
  await tx.delete(careTeamKeySeals).where(and(eq(careTeamKeySeals.teamId, teamId), eq(careTeamKeySeals.userId, userId)));
  await tx.update(careTeams).set({ needsNewKey: true }).where(eq(careTeams.id, teamId));
  const opened = await tx
    .select({ patientId: grants.patientId, recordId: recordKeyWraps.recordId })
    .from(recordKeyWraps)
    .innerJoin(grants, eq(grants.id, recordKeyWraps.grantId))
    .where(and(eq(grants.teamId, teamId), activeGrant(now)));
  const byPatient = new Map<string, string[]>();
  for (const row of opened) byPatient.set(row.patientId, [...(byPatient.get(row.patientId) ?? []), row.recordId]);
  for (const [patientId, recordIds] of byPatient) await queueRotations(tx, patientId, recordIds);
  return [...byPatient.keys()];
}

/**
 * Stores the team's next key version, made by a remaining member's or an administrator's
 * browser after a removal, sealed to exactly the current key holders. Re-sending the same
 * version changes nothing; any other version than the next one, or a team that needs no new
 * key, is a conflict.
 */
export async function insertNextTeamKey(tx: Transaction, teamId: string, makerId: string, key: NewTeamKey): Promise<void> {
  const team = await lockedTeam(tx, teamId);
  if (key.keyVersion === team.keyVersion && !team.needsNewKey) {
    const [stored] = await tx
      .select({ signature: careTeamKeys.signature })
      .from(careTeamKeys)
      .where(and(eq(careTeamKeys.teamId, teamId), eq(careTeamKeys.keyVersion, key.keyVersion)));
    if (stored && Buffer.from(stored.signature).equals(Buffer.from(key.signature))) return;
  }
  if (!team.needsNewKey || key.keyVersion !== team.keyVersion + 1) throw new AppError("conflict", "The team's key changed meanwhile. Please try again.");
  await storeTeamKey(tx, team, makerId, key, await keyHoldersOf(tx, teamId, team.organizationId));
  await tx.update(careTeams).set({ keyVersion: key.keyVersion, needsNewKey: false }).where(eq(careTeams.id, teamId));
}

/** Up to `limit` active grants to the team whose share key is still sealed to an older team key, oldest version first. */
export async function grantsToReseal(db: Executor, teamId: string, currentVersion: number, limit: number, now: Date = new Date()) {
  return db
    .select({ grantId: grants.id, teamKeyVersion: grants.teamKeyVersion, sealedShareKey: grants.sealedShareKey })
    .from(grants)
    .where(and(eq(grants.teamId, teamId), lt(grants.teamKeyVersion, currentVersion), activeGrant(now), isNotNull(grants.sealedShareKey)))
    .orderBy(asc(grants.teamKeyVersion), asc(grants.id))
    .limit(limit);
}

/**
 * Replaces share keys sealed to an older team key with ones sealed to the current key version.
 * A grant already at that version (a retried batch) or ended meanwhile is skipped. Returns how
 * many grants changed.
 */
export async function updateReseals(
  tx: Transaction,
  teamId: string,
  keyVersion: number,
  reseals: Array<{ grantId: string; sealedShareKey: Uint8Array }>,
  now: Date = new Date(),
): Promise<number> {
  const team = await lockedTeam(tx, teamId);
  if (keyVersion !== team.keyVersion || team.needsNewKey) throw new AppError("conflict", "The team's key changed meanwhile. Please try again.");
  let changed = 0;
  for (const reseal of reseals) {
    const rows = await tx
      .update(grants)
      .set({ sealedShareKey: reseal.sealedShareKey, teamKeyVersion: keyVersion })
      .where(and(eq(grants.id, reseal.grantId), eq(grants.teamId, teamId), lt(grants.teamKeyVersion, keyVersion), activeGrant(now)))
      .returning({ id: grants.id });
    changed += rows.length;
  }
  return changed;
}

/**
 * Checks a new grant's team: it exists, and the share key is sealed to its current key (not
 * while it waits for a new one: a removed member could open a share key sealed to the old).
 */
export async function checkTeamGrantee(db: Executor, teamId: string, teamKeyVersion: number): Promise<void> {
  const [team] = await db.select().from(careTeams).where(eq(careTeams.id, teamId));
  if (!team) throw new AppError("invalid-input", "Records can be shared only with a doctor, a nurse or a care team.");
  if (team.needsNewKey || team.keyVersion !== teamKeyVersion) throw new AppError("conflict", "The team's key is being replaced. Please try again in a moment.");
}

/** Every key version of a team (its certificates' fields and signatures), oldest first. */
export async function teamKeysOf(db: Executor, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  return db.select().from(careTeamKeys).where(inArray(careTeamKeys.teamId, teamIds)).orderBy(asc(careTeamKeys.keyVersion));
}

/** Organization administrator statements by id (the chains of team key versions). */
export async function organizationAdminStatementsOf(db: Executor, ids: Array<string | null>) {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map<string, typeof organizationAdminStatements.$inferSelect>();
  const rows = await db.select().from(organizationAdminStatements).where(inArray(organizationAdminStatements.id, wanted));
  return new Map(rows.map((row) => [row.id, row]));
}

/** The team key versions sealed to this user (as member or administrator). */
export async function sealsFor(db: Executor, teamId: string, userId: string) {
  return db
    .select({ keyVersion: careTeamKeySeals.keyVersion, sealedKey: careTeamKeySeals.sealedKey })
    .from(careTeamKeySeals)
    .where(and(eq(careTeamKeySeals.teamId, teamId), eq(careTeamKeySeals.userId, userId)))
    .orderBy(asc(careTeamKeySeals.keyVersion));
}

/** The organizations a user administers, each with its teams, their members and how far their key replacement has come. */
export async function organizationsAdministeredBy(db: Executor, userId: string, now: Date = new Date()) {
  const orgs = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .innerJoin(organizationAdmins, eq(organizationAdmins.organizationId, organizations.id))
    .where(eq(organizationAdmins.userId, userId))
    .orderBy(asc(organizations.name));
  const orgIds = orgs.map((org) => org.id);
  if (orgIds.length === 0) return [];
  const [admins, teams] = await Promise.all([
    db.select().from(organizationAdmins).where(inArray(organizationAdmins.organizationId, orgIds)),
    db.select().from(careTeams).where(inArray(careTeams.organizationId, orgIds)).orderBy(asc(careTeams.name)),
  ]);
  const teamIds = teams.map((team) => team.id);
  const [members, pending] = teamIds.length
    ? await Promise.all([
        db
          .select({ teamId: careTeamMembers.teamId, userId: careTeamMembers.userId, displayName: clinicianDirectory.displayName })
          .from(careTeamMembers)
          .leftJoin(clinicianDirectory, eq(clinicianDirectory.userId, careTeamMembers.userId))
          .where(inArray(careTeamMembers.teamId, teamIds)),
        db
          .select({ teamId: grants.teamId, count: sql<number>`count(*)::int` })
          .from(grants)
          .innerJoin(careTeams, eq(careTeams.id, grants.teamId))
          .where(and(inArray(grants.teamId, teamIds), lt(grants.teamKeyVersion, careTeams.keyVersion), activeGrant(now)))
          .groupBy(grants.teamId),
      ])
    : [[], []];
  return orgs.map((org) => ({
    id: org.id,
    name: org.name,
    administratorIds: admins.filter((admin) => admin.organizationId === org.id).map((admin) => admin.userId),
    teams: teams
      .filter((team) => team.organizationId === org.id)
      .map((team) => ({
        id: team.id,
        name: team.name,
        keyVersion: team.keyVersion,
        needsNewKey: team.needsNewKey,
        grantsToReseal: pending.find((row) => row.teamId === team.id)?.count ?? 0,
        members: members
          .filter((member) => member.teamId === team.id)
          .map((member) => ({ userId: member.userId, displayName: member.displayName ?? "Unknown clinician" })),
      })),
  }));
}

/** Teams whose name or organization's name contains the query, with their current key, for a patient's share form. */
export async function searchTeams(db: Executor, query: string, limit: number) {
  const pattern = `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return teamEntryRows(db, sql`(${careTeams.name} ilike ${pattern} or ${organizations.name} ilike ${pattern})`, limit);
}

/** These teams with their current key, as `searchTeams` finds them (a patient's browser renewing a grant seals to it). */
export async function teamsWithKeys(db: Executor, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  return teamEntryRows(db, inArray(careTeams.id, teamIds), teamIds.length);
}

function teamEntryRows(db: Executor, where: SQL | undefined, limit: number) {
  return db
    .select({
      teamId: careTeams.id,
      name: careTeams.name,
      organizationId: organizations.id,
      organizationName: organizations.name,
      keyVersion: careTeams.keyVersion,
      needsNewKey: careTeams.needsNewKey,
      publicKey: careTeamKeys.publicKey,
      makerId: careTeamKeys.makerId,
      signedAt: careTeamKeys.signedAt,
      signature: careTeamKeys.signature,
      makerIdentityPublicKey: careTeamKeys.makerIdentityPublicKey,
      chainStatementId: careTeamKeys.chainStatementId,
    })
    .from(careTeams)
    .innerJoin(organizations, eq(organizations.id, careTeams.organizationId))
    .innerJoin(careTeamKeys, and(eq(careTeamKeys.teamId, careTeams.id), eq(careTeamKeys.keyVersion, careTeams.keyVersion)))
    .where(where)
    .orderBy(asc(organizations.name), asc(careTeams.name))
    .limit(limit);
}

/** Teams' names with their organization's, by team id ("Cardiology team · Riverside Hospital"). */
export async function teamNamesOf(db: Executor, teamIds: string[]): Promise<Map<string, string>> {
  if (teamIds.length === 0) return new Map();
  const rows = await db
    .select({ id: careTeams.id, name: careTeams.name, organization: organizations.name })
    .from(careTeams)
    .innerJoin(organizations, eq(organizations.id, careTeams.organizationId))
    .where(inArray(careTeams.id, teamIds));
  return new Map(rows.map((row) => [row.id, `${row.name} · ${row.organization}`]));
}
