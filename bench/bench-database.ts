/**
 * The database a suite measures on: embedded PGlite (in memory, or on disk under bench/.data/
 * when the figure involves the disk), or a fresh PostgreSQL database created beside
 * DATABASE_URL's and dropped afterwards (BENCH_DATABASE=postgres, chosen by bench/run.ts).
 * Run with the react-server condition so the server modules load outside Next.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { openDatabase, type Database } from "../lib/db/client";
import { createTestDatabase } from "../lib/db/test-databases";
import { benchDatabase } from "./figures";

export interface BenchDatabase {
  kind: "pglite" | "postgres";
  db: Database;
  /** Closes it and deletes what was created for the run. */
  dispose(): Promise<void>;
}

/** bench/.data: scratch space of on-disk runs, git-ignored, removed after each. */
export const benchDataRoot = path.resolve(__dirname, ".data");

/**
 * Opens a fresh, migrated database of the kind the runner chose. `onDisk` keeps PGlite's
 * files under bench/.data/ (as the app's embedded default keeps them in DATA_DIR).
 * @throws Error when PostgreSQL is chosen without DATABASE_URL
 */
export async function openBenchDatabase({ onDisk = false }: { onDisk?: boolean } = {}): Promise<BenchDatabase> {
  if (benchDatabase() === "postgres") {
    const handle = await createTestDatabase("postgres");
    return { kind: "postgres", db: handle.db, dispose: () => handle.dispose() };
  }
  const dataDir = onDisk ? path.join(benchDataRoot, `pglite-${randomBytes(4).toString("hex")}`) : null;
  const handle = await openDatabase({ kind: "pglite", dataDir });
  return {
    kind: "pglite",
    db: handle.db,
    dispose: async () => {
      await handle.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
