import "server-only";
import type { z } from "zod";
import { cryptoReady, fromBase64url, toBase64url } from "@/crypto";
import type { newMemberSchema, newOrganizationSchema, newTeamSchema, NewTeamKeyJson } from "@/contract/teams";
import { resealBatchSize } from "@/contract/teams";
import { appendAdminEvent } from "@/lib/admin/admin-trail";
import { appendAudit } from "@/lib/audit/audit-log";
import { requireFreshProof } from "@/lib/auth/fresh-proof";
import { getDatabase, type Database, type Executor } from "@/lib/db";
import { publishedKeysOf } from "@/lib/directory/directory-store";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import { requireSession } from "@/lib/sessions/current-session";
import {
  deleteMember,
  grantsToReseal,
  insertMember,
  insertNextTeamKey,
  insertOrganization,
  insertTeam,
  isOrganizationAdmin,
  keyHoldersOf,
  organizationAdminStatementsOf,
  organizationsAdministeredBy,
  sealsFor,
  searchTeams,
  teamKeysOf,
  teamsWithKeys,
  updateReseals,
  type NewTeamKey,
} from "./team-store";
import { careTeams, grants, organizationAdmins } from "@/drizzle/schema";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";

/**
 * Organizations and care teams (/api/admin/organizations, /api/organizations, /api/teams):
 * a deployment administrator creates an organization and names its administrators; they create
 * teams and add or remove verified clinicians, each membership change with a fresh proof
 * (lib/auth/fresh-proof.ts); members and administrators fetch the team key sealed to them and
 * replace it after a removal. Who may call what is contract/roles.ts.
 */

async function signedIn() {
  const session = await requireSession();
  await cryptoReady();
  const { db } = await getDatabase();
  return { session, db };
}

const teamKeyOf = (key: NewTeamKeyJson): NewTeamKey => ({
  keyVersion: key.keyVersion,
  publicKey: fromBase64url(key.publicKey),
  signedAt: key.signedAt,
  signature: fromBase64url(key.signature),
  seals: key.seals.map((seal) => ({ userId: seal.userId, sealedKey: fromBase64url(seal.sealedKey) })),
});

/** The team, if the caller administers its organization. AppError "not-found" for no team, "forbidden" for anyone else. */
async function administeredTeam(db: Database, userId: string, teamId: string) {
  const [team] = await db.select().from(careTeams).where(eq(careTeams.id, teamId));
  if (!team) throw new AppError("not-found", "There is no such team.");
  if (!(await isOrganizationAdmin(db, userId, team.organizationId)))
    throw new AppError("forbidden", "Only the organization's administrators change its teams.");
  return team;
}

/** The team, if the caller is a member now or administers its organization; "forbidden" for anyone else. */
async function heldTeam(db: Database, userId: string, teamId: string) {
  const [team] = await db.select().from(careTeams).where(eq(careTeams.id, teamId));
  if (!team) throw new AppError("not-found", "There is no such team.");
  const holders = await keyHoldersOf(db, teamId, team.organizationId);
  if (!holders.includes(userId)) throw new AppError("forbidden", "Only the team's members and its organization's administrators hold its key.");
  return { team, holders };
}

/** POST /api/admin/organizations: a deployment administrator, with a fresh proof; into the administration trail. */
export async function createOrganization(body: z.infer<typeof newOrganizationSchema>) {
  const { session, db } = await signedIn();
  if (session.role !== "admin") throw new AppError("forbidden", "Only deployment administrators create organizations.");
  requireFreshProof(session);
  await db.transaction(async (tx) => {
    await insertOrganization(tx, session.userId, {
      ...body,
      statements: body.statements.map((statement) => ({
        ...statement,
        adminIdentityPublicKey: fromBase64url(statement.adminIdentityPublicKey),
        signature: fromBase64url(statement.signature),
      })),
    });
    await appendAdminEvent(tx, { actorId: session.userId, action: "organization-created", subjectId: body.id, outcome: "success" });
  });
  logger().info({ adminId: session.userId, organizationId: body.id }, "organization created");
  return { id: body.id };
}

/** GET /api/organizations: the organizations the caller administers (an empty list for everyone else). */
export async function myOrganizations() {
  const { session, db } = await signedIn();
  const organizations = await organizationsAdministeredBy(db, session.userId);
  const keys = await publishedKeysOf(
    db,
    organizations.flatMap((org) => org.administratorIds),
  );
  return {
    organizations: organizations.map(({ administratorIds, ...org }) => ({
      ...org,
      administrators: administratorIds.flatMap((id) => {
        const published = keys.get(id);
        return published ? [published] : [];
      }),
    })),
  };
}

/** POST /api/organizations/[id]/teams: an administrator of the organization, with a fresh proof. */
export async function createTeam(organizationId: string, body: z.infer<typeof newTeamSchema>) {
  const { session, db } = await signedIn();
  const [admin] = await db
    .select()
    .from(organizationAdmins)
    .where(and(eq(organizationAdmins.organizationId, organizationId), eq(organizationAdmins.userId, session.userId)));
  if (!admin) throw new AppError("forbidden", "Only the organization's administrators create its teams.");
  requireFreshProof(session);
  await db.transaction((tx) =>
    insertTeam(tx, session.userId, { id: body.id, organizationId, name: body.name, memberIds: body.memberIds, key: teamKeyOf(body.key) }),
  );
  return { id: body.id };
}

/** POST /api/teams/[id]/members: an administrator of the team's organization, with a fresh proof. */
export async function addMember(teamId: string, body: z.infer<typeof newMemberSchema>) {
  const { session, db } = await signedIn();
  await administeredTeam(db, session.userId, teamId);
  requireFreshProof(session);
  await db.transaction(async (tx) => {
    const patients = await insertMember(tx, teamId, { userId: body.userId, keyVersion: body.keyVersion, sealedKey: fromBase64url(body.sealedKey) });
    if (!patients) return;
    // The new member is the event's actor: the patient's History and notice name who can now open their records, and which team.
    const grantOf = await teamGrantOf(tx, teamId, patients);
    await appendAudit(
      tx,
      patients.map((patientId) => ({
        subjectId: patientId,
        actorId: body.userId,
        action: "team-member-added" as const,
        grantId: grantOf.get(patientId) ?? null,
        outcome: "success" as const,
      })),
    );
  });
}

/**
 * DELETE /api/teams/[id]/members/[userId]: an administrator of the team's organization, with a
 * fresh proof. The member is cut off in the same commit; each patient sharing with the team
 * sees it in their History, and their browser rotates the records' keys.
 */
export async function removeMember(teamId: string, userId: string) {
  const { session, db } = await signedIn();
  await administeredTeam(db, session.userId, teamId);
  requireFreshProof(session);
  await db.transaction(async (tx) => {
    const patients = await deleteMember(tx, teamId, userId);
    if (!patients) return;
    // Who left is the event's actor, as who joined is: the patient's History says "<name> left <team>", the
    // team named by one of the patient's grants to it (the trail page resolves it: lib/audit/trail-store.ts).
    const grantOf = await teamGrantOf(tx, teamId, patients);
    await appendAudit(
      tx,
      patients.map((patientId) => ({
        subjectId: patientId,
        actorId: userId,
        action: "team-member-removed" as const,
        grantId: grantOf.get(patientId) ?? null,
        outcome: "success" as const,
      })),
    );
  });
}

/** For each patient, the first of their grants to the team: what a team event names, so their History can name the team. */
async function teamGrantOf(db: Executor, teamId: string, patientIds: string[]): Promise<Map<string, string>> {
  if (patientIds.length === 0) return new Map();
  const shares = await db
    .select({ patientId: grants.patientId, grantId: grants.id })
    .from(grants)
    .where(and(eq(grants.teamId, teamId), inArray(grants.patientId, patientIds), isNull(grants.revokedAt)))
    .orderBy(asc(grants.createdAt), asc(grants.id));
  const grantOf = new Map<string, string>();
  for (const share of shares) if (!grantOf.has(share.patientId)) grantOf.set(share.patientId, share.grantId);
  return grantOf;
}

/** GET /api/teams/[id]/key: every key version's certificate, the versions sealed to the caller, and the holders of the next one. */
export async function teamKeys(teamId: string) {
  const { session, db } = await signedIn();
  const { team, holders } = await heldTeam(db, session.userId, teamId);
  const [certificates, seals] = await Promise.all([teamKeysOf(db, [teamId]), sealsFor(db, teamId, session.userId)]);
  const [keys, chains] = await Promise.all([
    publishedKeysOf(db, holders),
    organizationAdminStatementsOf(
      db,
      certificates.map((key) => key.chainStatementId),
    ),
  ]);
  return {
    teamId,
    organizationId: team.organizationId,
    keyVersion: team.keyVersion,
    needsNewKey: team.needsNewKey,
    certificates: certificates.flatMap((key) => certificateJson({ ...key, organizationId: team.organizationId }, chains)),
    seals: seals.map((seal) => ({ keyVersion: seal.keyVersion, sealedKey: toBase64url(seal.sealedKey) })),
    holders: holders.flatMap((id) => {
      const found = keys.get(id);
      return found ? [found] : [];
    }),
  };
}

type StatementRow = Awaited<ReturnType<typeof organizationAdminStatementsOf>> extends Map<string, infer Row> ? Row : never;

/**
 * A key version as browsers verify it: its certificate, the maker's identity key kept with it
 * and the statement that certifies the maker for the organization (null when none does). A
 * version with no maker key kept (one whose maker had no key when migration 0028 ran) is left out.
 */
function certificateJson(
  key: {
    teamId: string;
    organizationId: string;
    keyVersion: number;
    publicKey: Uint8Array;
    makerId: string;
    signedAt: number;
    signature: Uint8Array;
    makerIdentityPublicKey: Uint8Array | null;
    chainStatementId: string | null;
  },
  chains: Map<string, StatementRow>,
) {
  if (!key.makerIdentityPublicKey) return [];
  const chain = key.chainStatementId ? chains.get(key.chainStatementId) : undefined;
  return [
    {
      teamId: key.teamId,
      organizationId: key.organizationId,
      keyVersion: key.keyVersion,
      publicKey: toBase64url(key.publicKey),
      makerId: key.makerId,
      signedAt: key.signedAt,
      signature: toBase64url(key.signature),
      makerIdentityPublicKey: toBase64url(key.makerIdentityPublicKey),
      chain: chain
        ? {
            id: chain.id,
            organizationId: chain.organizationId,
            organizationName: chain.organizationName,
            adminId: chain.adminId,
            adminIdentityPublicKey: toBase64url(chain.adminIdentityPublicKey),
            signerId: chain.signerId,
            signerName: chain.signerName,
            issuedAt: chain.issuedAt,
            signature: toBase64url(chain.signature),
          }
        : null,
    },
  ];
}

/** POST /api/teams/[id]/keys: the next key version after a removal, from a member's or an administrator's browser. */
export async function nextTeamKey(teamId: string, body: NewTeamKeyJson) {
  const { session, db } = await signedIn();
  await heldTeam(db, session.userId, teamId);
  await db.transaction((tx) => insertNextTeamKey(tx, teamId, session.userId, teamKeyOf(body)));
}

/** GET /api/teams/[id]/reseals: the next batch of the team's grants still sealed to an older key. */
export async function teamGrantsToReseal(teamId: string) {
  const { session, db } = await signedIn();
  const { team } = await heldTeam(db, session.userId, teamId);
  const rows = await grantsToReseal(db, teamId, team.keyVersion, resealBatchSize);
  return {
    keyVersion: team.keyVersion,
    needsNewKey: team.needsNewKey,
    grants: rows.map((row) => ({ grantId: row.grantId, teamKeyVersion: row.teamKeyVersion!, sealedShareKey: toBase64url(row.sealedShareKey!) })),
  };
}

/** POST /api/teams/[id]/reseals: share keys re-sealed to the current team key. */
export async function resealTeamGrants(teamId: string, body: { keyVersion: number; reseals: Array<{ grantId: string; sealedShareKey: string }> }) {
  const { session, db } = await signedIn();
  await heldTeam(db, session.userId, teamId);
  const resealed = await db.transaction((tx) =>
    updateReseals(
      tx,
      teamId,
      body.keyVersion,
      body.reseals.map((reseal) => ({ grantId: reseal.grantId, sealedShareKey: fromBase64url(reseal.sealedShareKey) })),
    ),
  );
  return { resealed };
}

/** GET /api/teams?q=: care teams a patient can share with (at least three characters, at most twenty). */
export async function findTeams(query: string) {
  const { db } = await signedIn();
  const q = query.trim();
  if (q.length < 3) throw new AppError("invalid-input", "Type at least three characters.");
  return { teams: await withChains(db, await searchTeams(db, q, 20)) };
}

/** These teams as a patient's browser finds them to share with (`findTeams`), by id; a key version whose maker's key was not kept is left out. */
export const teamEntriesOf = async (db: Executor, teamIds: string[]) => withChains(db, await teamsWithKeys(db, teamIds));

async function withChains(db: Executor, rows: Awaited<ReturnType<typeof searchTeams>>) {
  const chains = await organizationAdminStatementsOf(
    db,
    rows.map((row) => row.chainStatementId),
  );
  return rows.flatMap((row) =>
    certificateJson({ ...row, teamId: row.teamId, keyVersion: row.keyVersion }, chains).map((certificate) => ({
      teamId: row.teamId,
      name: row.name,
      organizationName: row.organizationName,
      needsNewKey: row.needsNewKey,
      certificate,
    })),
  );
}

/** Whether an account administers any organization: the menu then links its Organization page. */
export async function administersAnOrganization(userId: string): Promise<boolean> {
  const { db } = await getDatabase();
  const rows = await db.select({ userId: organizationAdmins.userId }).from(organizationAdmins).where(eq(organizationAdmins.userId, userId)).limit(1);
  return rows.length > 0;
}
