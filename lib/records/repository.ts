import "server-only";
import { and, asc, eq, isNull } from "drizzle-orm";
import { recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database } from "@/lib/db";

export interface StoredVersion {
  blobId: string | null;
  version: number;
  keyVersion: number;
  authorId: string;
  content: Uint8Array;
  signature: Uint8Array;
  createdAt: Date;
}

export interface StoredRecord {
  id: string;
  currentVersion: number;
  keyVersion: number;
  createdAt: Date;
  updatedAt: Date;
  ownerWrap: Uint8Array;
  current: StoredVersion;
}

const versionColumns = {
  blobId: recordVersions.blobId,
  version: recordVersions.version,
  keyVersion: recordVersions.keyVersion,
  authorId: recordVersions.authorId,
  content: recordVersions.contentCiphertext,
  signature: recordVersions.signature,
  createdAt: recordVersions.createdAt,
};

/** The owner's records with their current version and the owner's key wrap, oldest first. */
export async function listOwnedRecords(db: Database, ownerId: string): Promise<StoredRecord[]> {
  const rows = await db
    .select({
      id: records.id,
      currentVersion: records.currentVersion,
      recordKeyVersion: records.keyVersion,
      recordCreatedAt: records.createdAt,
      updatedAt: records.updatedAt,
      ownerWrap: recordKeyWraps.wrappedKey,
      ...versionColumns,
    })
    .from(records)
    .innerJoin(recordVersions, and(eq(recordVersions.recordId, records.id), eq(recordVersions.version, records.currentVersion)))
    .innerJoin(
      recordKeyWraps,
      and(eq(recordKeyWraps.recordId, records.id), eq(recordKeyWraps.keyVersion, records.keyVersion), isNull(recordKeyWraps.grantId)),
    )
    .where(eq(records.ownerId, ownerId))
    .orderBy(asc(records.createdAt), asc(records.id));
  return rows.map((row) => ({
    id: row.id,
    currentVersion: row.currentVersion,
    keyVersion: row.recordKeyVersion,
    createdAt: row.recordCreatedAt,
    updatedAt: row.updatedAt,
    ownerWrap: row.ownerWrap,
    current: {
      blobId: row.blobId,
      version: row.version,
      keyVersion: row.keyVersion,
      authorId: row.authorId,
      content: row.content,
      signature: row.signature,
      createdAt: row.createdAt,
    },
  }));
}

export async function findOwnedRecord(db: Database, ownerId: string, recordId: string) {
  const [row] = await db
    .select()
    .from(records)
    .where(and(eq(records.id, recordId), eq(records.ownerId, ownerId)));
  return row ?? null;
}

export async function listVersions(db: Database, recordId: string): Promise<StoredVersion[]> {
  return db.select(versionColumns).from(recordVersions).where(eq(recordVersions.recordId, recordId)).orderBy(asc(recordVersions.version));
}
