import "server-only";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { preparedQuery } from "@/lib/db/prepared-queries";

type RecordRow = typeof records.$inferSelect;
type VersionRow = typeof recordVersions.$inferSelect;

/** What proves who wrote a version, without its content: the statement fields and the signature. */
export type VersionStatement = Pick<VersionRow, "version" | "authorId" | "commitment" | "signature" | "createdAt">;

/** A version as stored: its statement, its key version, its file (if any) and its content ciphertext. */
export type StoredVersion = VersionStatement & Pick<VersionRow, "blobId" | "keyVersion"> & { content: VersionRow["contentCiphertext"] };

/** A record with its current version and the owner's key wrap of its current key. */
export type StoredRecord = Pick<RecordRow, "id" | "currentVersion" | "keyVersion" | "createdAt" | "updatedAt"> & {
  ownerWrap: (typeof recordKeyWraps.$inferSelect)["wrappedKey"];
  current: StoredVersion;
};

/** What `storedRecordOf` reads: the record's columns (its own key version and creation time renamed) beside `versionColumns`. */
type StoredRecordRow = Pick<RecordRow, "id" | "currentVersion" | "updatedAt"> & {
  recordKeyVersion: RecordRow["keyVersion"];
  recordCreatedAt: RecordRow["createdAt"];
  ownerWrap: StoredRecord["ownerWrap"];
} & StoredVersion;

/** A version's columns as `StoredVersion` names them, for the queries that read records with their current version. */
export const versionColumns = {
  blobId: recordVersions.blobId,
  version: recordVersions.version,
  keyVersion: recordVersions.keyVersion,
  authorId: recordVersions.authorId,
  content: recordVersions.contentCiphertext,
  commitment: recordVersions.commitment,
  signature: recordVersions.signature,
  createdAt: recordVersions.createdAt,
};

/** A row of records joined with its current version (`versionColumns`) and owner wrap, as a `StoredRecord`. */
export function storedRecordOf(row: StoredRecordRow): StoredRecord {
  return {
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
      commitment: row.commitment,
      signature: row.signature,
      createdAt: row.createdAt,
    },
  };
}

/**
 * The owner's records (or only those of `recordIds`, or `recordId`, that are theirs) with their
 * current version and the owner's key wrap, oldest first (then by id), in one query.
 */
export async function listOwnedRecords(db: Database, ownerId: string, recordIds?: string | readonly string[]): Promise<StoredRecord[]> {
  if (typeof recordIds === "object" && recordIds.length === 0) return [];
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
    .innerJoin(recordKeyWraps, and(eq(recordKeyWraps.recordId, records.id), eq(recordKeyWraps.keyVersion, records.keyVersion), isNull(recordKeyWraps.grantId)))
    .where(
      and(
        eq(records.ownerId, ownerId),
        recordIds === undefined ? undefined : typeof recordIds === "string" ? eq(records.id, recordIds) : inArray(records.id, [...recordIds]),
      ),
    )
    .orderBy(asc(records.createdAt), asc(records.id));
  return rows.map(storedRecordOf);
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

/** Read with every chart and shared-records page, so built once (lib/db/prepared-queries.ts); `recordIds` is a uuid[] placeholder. */
const statementsOfRecords = preparedQuery((db) =>
  db
    .select({
      recordId: recordVersions.recordId,
      version: recordVersions.version,
      authorId: recordVersions.authorId,
      commitment: recordVersions.commitment,
      signature: recordVersions.signature,
      createdAt: recordVersions.createdAt,
    })
    .from(recordVersions)
    .where(sql`${recordVersions.recordId} = any(${sql.placeholder("recordIds")}::uuid[])`)
    .orderBy(asc(recordVersions.recordId), asc(recordVersions.version))
    .prepare("statements_of_records"),
);

/**
 * Every version's statement (author, commitment, signature) of some records, in one query,
 * oldest version first: readers verify each version's author without its content.
 */
export async function statementsOf(db: Database, recordIds: string[]): Promise<Map<string, VersionStatement[]>> {
  const byRecord = new Map<string, VersionStatement[]>(recordIds.map((id) => [id, []]));
  if (recordIds.length === 0) return byRecord;
  const rows = await statementsOfRecords(db).execute({ recordIds });
  for (const { recordId, ...statement } of rows) byRecord.get(recordId)?.push(statement);
  return byRecord;
}

/** The current version (with content) of some records, in one query. */
export async function currentVersionsOf(db: Database, recordIds: string[]): Promise<Map<string, StoredVersion>> {
  if (recordIds.length === 0) return new Map();
  const rows = await db
    .select({ recordId: recordVersions.recordId, ...versionColumns })
    .from(recordVersions)
    .innerJoin(records, and(eq(records.id, recordVersions.recordId), eq(records.currentVersion, recordVersions.version)))
    .where(inArray(recordVersions.recordId, recordIds));
  return new Map(rows.map(({ recordId, ...version }) => [recordId, version]));
}
