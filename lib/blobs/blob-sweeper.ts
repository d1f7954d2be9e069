import "server-only";
import { config } from "@/lib/config";
import { getDatabase, type Database } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { databaseBlobStore } from "./database-blob-store";

/**
 * Deletes what an interrupted upload or key rotation leaves behind: uploads never finished
 * and finished files no record version holds (a browser closed between the upload and the
 * record's save, or a server that crashed before saving it). Only blobs idle for the whole
 * grace period go: an upload still under way touches its blob with every chunk.
 */
export async function sweepAbandonedBlobs(db: Database, graceMs: number, now: Date = new Date()): Promise<number> {
  return databaseBlobStore(db).sweep(new Date(now.getTime() - graceMs));
}

/**
 * Sweeps once at start-up (what the last crash left is found at once) and then on a timer.
 * Every server instance may run it: a blob another instance is attaching is locked, and
 * the sweep skips it.
 */
export function startBlobSweeper(): void {
  const { blobGraceMs, blobSweepIntervalMs } = config();
  startPeriodicTask("blob-sweep", blobSweepIntervalMs, async () => {
    const { db } = await getDatabase();
    const removed = await sweepAbandonedBlobs(db, blobGraceMs);
    if (removed > 0) logger().info({ removed }, "abandoned uploads and unused files removed");
  });
}
