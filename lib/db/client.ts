import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "@/drizzle/schema";

export type Schema = typeof schema;
/** The one database type repositories use, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** An open transaction (the argument of `db.transaction(async (tx) => ...)`); same query API as Database. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either, for data-layer functions that may run alone or inside a caller's transaction (and then commit or roll back with it). */
export type Executor = Database | Transaction;
export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Database;
  /** Number of migrations recorded as applied. */
  appliedMigrations(): Promise<number>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(process.cwd(), "drizzle", "migrations");

export type DatabaseTarget = { kind: "pglite"; dataDir: string | null } | { kind: "postgres"; url: string };

/** Opens a database and applies every pending migration before returning it. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === "postgres") {
    const client = postgres(target.url, { max: 10, onnotice: () => undefined });
    const db = drizzlePostgres(client, { schema });
    await migratePostgres(db, { migrationsFolder });
    return {
      kind: "postgres",
      db: db as unknown as Database,
      appliedMigrations: () => countMigrations(db as unknown as Database),
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  // A null data directory is an in-memory database (tests).
  const client = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    kind: "pglite",
    db: db as unknown as Database,
    appliedMigrations: () => countMigrations(db as unknown as Database),
    close: () => client.close(),
  };
}

async function countMigrations(db: Database): Promise<number> {
  // drizzle's migrators record each applied migration in this table.
  const result = await db.execute(sql`select count(*)::int as count from drizzle.__drizzle_migrations`);
  return Number(resultRows<{ count: number }>(result)[0]?.count ?? 0);
}

/** postgres.js returns rows as an array, PGlite as `{ rows }`; raw queries go through this. */
export function resultRows<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}
