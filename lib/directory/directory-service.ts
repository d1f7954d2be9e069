import "server-only";
import { and, asc, desc, eq, ilike, isNull, or, sql } from "drizzle-orm";
import { toBase64url } from "@/crypto";
import { clinicianDirectory, keyCertificates, users } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

export interface DirectoryEntry {
  userId: string;
  role: "doctor" | "nurse";
  displayName: string;
  specialty: string;
  organization: string;
  verified: boolean;
}

/** The one answer for an unknown user id and for keys the caller may not have. */
export const noSuchClinician = () => new AppError("not-found", "There is no such clinician.");

/** LIKE wildcards typed by a person are matched literally. */
function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Finds clinicians by name, specialty or organization (all public by their choice).
 * Verified entries come first; at most `limit` results.
 */
export async function searchDirectory(db: Database, query: string, limit = 20): Promise<DirectoryEntry[]> {
  const trimmed = query.trim();
  if (trimmed.length < 2) return [];
  const pattern = likePattern(trimmed);
  const rows = await db
    .select({
      userId: clinicianDirectory.userId,
      role: users.role,
      displayName: clinicianDirectory.displayName,
      specialty: clinicianDirectory.specialty,
      organization: clinicianDirectory.organization,
      verifiedAt: clinicianDirectory.verifiedAt,
    })
    .from(clinicianDirectory)
    .innerJoin(users, eq(users.id, clinicianDirectory.userId))
    .where(
      and(
        isNull(users.disabledAt),
        or(ilike(clinicianDirectory.displayName, pattern), ilike(clinicianDirectory.specialty, pattern), ilike(clinicianDirectory.organization, pattern)),
      ),
    )
    .orderBy(desc(sql`${clinicianDirectory.verifiedAt} is not null`), asc(clinicianDirectory.displayName))
    .limit(Math.min(Math.max(limit, 1), 50));
  return rows
    .filter((row): row is typeof row & { role: "doctor" | "nurse" } => row.role === "doctor" || row.role === "nurse")
    .map(({ verifiedAt, ...row }) => ({ ...row, verified: verifiedAt !== null }));
}

/**
 * A user's published keys: the identity key and the certificate it signed over the
 * encryption key. Browsers verify the certificate themselves; the server only serves it.
 */
/** A user's current certified keys, and their directory entry if they are a clinician (patients have none). */
export async function publishedKeys(db: Database, userId: string) {
  const [row] = await db
    .select({
      identityPublicKey: keyCertificates.identityPublicKey,
      certificate: keyCertificates.certificate,
      role: users.role,
      displayName: clinicianDirectory.displayName,
      specialty: clinicianDirectory.specialty,
      organization: clinicianDirectory.organization,
      verifiedAt: clinicianDirectory.verifiedAt,
    })
    .from(keyCertificates)
    .innerJoin(users, eq(users.id, keyCertificates.userId))
    .leftJoin(clinicianDirectory, eq(clinicianDirectory.userId, keyCertificates.userId))
    .where(and(eq(keyCertificates.userId, userId), isNull(keyCertificates.supersededAt)));
  if (!row) throw noSuchClinician();
  const directory: DirectoryEntry | null =
    (row.role === "doctor" || row.role === "nurse") && row.displayName !== null
      ? {
          userId,
          role: row.role,
          displayName: row.displayName,
          specialty: row.specialty ?? "",
          organization: row.organization ?? "",
          verified: row.verifiedAt !== null,
        }
      : null;
  return { userId, identityPublicKey: toBase64url(row.identityPublicKey), certificate: toBase64url(row.certificate), directory };
}
