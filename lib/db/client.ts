import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { is, sql } from "drizzle-orm";
import { PgTransaction, type PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "@/drizzle/schema";
import { claimDataDir } from "./data-dir-lock";
import { byteaCodec } from "./pglite-codec.mjs";
import { pgliteNamedQuery } from "./pglite-named-statements.mjs";
import { asPGlite, isPGliteThread, PGliteThread } from "./pglite-thread-client";
import { defaultPostgresPoolSize } from "./pool-size";
import { preparingEveryQuery } from "./prepared-statements";

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
  /** Applies the migrations of `folder` not applied yet (tests of a migration start from an older folder). */
  migrate(folder?: string): Promise<void>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(process.cwd(), "drizzle", "migrations");

/**
 * Where the database is. PGlite runs in this thread unless `thread` is true: then on a thread
 * of its own (lib/db/pglite-thread-client.ts), as the server runs it, so that its statements
 * do not stop the event loop that answers requests.
 */
export type DatabaseTarget =
  { kind: "pglite"; dataDir: string | null; thread?: boolean; onThreadStopped?: (cause: Error) => void } | { kind: "postgres"; url: string; poolSize?: number };

/** Opens a database and applies every pending migration before returning it. */
/** Opens the database and applies the migrations of `folder` (drizzle/migrations unless a test says otherwise). */
export async function openDatabase(target: DatabaseTarget, folder: string = migrationsFolder): Promise<DatabaseHandle> {
  if (target.kind === "postgres") {
    const client = postgres(target.url, { max: target.poolSize ?? defaultPostgresPoolSize, onnotice: () => undefined });
    const db = drizzlePostgres(preparingEveryQuery(client), { schema });
    // Migrations run once, as unnamed statements: nothing is gained by caching their texts.
    const migrationDb = drizzlePostgres(client, { schema });
    const migrate = (from: string = migrationsFolder) => migrateExclusively(target.url, () => migratePostgres(migrationDb, { migrationsFolder: from }));
    await migrate(folder);
    return {
      kind: "postgres",
      db: db as unknown as Database,
      appliedMigrations: () => countMigrations(db as unknown as Database),
      migrate,
      close: () => client.end({ timeout: 5 }),
    };
  }
  let release = () => {};
  if (target.dataDir) {
    mkdirSync(target.dataDir, { recursive: true });
    release = claimDataDir(target.dataDir);
  }
  let client: PGlite | PGliteThread | null = null;
  try {
    // A null data directory is an in-memory database (tests).
    client = target.thread
      ? await PGliteThread.open(target.dataDir, target.onThreadStopped)
      : new PGlite({ ...(target.dataDir ? { dataDir: target.dataDir } : {}), ...byteaCodec });
    const opened = client;
    const db = drizzlePglite(client instanceof PGlite ? client : asPGlite(client), { schema });
    const migrate = (from: string = migrationsFolder) => migratePglite(db, { migrationsFolder: from });
    await migrate(folder);
    return {
      kind: "pglite",
      db: db as unknown as Database,
      appliedMigrations: () => countMigrations(db as unknown as Database),
      migrate,
      close: async () => {
        await opened.close();
        release();
      },
    };
  } catch (error) {
    // A thread left running would keep the process alive.
    if (client instanceof PGliteThread) await client.close().catch(() => undefined);
    release();
    throw error;
  }
}

/** The advisory-lock key migrations hold on PostgreSQL (any constant; this is "hsc-migrate" in ASCII). */
const migrationLockKey = 0x6873_632d_6d69_6772n;

/**
 * Runs `migrate` while holding a PostgreSQL advisory lock, so that several server instances
 * starting at once on one database apply the migrations one after the other: drizzle's
 * migrator takes no lock, and two of them on an empty database would both create the same
 * tables, failing one instance's start. The lock is held by a connection of its own (an
 * advisory lock belongs to a session; the migrator uses the pool) and is released when that
 * connection closes, so a process killed mid-migration holds nobody up. The instance that
 * waited then finds nothing left to apply.
 */
async function migrateExclusively(url: string, migrate: () => Promise<void>): Promise<void> {
  const lock = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await lock`select pg_advisory_lock(${migrationLockKey.toString()}::bigint)`;
    await migrate();
  } finally {
    await lock.end({ timeout: 5 });
  }
}

async function countMigrations(db: Database): Promise<number> {
  // drizzle's migrators record each applied migration in this table.
  const result = await db.execute(sql`select count(*)::int as count from drizzle.__drizzle_migrations`);
  return Number(resultRows<{ count: number }>(result)[0]?.count ?? 0);
}

/**
 * Runs one SQL text with positional parameters ($1, $2, …) on the database itself (not a
 * transaction), without drizzle building anything, as a named prepared statement: on
 * PostgreSQL one round trip once prepared on a connection, on PGlite parsed and planned once
 * (lib/db/pglite-named-statements.ts).
 * Rows come as objects keyed by column name, values parsed by the driver's type parsers.
 * For the few statements whose text is fixed and whose building cost more than running them.
 */
export async function queryRows<Row>(db: Database, text: string, params: unknown[]): Promise<Row[]> {
  // By shape, not instanceof: a bundle may hold two copies of a driver.
  const client = (db as unknown as { $client: PGlite | PGliteThread | postgres.Sql }).$client;
  if ("unsafe" in client) return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as Row[];
  if (isPGliteThread(client)) return client.namedQuery<Row>(text, params);
  return pgliteNamedQuery<Row>(client, text, params);
}

/** postgres.js returns rows as an array, PGlite as `{ rows }`; raw queries go through this. */
export function resultRows<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

/**
 * Whether `db` is an open transaction (a caller's `db.transaction(...)` argument) rather than
 * the database itself: lib/audit chains an event at once inside an action's own transaction,
 * and leaves it in the inbox otherwise.
 */
export function isTransaction(db: Executor): db is Transaction {
  // drizzle's entity check, not instanceof: true across two copies of drizzle-orm in one bundle too.
  return is(db, PgTransaction);
}
