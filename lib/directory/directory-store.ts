import "server-only";
import { and, asc, desc, eq, ilike, inArray, isNull, or, sql } from "drizzle-orm";
import { toBase64url } from "@/crypto";
import { clinicianDirectory, keyCertificates, users } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { directoryQueryMinLength, directoryResultCap, type DirectoryEntry, type DirectorySearch, type PublishedKeys } from "@/contract/sharing";
import { AppError } from "@/lib/errors";
import { latestStatementsOf } from "./verification-store";

/** The one answer for an unknown user id and for keys the caller may not have. */
export const noSuchClinician = () => new AppError("not-found", "There is no such clinician.");

/** LIKE wildcards typed by a person are matched literally. */
function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Finds clinicians by name, specialty or organization (all public by their choice).
 * Verified entries come first; at most `directoryResultCap` of them, with `more` saying
 * whether others match. Throws invalid-input (400) for a query shorter than
 * `directoryQueryMinLength` characters once trimmed.
 */
export async function searchDirectory(db: Database, query: string): Promise<DirectorySearch> {
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
      identityPublicKey: keyCertificates.identityPublicKey,
    })
    .from(clinicianDirectory)
    .innerJoin(users, eq(users.id, clinicianDirectory.userId))
    // A clinician without current keys cannot be shared with, so is not listed.
    .innerJoin(keyCertificates, and(eq(keyCertificates.userId, clinicianDirectory.userId), isNull(keyCertificates.supersededAt)))
    .where(
      and(
        isNull(users.disabledAt),
        or(ilike(clinicianDirectory.displayName, pattern), ilike(clinicianDirectory.specialty, pattern), ilike(clinicianDirectory.organization, pattern)),
      ),
    )
    .orderBy(desc(sql`${clinicianDirectory.verifiedAt} is not null`), asc(clinicianDirectory.displayName))
    .limit(directoryResultCap + 1);
  const shown = rows
    .slice(0, directoryResultCap)
    .filter((row): row is typeof row & { role: "doctor" | "nurse" } => row.role === "doctor" || row.role === "nurse");
  const statements = await latestStatementsOf(
    db,
    shown.map((row) => row.userId),
  );
  const clinicians = shown.map(({ verifiedAt, identityPublicKey, ...row }) => ({
    ...row,
    verified: verifiedAt !== null,
    identityPublicKey: toBase64url(identityPublicKey),
    verification: statements.get(row.userId) ?? null,
  }));
  return { clinicians, more: rows.length > directoryResultCap };
}

/**
 * Users' current certified keys (the identity key and the certificate it signed over the
 * encryption key: browsers verify it themselves, the server only serves it), with the
 * directory entry of clinicians (patients have none), in one query whatever the number of
 * users. A user without current keys is absent from the map.
 */
export async function publishedKeysOf(db: Database, userIds: string[]): Promise<Map<string, PublishedKeys>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      userId: keyCertificates.userId,
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
    .where(and(inArray(keyCertificates.userId, ids), isNull(keyCertificates.supersededAt)));
  const statements = await latestStatementsOf(
    db,
    rows.filter((row) => row.displayName !== null).map((row) => row.userId),
  );
  return new Map(
    rows.map((row): [string, PublishedKeys] => {
      const directory: DirectoryEntry | null =
        (row.role === "doctor" || row.role === "nurse") && row.displayName !== null
          ? {
              userId: row.userId,
              role: row.role,
              displayName: row.displayName,
              specialty: row.specialty ?? "",
              organization: row.organization ?? "",
              verified: row.verifiedAt !== null,
              identityPublicKey: toBase64url(row.identityPublicKey),
              verification: statements.get(row.userId) ?? null,
            }
          : null;
      return [row.userId, { userId: row.userId, identityPublicKey: toBase64url(row.identityPublicKey), certificate: toBase64url(row.certificate), directory }];
    }),
  );
}

/**
 * A user's current certified keys and directory entry (see `publishedKeysOf`).
 * @throws AppError not-found (`noSuchClinician`) for a user without current keys.
 */
export async function publishedKeys(db: Database, userId: string): Promise<PublishedKeys> {
  const keys = (await publishedKeysOf(db, [userId])).get(userId);
  if (!keys) throw noSuchClinician();
  return keys;
}
