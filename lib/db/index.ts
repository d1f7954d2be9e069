import "server-only";
import { config } from "@/lib/config";
import { logUnexpected } from "@/lib/log";
import { openDatabase, type DatabaseHandle } from "./client";

export type { Database, DatabaseHandle, DatabaseKind, Executor, Transaction } from "./client";

// One database per process: PGlite allows a single instance per data directory, and
// Next may evaluate this module more than once, so the handle lives on globalThis.
const globalKey = Symbol.for("health-safe-cloud.database");
type GlobalWithDatabase = typeof globalThis & { [globalKey]?: Promise<DatabaseHandle> };

/**
 * The embedded database's thread stopped (it never has in any run; a WebAssembly abort would):
 * every request would fail from now on, and a supervisor restarts only a process that exits.
 */
function exitWithoutDatabase(cause: Error): void {
  logUnexpected(cause, { operation: "embedded-database" });
  process.exit(1);
}

/** The process-wide database, connected and migrated on first use. */
export function getDatabase(): Promise<DatabaseHandle> {
  const holder = globalThis as GlobalWithDatabase;
  if (!holder[globalKey]) {
    const { databaseUrl, databasePoolSize, dataDir } = config();
    const opening = openDatabase(
      databaseUrl
        ? { kind: "postgres", url: databaseUrl, poolSize: databasePoolSize }
        : { kind: "pglite", dataDir, thread: true, onThreadStopped: exitWithoutDatabase },
    );
    // A failed start must not be cached forever: the next request retries.
    opening.catch(() => {
      if (holder[globalKey] === opening) delete holder[globalKey];
    });
    holder[globalKey] = opening;
  }
  return holder[globalKey];
}
