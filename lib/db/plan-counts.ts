import "server-only";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "@/drizzle/schema";
import { resultRows, type Database } from "./client";
import { preparingEveryQuery } from "./prepared-statements";
import type { TestDatabase } from "./test-databases";

/** How often PostgreSQL planned one prepared statement (pg_prepared_statements, PostgreSQL 14+). */
export interface PlanCounts {
  /** Executions that used the statement's one generic plan, made once and kept. */
  generic: number;
  /** Executions planned afresh for their parameter values. */
  custom: number;
}

/**
 * A database session of its own on a test database, for tests of how statements are planned:
 * prepared statements and their plans belong to one session, and a pool spreads queries over
 * several. On PostgreSQL a client of one connection, prepared as the app's (`openDatabase`);
 * PGlite is one session already. `planCounts(marker)` sums, over the prepared statements of
 * that session whose text contains `marker`, how they were planned; null when none is prepared.
 */
export function oneSession(database: TestDatabase): { db: Database; planCounts(marker: string): Promise<PlanCounts | null>; close(): Promise<void> } {
  const client = database.kind === "postgres" ? postgres(database.url!, { max: 1, onnotice: () => undefined }) : null;
  const db = client ? (drizzlePostgres(preparingEveryQuery(client), { schema }) as unknown as Database) : database.db;
  return {
    db,
    async planCounts(marker) {
      const rows = resultRows<{ statement: string; generic_plans: string | number; custom_plans: string | number }>(
        await db.execute(sql`select statement, generic_plans, custom_plans from pg_prepared_statements`),
      ).filter((row) => row.statement.includes(marker));
      if (rows.length === 0) return null;
      return rows.reduce((sum, row) => ({ generic: sum.generic + Number(row.generic_plans), custom: sum.custom + Number(row.custom_plans) }), {
        generic: 0,
        custom: 0,
      });
    },
    close: async () => {
      await client?.end({ timeout: 5 });
    },
  };
}
