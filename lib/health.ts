import "server-only";
import { getDatabase, type DatabaseKind } from "@/lib/db";
import { expectedMigrationCount } from "@/lib/db/migrations";

export interface HealthReport {
  status: "ok";
  database: { kind: DatabaseKind; migrations: { applied: number; expected: number; upToDate: boolean } };
}

/** Reports which database serves the app and whether every migration is applied. */
export async function getHealth(): Promise<HealthReport> {
  const database = await getDatabase();
  const applied = await database.appliedMigrations();
  const expected = expectedMigrationCount();
  return {
    status: "ok",
    database: { kind: database.kind, migrations: { applied, expected, upToDate: applied === expected } },
  };
}
