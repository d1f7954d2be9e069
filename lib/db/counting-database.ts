import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import type { Logger } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { Sql } from "postgres";
import * as schema from "@/drizzle/schema";
import type { Database, DatabaseKind } from "./client";

/**
 * For tests and benchmarks: the same database as `db`, through a drizzle instance that counts
 * every statement it sends (transactions' statements included), so a count is what the code
 * under test asks of the database, whichever driver is behind it (told by `kind`, or by the client).
 */
export function countingDatabase(database: { kind?: DatabaseKind; db: Database }) {
  const counter = { statements: 0 };
  const logger: Logger = { logQuery: () => void (counter.statements += 1) };
  const client = (database.db as unknown as { $client: unknown }).$client;
  // postgres.js's client is a function (a tagged template); PGlite's an object.
  const kind = database.kind ?? (typeof client === "function" ? "postgres" : "pglite");
  const db = (kind === "pglite"
    ? drizzlePglite(client as PGlite, { schema, logger })
    : drizzlePostgres(client as Sql, { schema, logger })) as unknown as Database;
  return {
    db,
    /** Statements sent while `work` ran. */
    async count(work: (db: Database) => Promise<unknown>): Promise<number> {
      const before = counter.statements;
      await work(db);
      return counter.statements - before;
    },
  };
}
