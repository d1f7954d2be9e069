import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { fromBase64url, toBase64url } from "@/crypto";
import { blobs, recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findOwnedRecord, listOwnedRecords, listVersions, type StoredVersion } from "./repository";
import { maxContentBytes, type CreateRecord, type VersionPayload } from "./schemas";

/** version byte, kind byte, 24-byte nonce, 16-byte tag around a padded plaintext. */
const envelopeOverhead = 42;

/**
 * The server cannot read content, but it can insist on its shape: a size limit, and a
 * plaintext padded to a power-of-two bucket, so stored sizes say little about records.
 */
function checkedContent(content: string): Uint8Array {
  const bytes = fromBase64url(content);
  if (bytes.length > maxContentBytes) {
    throw new AppError("payload-too-large", `A record can hold at most ${maxContentBytes / 1024} KiB of text; attach larger content as a file.`);
  }
  const padded = bytes.length - envelopeOverhead;
  if (padded < 256 || (padded & (padded - 1)) !== 0) {
    throw new AppError("invalid-input", "The record content is not a padded envelope.", {
      fields: [{ path: "content", message: "must be padded to a power-of-two size" }],
    });
  }
  return bytes;
}

function versionRow(recordId: string, authorId: string, payload: VersionPayload) {
  const content = checkedContent(payload.content);
  return {
    blobId: payload.blobId ?? null,
    recordId,
    version: payload.version,
    keyVersion: payload.keyVersion,
    authorId,
    contentCiphertext: content,
    paddedSize: content.length,
    signature: fromBase64url(payload.signature),
  };
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** A file may join a record only if its owner uploaded all of it and no other record holds it. */
async function checkBlob(tx: Transaction, ownerId: string, recordId: string, blobId: string | null) {
  if (!blobId) return;
  const [blob] = await tx.select().from(blobs).where(eq(blobs.id, blobId)).for("update");
  if (!blob || blob.ownerId !== ownerId || blob.status !== "complete") {
    throw new AppError("invalid-input", "The attached file has not finished uploading.");
  }
  const users = await tx.select({ recordId: recordVersions.recordId }).from(recordVersions).where(eq(recordVersions.blobId, blobId));
  if (users.some((use) => use.recordId !== recordId)) throw new AppError("conflict", "This file belongs to another record.");
}

/**
 * Creates records with their first version and the owner's key wrap, all in one
 * transaction: a record is never visible without its wrap and signature, and a failed
 * batch leaves nothing behind. Re-sending the same record is accepted (idempotent).
 */
export async function createRecords(db: Database, ownerId: string, items: CreateRecord[]): Promise<{ created: number }> {
  const prepared = items.map((item) => {
    if (item.version.version !== 1 || item.version.keyVersion !== 1) {
      throw new AppError("invalid-input", "A new record starts at version 1 with key version 1.");
    }
    return { item, version: versionRow(item.id, ownerId, item.version), ownerWrap: fromBase64url(item.ownerWrap) };
  });
  let created = 0;
  await db.transaction(async (tx) => {
    for (const { item, version, ownerWrap } of prepared) {
      const [existing] = await tx.select({ ownerId: records.ownerId }).from(records).where(eq(records.id, item.id));
      if (existing) {
        const [first] = await tx
          .select({ content: recordVersions.contentCiphertext })
          .from(recordVersions)
          .where(and(eq(recordVersions.recordId, item.id), eq(recordVersions.version, 1)));
        const same = existing.ownerId === ownerId && first && Buffer.from(first.content).equals(Buffer.from(version.contentCiphertext));
        if (!same) throw new AppError("conflict", "A record with this id already exists.");
        continue;
      }
      await checkBlob(tx, ownerId, item.id, version.blobId);
      await tx.insert(records).values({ id: item.id, ownerId, currentVersion: 1, keyVersion: 1 });
      await tx.insert(recordVersions).values(version);
      await tx.insert(recordKeyWraps).values({ id: randomUUID(), recordId: item.id, keyVersion: 1, grantId: null, wrappedKey: ownerWrap });
      created += 1;
    }
  });
  return { created };
}

/** Adds the next version; a stale writer (another device saved first) gets 409. */
export async function addVersion(db: Database, ownerId: string, recordId: string, payload: VersionPayload) {
  const row = versionRow(recordId, ownerId, payload);
  await db.transaction(async (tx) => {
    const [record] = await tx
      .select()
      .from(records)
      .where(and(eq(records.id, recordId), eq(records.ownerId, ownerId)))
      .for("update");
    if (!record) throw new AppError("not-found", "There is no such record in your chart.");
    if (payload.version !== record.currentVersion + 1 || payload.keyVersion !== record.keyVersion) {
      throw new AppError("conflict", "This record changed since you opened it. Reload it and try again.");
    }
    await checkBlob(tx, ownerId, recordId, row.blobId);
    await tx.insert(recordVersions).values(row);
    await tx.update(records).set({ currentVersion: payload.version, updatedAt: new Date() }).where(eq(records.id, recordId));
  });
}

/** Deletes a record with every version, key wrap and file body, in one transaction. */
export async function deleteRecord(db: Database, ownerId: string, recordId: string) {
  await db.transaction(async (tx) => {
    const files = await tx.select({ blobId: recordVersions.blobId }).from(recordVersions).where(eq(recordVersions.recordId, recordId));
    const deleted = await tx
      .delete(records)
      .where(and(eq(records.id, recordId), eq(records.ownerId, ownerId)))
      .returning({ id: records.id });
    if (deleted.length === 0) throw new AppError("not-found", "There is no such record in your chart.");
    const blobIds = [...new Set(files.map((file) => file.blobId).filter((id): id is string => id !== null))];
    if (blobIds.length > 0) await tx.delete(blobs).where(inArray(blobs.id, blobIds));
  });
}

const versionJson = (version: StoredVersion) => ({
  blobId: version.blobId,
  version: version.version,
  keyVersion: version.keyVersion,
  authorId: version.authorId,
  content: toBase64url(version.content),
  signature: toBase64url(version.signature),
  createdAt: version.createdAt.toISOString(),
});

export async function chartOf(db: Database, ownerId: string) {
  const stored = await listOwnedRecords(db, ownerId);
  return {
    records: stored.map((record) => ({
      id: record.id,
      currentVersion: record.currentVersion,
      keyVersion: record.keyVersion,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      ownerWrap: toBase64url(record.ownerWrap),
      current: versionJson(record.current),
    })),
  };
}

export async function versionsOf(db: Database, ownerId: string, recordId: string) {
  if (!(await findOwnedRecord(db, ownerId, recordId))) throw new AppError("not-found", "There is no such record in your chart.");
  return { versions: (await listVersions(db, recordId)).map(versionJson) };
}
