import "server-only";
import { cryptoReady } from "@/crypto";
import type { DirectoryStatementRequest } from "@/contract/directory";
import { requireFreshProof } from "@/lib/auth/fresh-proof";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireSession } from "@/lib/sessions/current-session";
import { adminDirectory, adminKeys, recordStatement } from "./verification-store";

async function requireAdministrator() {
  const session = await requireSession();
  if (session.role !== "admin") throw new AppError("forbidden", "Only administrators verify directory entries.");
  return session;
}

/** The deployment's administrator keys, for every signed-in person's browser to pin (they are what verification statements are checked against). */
export async function publishedAdminKeys() {
  await requireSession();
  const { db } = await getDatabase();
  return { admins: await adminKeys(db) };
}

/** Administrators only (403 otherwise): the clinicians' entries and their latest statements. */
export async function directoryForAdmin() {
  await requireAdministrator();
  const { db } = await getDatabase();
  return adminDirectory(db);
}

/**
 * Administrators only (403 otherwise), with a passkey assertion in the last few minutes
 * (403 fresh-proof-required): stores a signed verification or revocation (see `recordStatement`).
 */
export async function recordDirectoryStatement(clinicianId: string, request: DirectoryStatementRequest) {
  const session = await requireAdministrator();
  requireFreshProof(session);
  await cryptoReady();
  const { db } = await getDatabase();
  return recordStatement(db, session.userId, clinicianId, request);
}
