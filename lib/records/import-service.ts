import "server-only";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase, type Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { chartOwner } from "./chart-owner";
import { noteRefusal } from "@/lib/audit/refusals";
import { storageLimits } from "@/lib/records/storage-quota";
import type { NewRecord } from "@/contract/records";
import { upkeepAfterWriting } from "@/lib/db/table-upkeep";
import { abandonImport, commitImport, importOwner, stageRecords, startImport } from "./import-store";

/**
 * Runs an action on one import of the caller's. A refusal (not the caller's import, or not a
 * patient) counts against the caller's refused-request limit and, when the import exists,
 * joins its owner's trail, as a refused record request does.
 */
async function onImport<T>(importId: string, action: (db: Database, ownerId: string) => Promise<T>): Promise<T> {
  const session = await requireSession();
  try {
    const { db, ownerId } = await chartOwner();
    return await action(db, ownerId);
  } catch (error) {
    if (error instanceof AppError && (error.code === "not-found" || error.code === "forbidden")) {
      const { db } = await getDatabase();
      const ownerId = await importOwner(db, importId);
      await noteRefusal(db, session.userId, ownerId ? { ownerId } : null);
    }
    throw error;
  }
}

/** POST /api/imports: a new import of the caller's. */
export async function startMyImport() {
  const { db, ownerId } = await chartOwner();
  return startImport(db, ownerId);
}

/** POST /api/imports/[id]/records: stages a batch (lib/records/import-store.ts `stageRecords`), within the storage quota. */
export const addToMyImport = (importId: string, items: NewRecord[]) =>
  onImport(importId, (db, ownerId) => stageRecords(db, ownerId, importId, items, storageLimits()));

/**
 * POST /api/imports/[id]/commit: every staged record joins the chart at once; the tables'
 * statistics are then brought up to date soon (`upkeepAfterWriting`), for the chart's next read.
 */
export async function commitMyImport(importId: string) {
  const committed = await onImport(importId, (db, ownerId) => commitImport(db, ownerId, importId));
  upkeepAfterWriting(committed.created);
  return committed;
}

/** DELETE /api/imports/[id]: the staged records and their files are removed. */
export const abandonMyImport = (importId: string) => onImport(importId, (db, ownerId) => abandonImport(db, ownerId, importId));
