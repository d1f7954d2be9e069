import "server-only";
import { and, asc, desc, eq, inArray, isNull, or } from "drizzle-orm";
import { fromBase64url, isCryptoError, toBase64url, verifyDirectoryVerification } from "@/crypto";
import { clinicianDirectory, directoryVerifications, keyCertificates, users } from "@/drizzle/schema";
import type { Database, Executor } from "@/lib/db";
import {
  adminDirectoryCap,
  maxPublishedAdmins,
  type AdminDirectoryEntry,
  type AdminKey,
  type DirectoryStatement,
  type DirectoryStatementRequest,
} from "@/contract/directory";
import { AppError } from "@/lib/errors";
import { appendAdminEvent } from "@/lib/admin/admin-trail";
import { appendAudit } from "@/lib/audit/audit-log";

type StatementRow = typeof directoryVerifications.$inferSelect;

const served = (row: StatementRow): DirectoryStatement => ({
  id: row.id,
  action: row.action as DirectoryStatement["action"],
  displayName: row.displayName,
  specialty: row.specialty,
  organization: row.organization,
  licenceNumber: row.licenceNumber,
  adminId: row.adminId,
  adminName: row.adminName,
  issuedAt: row.issuedAt.getTime(),
  signature: toBase64url(row.signature),
});

/**
 * The latest statement (by the time it was signed, then by when it was stored) about each of
 * these clinicians, in one query whatever their number. Clinicians without one are absent.
 */
export async function latestStatementsOf(db: Executor, clinicianIds: string[]): Promise<Map<string, DirectoryStatement>> {
  const ids = [...new Set(clinicianIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([directoryVerifications.clinicianId])
    .from(directoryVerifications)
    .where(inArray(directoryVerifications.clinicianId, ids))
    .orderBy(directoryVerifications.clinicianId, desc(directoryVerifications.issuedAt), desc(directoryVerifications.createdAt));
  return new Map(rows.map((row) => [row.clinicianId, served(row)]));
}

/** The deployment's administrators' current identity keys and certificates (disabled administrators left out), oldest first. */
export async function adminKeys(db: Database): Promise<AdminKey[]> {
  const rows = await db
    .select({ userId: keyCertificates.userId, identityPublicKey: keyCertificates.identityPublicKey, certificate: keyCertificates.certificate })
    .from(keyCertificates)
    .innerJoin(users, eq(users.id, keyCertificates.userId))
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), isNull(keyCertificates.supersededAt)))
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(maxPublishedAdmins);
  return rows.map((row) => ({ userId: row.userId, identityPublicKey: toBase64url(row.identityPublicKey), certificate: toBase64url(row.certificate) }));
}

/** Every clinician's entry with the number they declared and their latest statement, by name; at most `adminDirectoryCap`. */
export async function adminDirectory(db: Database): Promise<{ clinicians: AdminDirectoryEntry[]; more: boolean }> {
  const rows = await db
    .select({
      userId: clinicianDirectory.userId,
      role: users.role,
      displayName: clinicianDirectory.displayName,
      specialty: clinicianDirectory.specialty,
      organization: clinicianDirectory.organization,
      declaredLicenceNumber: clinicianDirectory.licenceNumber,
      signedUpAt: users.createdAt,
      identityPublicKey: keyCertificates.identityPublicKey,
    })
    .from(clinicianDirectory)
    .innerJoin(users, eq(users.id, clinicianDirectory.userId))
    .innerJoin(keyCertificates, and(eq(keyCertificates.userId, clinicianDirectory.userId), isNull(keyCertificates.supersededAt)))
    .where(or(eq(users.role, "doctor"), eq(users.role, "nurse")))
    .orderBy(asc(clinicianDirectory.displayName), asc(clinicianDirectory.userId))
    .limit(adminDirectoryCap + 1);
  const shown = rows.slice(0, adminDirectoryCap);
  const latest = await latestStatementsOf(
    db,
    shown.map((row) => row.userId),
  );
  return {
    clinicians: shown.map((row) => ({
      ...row,
      role: row.role as "doctor" | "nurse",
      signedUpAt: row.signedUpAt.toISOString(),
      identityPublicKey: toBase64url(row.identityPublicKey),
      verification: latest.get(row.userId) ?? null,
    })),
    more: rows.length > adminDirectoryCap,
  };
}

const noSuchEntry = () => new AppError("not-found", "There is no such clinician.");

/**
 * Stores an administrator's signed statement about clinician `clinicianId`'s entry, after
 * checking what the server can: the entry it names is the clinician's current one, and the
 * signature verifies under the administrator's current identity key over the clinician's
 * current identity key (so nobody stores a statement that no browser would accept). Mirrors
 * it in clinician_directory.verified_at/by, which orders search results.
 * @throws AppError not-found for a clinician without a current entry and keys; conflict when
 *   the entry changed since the administrator looked (name, specialty or organization differ)
 *   or the statement id is taken; invalid-input for a verification without a number or a
 *   signature that does not verify.
 */
export async function recordStatement(db: Database, adminId: string, clinicianId: string, request: DirectoryStatementRequest): Promise<{ id: string }> {
  if (request.action === "verify" && request.licenceNumber === "") {
    throw new AppError("invalid-input", "Enter the licence or registry number you checked.", { fields: [{ path: "licenceNumber", message: "is required" }] });
  }
  const [entry] = await db
    .select({
      role: users.role,
      displayName: clinicianDirectory.displayName,
      specialty: clinicianDirectory.specialty,
      organization: clinicianDirectory.organization,
      identityPublicKey: keyCertificates.identityPublicKey,
    })
    .from(clinicianDirectory)
    .innerJoin(users, eq(users.id, clinicianDirectory.userId))
    .innerJoin(keyCertificates, and(eq(keyCertificates.userId, clinicianDirectory.userId), isNull(keyCertificates.supersededAt)))
    .where(eq(clinicianDirectory.userId, clinicianId));
  if (!entry || (entry.role !== "doctor" && entry.role !== "nurse")) throw noSuchEntry();
  if (entry.displayName !== request.displayName || entry.specialty !== request.specialty || entry.organization !== request.organization) {
    throw new AppError("conflict", "This entry changed since the page was loaded. Reload and check it again.");
  }
  const [admin] = await db
    .select({ identityPublicKey: keyCertificates.identityPublicKey })
    .from(keyCertificates)
    .where(and(eq(keyCertificates.userId, adminId), isNull(keyCertificates.supersededAt)));
  if (!admin) throw new AppError("forbidden", "Only administrators verify directory entries.");
  try {
    verifyDirectoryVerification(
      { ...request, statementId: request.id, clinicianId, clinicianIdentityPublicKey: entry.identityPublicKey, adminId },
      fromBase64url(request.signature),
      admin.identityPublicKey,
    );
  } catch (error) {
    if (!isCryptoError(error)) throw error;
    throw new AppError("invalid-input", "The statement's signature does not verify under your identity key.");
  }
  const issuedAt = new Date(request.issuedAt);
  const inserted = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(directoryVerifications)
      .values({
        id: request.id,
        clinicianId,
        adminId,
        action: request.action,
        displayName: request.displayName,
        specialty: request.specialty,
        organization: request.organization,
        licenceNumber: request.licenceNumber,
        adminName: request.adminName,
        issuedAt,
        signature: fromBase64url(request.signature),
      })
      .onConflictDoNothing()
      .returning({ id: directoryVerifications.id });
    if (rows.length === 0) return false;
    // In the administration trail and in the clinician's own, committed with the statement.
    const action = request.action === "verify" ? "directory-entry-verified" : "directory-verification-withdrawn";
    // On the server's clock: the statement's own time is the administrator's browser's.
    await appendAdminEvent(tx, { actorId: adminId, action, subjectId: clinicianId, outcome: "success" });
    await appendAudit(tx, [{ subjectId: clinicianId, actorId: adminId, action, outcome: "success" }]);
    const latest = (await latestStatementsOf(tx, [clinicianId])).get(clinicianId);
    const verified = latest?.action === "verify";
    await tx
      .update(clinicianDirectory)
      .set({ verifiedAt: verified ? new Date(latest.issuedAt) : null, verifiedBy: verified ? latest.adminId : null })
      .where(eq(clinicianDirectory.userId, clinicianId));
    return true;
  });
  if (!inserted) throw new AppError("conflict", "This statement was already stored.");
  return { id: request.id };
}
