import "server-only";
import type { HealthReport } from "@/contract/system";
import { getDatabase } from "@/lib/db";
import { expectedMigrationCount } from "@/lib/db/migrations";
import { AppError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";

/** Reports which database serves the app and whether every migration is applied. */
export async function getHealth(): Promise<HealthReport> {
  let database, applied;
  try {
    database = await getDatabase();
    applied = await database.appliedMigrations();
  } catch (error) {
    logUnexpected(error, { operation: "health" });
    throw new AppError("service-unavailable", "The database is not reachable.");
  }
  const expected = expectedMigrationCount();
  return {
    status: "ok",
    database: { kind: database.kind, migrations: { applied, expected, upToDate: applied === expected } },
  };
}
