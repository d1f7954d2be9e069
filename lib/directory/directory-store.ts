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

/** Fewer characters match too much of the directory to be a search for someone: it would be a page of a scrape. */
export const directoryQueryMinLength = 3;
/** At most this many entries per search; more means the person should type more. */
export const directoryResultCap = 20;

/**
 * Finds clinicians by name, specialty or organization (all public by their choice).
 * Verified entries come first; at most `directoryResultCap` of them, with `more` saying
 * whether others match. Throws invalid-input (400) for a query shorter than
 * `directoryQueryMinLength` characters once trimmed.
 */
export async function searchDirectory(db: Database, query: string): Promise<{ clinicians: DirectoryEntry[]; more: boolean }> {
  const trimmed = query.trim();
  if ([...trimmed].length < directoryQueryMinLength) {
    throw new AppError("invalid-input", `Type at least ${directoryQueryMinLength} characters of a name, specialty or organization.`, {
      fields: [{ path: "q", message: `At least ${directoryQueryMinLength} characters.` }],
    });
  }
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
    .limit(directoryResultCap + 1);
  const clinicians = rows
    .slice(0, directoryResultCap)
    .filter((row): row is typeof row & { role: "doctor" | "nurse" } => row.role === "doctor" || row.role === "nurse")
    .map(({ verifiedAt, ...row }) => ({ ...row, verified: verifiedAt !== null }));
  return { clinicians, more: rows.length > directoryResultCap };
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
