import "server-only";
import { getDatabase, type DatabaseKind } from "@/lib/db";
import { expectedMigrationCount } from "@/lib/db/migrations";
import { AppError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";

export interface HealthReport {
  status: "ok";
  database: { kind: DatabaseKind; migrations: { applied: number; expected: number; upToDate: boolean } };
}

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
