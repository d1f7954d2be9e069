import "server-only";
import type { HealthReport } from "@/contract/system";
import { getDatabase } from "@/lib/db";
import { expectedMigrationCount } from "@/lib/db/migrations";
import { blobStore } from "@/lib/blobs/select-blob-store";
import { AppError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";

/** Reports which database serves the app, whether every migration is applied, and which store holds the files; 503 when either cannot be reached (a directory this process may write in, or a bucket it can see). */
export async function getHealth(): Promise<HealthReport> {
  let database, applied;
  try {
    database = await getDatabase();
    applied = await database.appliedMigrations();
  } catch (error) {
    logUnexpected(error, { operation: "health" });
    throw new AppError("service-unavailable", "The database is not reachable.");
  }
  const files = blobStore(database.db);
  try {
    await files.check();
  } catch (error) {
    logUnexpected(error, { operation: "health" });
    throw new AppError("service-unavailable", "The file store is not reachable.");
  }
  const expected = expectedMigrationCount();
  return {
    status: "ok",
    database: { kind: database.kind, migrations: { applied, expected, upToDate: applied === expected } },
    blobStore: { kind: files.kind },
  };
}

/**
 * GET /api/health: `{ status: "ok" }` when the database and the file store answer, for load
 * balancers and monitors; the details (`getHealth`) are shown only in the administration console.
 * @throws AppError("service-unavailable") as `getHealth` does (answered 503)
 */
export async function probeHealth(): Promise<{ status: "ok" }> {
  await getHealth();
  return { status: "ok" };
}
