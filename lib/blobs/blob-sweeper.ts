import "server-only";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import type { BlobStore, SweepOutcome } from "./blob-store";
import { blobStore } from "./select-blob-store";

/**
 * Deletes what an interrupted upload or key rotation leaves behind: uploads never finished
 * and finished files no record version holds (a browser closed between the upload and the
 * record's save, or a server that crashed before saving it). Only blobs idle for the whole
 * grace period go: an upload still under way touches its blob with every chunk. Then the
 * bytes no row names any more go, and chunks still in the database move to the file or
 * object store (BlobStore.sweep).
 */
export async function sweepAbandonedBlobs(store: BlobStore, graceMs: number, now: Date = new Date()): Promise<SweepOutcome> {
  return store.sweep(new Date(now.getTime() - graceMs));
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
    const outcome = await sweepAbandonedBlobs(blobStore(db), blobGraceMs);
    if (outcome.removed + outcome.orphans + outcome.moved > 0)
      logger().info(outcome, "abandoned uploads and unused files removed, chunks moved out of the database");
  });
}
