import "server-only";
import { sql } from "drizzle-orm";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { resultRows, type Database } from "./client";
import { getDatabase } from "./index";

/**
 * PostgreSQL's autovacuum keeps table statistics and the visibility map current; PGlite has no
 * background workers, so an embedded database never analyses or vacuums itself. Without
 * statistics the planner guesses: the chart's first page was read by sorting all of a person's
 * records instead of walking the (owner, created_at, id) index, which an ANALYZE turned into a
 * 0.08 ms index walk. This does autovacuum's job with its default thresholds.
 */

/** autovacuum's defaults: a table is analysed after 50 + 10% of its rows changed, vacuumed after 50 + 20% died. */
const analyzeBase = 50;
const analyzeScale = 0.1;
const vacuumBase = 50;
const vacuumScale = 0.2;

interface TableActivity {
  table: string;
  live: number;
  dead: number;
  modified: number;
}

/** What autovacuum would do to each table now: "vacuum" (which analyses too), "analyze" or nothing. */
export function upkeepFor(activity: TableActivity): "vacuum" | "analyze" | null {
  if (activity.dead > vacuumBase + vacuumScale * activity.live) return "vacuum";
  if (activity.modified > analyzeBase + analyzeScale * activity.live) return "analyze";
  return null;
}

/**
 * Vacuums and analyses the tables of the public schema that have changed past autovacuum's
 * thresholds, one at a time. Returns what it did, table by table. PGlite runs each statement on
 * the server's event loop: a table at a time keeps each pause short (ANALYZE samples at most
 * 30,000 rows).
 */
export async function runEmbeddedUpkeep(db: Database): Promise<Array<{ table: string; did: "vacuum" | "analyze" }>> {
  const tables = resultRows<TableActivity>(
    await db.execute(sql`
      select relname as "table", n_live_tup::int as live, n_dead_tup::int as dead, n_mod_since_analyze::int as modified
      from pg_stat_user_tables where schemaname = 'public' order by relname`),
  );
  const done: Array<{ table: string; did: "vacuum" | "analyze" }> = [];
  for (const activity of tables) {
    const did = upkeepFor(activity);
    if (!did) continue;
    // The name comes from the catalogue, quoted as an identifier.
    await db.execute(sql.raw(`${did === "vacuum" ? "vacuum (analyze)" : "analyze"} public."${activity.table.replaceAll('"', '""')}"`));
    done.push({ table: activity.table, did });
  }
  return done;
}

/** Every minute (autovacuum's own naptime), and once at start-up, on the embedded database only (PostgreSQL has autovacuum). */
export function startEmbeddedUpkeep(): void {
  startPeriodicTask("embedded-upkeep", 60_000, async () => {
    const handle = await getDatabase();
    if (handle.kind !== "pglite") return;
    const done = await runEmbeddedUpkeep(handle.db);
    if (done.length > 0) logger().debug({ tables: done.length }, "embedded database vacuumed and analysed");
  });
}
