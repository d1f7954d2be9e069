import "server-only";
import { requireSession, sessionPolicy } from "@/lib/sessions/current-session";
import { sessionTokenOf } from "@/lib/sessions/cookies";
import { hashSessionToken } from "@/lib/sessions/session-store";
import { getDatabase, type Database } from "@/lib/db";
import { upkeepAfterWriting } from "@/lib/db/table-upkeep";
import { AppError } from "@/lib/errors";
import { chartOwner } from "./chart-owner";
import { chartPageForSession } from "./chart-read";
import { addVersion, auditRefusedRecordAccess, chartOf, createRecords, deleteRecord, recordOf, versionsOf } from "./chart-store";
import { firstNotOwned, rotateRecordKey, rotateRecordKeys } from "./key-rotation";
import type { NewRecord, RecordRotation, RotateRecordKey, VersionPayload } from "@/contract/records";
import { storageLimits } from "@/lib/records/storage-quota";
import type { PageRequest } from "./pages";

/**
 * Runs an action on one record of the caller's chart. When it is refused (not the caller's
 * record, or not a patient calling), the attempt joins the real owner's audit trail.
 */
async function onRecord<T>(recordId: string, action: (db: Database, ownerId: string) => Promise<T>): Promise<T> {
  const session = await requireSession();
  try {
    const { db, ownerId } = await chartOwner();
    return await action(db, ownerId);
  } catch (error) {
    if (error instanceof AppError && (error.code === "not-found" || error.code === "forbidden")) {
      const { db } = await getDatabase();
      await auditRefusedRecordAccess(db, session.userId, recordId);
    }
    throw error;
  }
}

/**
 * One page of the caller's chart (GET /api/records); see `chartOf`. The chart's most frequent
 * read, so it is first tried as ONE statement (lib/records/chart-read.ts: session check, touch,
 * page, audit event and JSON together), whose JSON text is sent as it is; when that serves nothing (no live patient session, a
 * cursor this server did not hand out) the ordinary path runs and says why. The session token
 * is read from the request's `headers` (`sessionTokenOf`), not through `cookies()`.
 */
export async function getMyChart(page: PageRequest, headers: Headers) {
  const token = sessionTokenOf(headers);
  if (token !== undefined) {
    const { db } = await getDatabase();
    const served = await chartPageForSession(db, hashSessionToken(token), sessionPolicy(), new Date(), page);
    if (served) return served;
  }
  const { db, ownerId } = await chartOwner();
  return chartOf(db, ownerId, page);
}

/** POST /api/records: new records of the caller's (one, or an imported bundle's batch); see `createRecords`. */
export async function createMyRecords(items: NewRecord[]) {
  const { db, ownerId } = await chartOwner();
  const created = await createRecords(db, ownerId, items, storageLimits());
  upkeepAfterWriting(created.created);
  return created;
}

export const getMyRecord = (recordId: string) => onRecord(recordId, (db, ownerId) => recordOf(db, ownerId, recordId));

export const getMyRecordVersions = (recordId: string) => onRecord(recordId, (db, ownerId) => versionsOf(db, ownerId, recordId));

export const addMyRecordVersion = (recordId: string, payload: VersionPayload) =>
  onRecord(recordId, (db, ownerId) => addVersion(db, ownerId, recordId, payload, storageLimits()));

export const deleteMyRecord = (recordId: string) => onRecord(recordId, (db, ownerId) => deleteRecord(db, ownerId, recordId));

export const rotateMyRecordKey = (recordId: string, payload: RotateRecordKey) =>
  onRecord(recordId, (db, ownerId) => rotateRecordKey(db, ownerId, recordId, payload));

/**
 * Rotates a batch of the caller's records in one transaction (lib/records/key-rotation.ts).
 * A refusal is counted as for one record: against the caller, and into the trail of the
 * owner of the first record that is not the caller's.
 */
export async function rotateMyRecordKeys(rotations: RecordRotation[]) {
  const session = await requireSession();
  try {
    const { db, ownerId } = await chartOwner();
    return await rotateRecordKeys(db, ownerId, rotations);
  } catch (error) {
    if (error instanceof AppError && (error.code === "not-found" || error.code === "forbidden")) {
      const { db } = await getDatabase();
      const ids = rotations.map((rotation) => rotation.recordId);
      await auditRefusedRecordAccess(db, session.userId, (await firstNotOwned(db, session.userId, ids)) ?? ids[0]!);
    }
    throw error;
  }
}
