import "server-only";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { sweepIdleImports } from "./import-store";

/**
 * Removes imports left neither committed nor abandoned for IMPORT_GRACE_MINUTES (a page
 * closed, or a server stopped, midway), with their staged records and files: once at
 * start-up and then every BLOB_SWEEP_INTERVAL_MINUTES. Any server instance may run it: an
 * import a request is working on is locked, and the sweep skips it.
 */
export function startImportSweeper(): void {
  const { importGraceMs, blobSweepIntervalMs } = config();
  startPeriodicTask("import-sweep", blobSweepIntervalMs, async () => {
    const { db } = await getDatabase();
    const removed = await sweepIdleImports(db, new Date(Date.now() - importGraceMs));
    if (removed > 0) logger().info({ removed }, "idle imports removed");
  });
}
