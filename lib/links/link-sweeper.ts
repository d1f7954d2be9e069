import "server-only";
import { blobStore } from "@/lib/blobs/select-blob-store";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { sweepDeadLinks } from "./link-store";

/**
 * Deletes expired SMART Health Links' JWE blobs (revoked and disabled ones lost theirs at once,
 * unless a crash came in between) and expired `location` tokens, at start-up and then at the
 * blob sweeper's interval (BLOB_SWEEP_INTERVAL_MINUTES). Every server instance may run it:
 * it deletes only what no request can use any more.
 */
export function startLinkSweeper(): void {
  startPeriodicTask("link-sweep", config().blobSweepIntervalMs, async () => {
    const { db } = await getDatabase();
    const links = await sweepDeadLinks(db, blobStore(db));
    if (links.links + links.tokens > 0) logger().info(links, "expired links' files and location tokens removed");
  });
}
