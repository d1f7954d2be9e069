import "server-only";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { EnvelopeKind, envelopeKindOf, fromBase64url } from "@/crypto";
import { grantRecords, recordKeyWraps, recordVersions, records } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { checkedContent } from "@/lib/records/content-limits";
import { appendAudit } from "@/lib/audit/audit-log";
import { activeGrantAudited } from "./grant-store";
import type { Contribution } from "@/contract/sharing";

/**
 * A clinician with the contribute permission writes a new record into the patient's chart:
 * its key sealed to the patient (so the patient owns it like any other record), wrapped
 * under the grant's share key (so the clinician can read what they wrote), and its first
 * version signed by the clinician. All in one transaction.
 */
export async function contributeRecord(db: Database, clinicianId: string, grantId: string, item: Contribution, now: Date = new Date()) {
  const grant = await activeGrantAudited(db, clinicianId, grantId, now);
  if (grant.permission !== "contribute") throw new AppError("forbidden", "This patient shared their records for reading only.");
  if (item.version.version !== 1 || item.version.keyVersion !== 1) throw new AppError("invalid-input", "A new record starts at version 1 with key version 1.");
  const ownerWrap = fromBase64url(item.sealedOwnerKey);
  if (envelopeKindOf(ownerWrap) !== EnvelopeKind.sealedRecordKey) throw new AppError("invalid-input", "The record key must be sealed to the patient.");
  const content = checkedContent(item.version.content);
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: records.id }).from(records).where(eq(records.id, item.id));
    if (existing) throw new AppError("conflict", "A record with this id already exists.");
    await tx.insert(records).values({ id: item.id, ownerId: grant.patientId, currentVersion: 1, keyVersion: 1, createdAt: now, updatedAt: now });
    await tx.insert(recordVersions).values({
      recordId: item.id,
      version: 1,
      keyVersion: 1,
      authorId: clinicianId,
      contentCiphertext: content,
      paddedSize: content.length,
      commitment: fromBase64url(item.version.commitment),
      signature: fromBase64url(item.version.signature),
      blobId: null,
    });
    await tx.insert(recordKeyWraps).values([
      { id: randomUUID(), recordId: item.id, keyVersion: 1, grantId: null, wrappedKey: ownerWrap },
      { id: randomUUID(), recordId: item.id, keyVersion: 1, grantId, wrappedKey: fromBase64url(item.grantWrap) },
    ]);
    if (grant.scope === "records") await tx.insert(grantRecords).values({ grantId, recordId: item.id });
    await appendAudit(tx, [{ subjectId: grant.patientId, actorId: clinicianId, action: "record-created", recordId: item.id, grantId, outcome: "success" }]);
  });
}
