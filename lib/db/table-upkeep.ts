import "server-only";
import { sql } from "drizzle-orm";
import { logger } from "@/lib/log";
import { runPeriodicTaskSoon, startPeriodicTask } from "@/lib/periodic-task";
import { resultRows, type Database, type DatabaseKind } from "./client";
import { getDatabase } from "./index";

/**
 * PostgreSQL's autovacuum keeps table statistics and the visibility map current; PGlite has no
 * background workers, so an embedded database never analyses or vacuums itself, and neither
 * does a PostgreSQL server run with `autovacuum = off` (this machine's and its CI's are).
 * Without statistics the planner guesses: the chart's first page was read by sorting all of a
 * person's records instead of walking the (owner, created_at, id) index. On PostgreSQL 15 that
 * was 1.1 ms of the server's CPU per read of a freshly imported chart of 2,001 records, and
 * 0.42 ms once analysed (pgbench, 20 clients, the read's own statement). This does
 * autovacuum's job with its default thresholds wherever autovacuum does not run.
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

export type UpkeepDone = Array<{ table: string; did: "vacuum" | "analyze" }>;

/** What autovacuum would do to each table now: "vacuum" (which analyses too), "analyze" or nothing. */
export function upkeepFor(activity: TableActivity): "vacuum" | "analyze" | null {
  if (activity.dead > vacuumBase + vacuumScale * activity.live) return "vacuum";
  if (activity.modified > analyzeBase + analyzeScale * activity.live) return "analyze";
  return null;
}

/**
 * Whether this server must keep the tables itself: always on PGlite; on PostgreSQL when the
 * server's `autovacuum` setting is off (read each time: an operator may turn it on or off
 * with a reload, no restart of ours).
 */
export async function upkeepIsOurs(db: Database, kind: DatabaseKind): Promise<boolean> {
  if (kind === "pglite") return true;
  const [row] = resultRows<{ autovacuum: string }>(await db.execute(sql`select current_setting('autovacuum') as autovacuum`));
  return row?.autovacuum === "off";
}

/**
 * Vacuums and analyses the tables of the public schema that have changed past autovacuum's
 * thresholds, one at a time. Returns what it did, table by table. PGlite runs each statement on
 * the server's event loop: a table at a time keeps each pause short (ANALYZE samples at most
 * 30,000 rows). `SKIP_LOCKED` (PostgreSQL 12+) passes over a table another session is already
 * vacuuming or analysing: every instance of a deployment runs this at the same moments, and
 * the second would otherwise wait to do the same work again. A table passed over is still
 * reported, as what was asked.
 */
export async function runTableUpkeep(db: Database): Promise<UpkeepDone> {
  const tables = resultRows<TableActivity>(
    await db.execute(sql`
      select relname as "table", n_live_tup::int as live, n_dead_tup::int as dead, n_mod_since_analyze::int as modified
      from pg_stat_user_tables where schemaname = 'public' order by relname`),
  );
  const done: UpkeepDone = [];
  for (const activity of tables) {
    const did = upkeepFor(activity);
    if (!did) continue;
    // The name comes from the catalogue, quoted as an identifier.
    const table = `public."${activity.table.replaceAll('"', '""')}"`;
    await db.execute(sql.raw(did === "vacuum" ? `vacuum (analyze, skip_locked) ${table}` : `analyze (skip_locked) ${table}`));
    done.push({ table: activity.table, did });
  }
  return done;
}

const taskName = "table-upkeep";

/**
 * Every minute (autovacuum's own naptime), and once at start-up, wherever autovacuum does not
 * run (`upkeepIsOurs`); on PostgreSQL with autovacuum it does nothing.
 */
export function startTableUpkeep(): void {
  let toldOff = false;
  startPeriodicTask(taskName, 60_000, async () => {
    const handle = await getDatabase();
    if (!(await upkeepIsOurs(handle.db, handle.kind))) return;
    if (handle.kind === "postgres" && !toldOff) {
      toldOff = true;
      logger().warn("PostgreSQL's autovacuum is off: this server analyses and vacuums the tables it uses itself, every minute");
    }
    const done = await runTableUpkeep(handle.db);
    if (done.length > 0) logger().debug({ tables: done.length }, "tables vacuumed and analysed");
  });
}

/**
 * After a write of `rows` rows at once (an import), asks for the upkeep a few seconds from now
 * instead of at the next minute: reads of what was written would be planned without
 * statistics until then (the first page of a chart imported a moment ago sorted the whole
 * chart). Fewer rows than autovacuum's base threshold ask for nothing. A few seconds, because
 * PostgreSQL publishes a session's row counts at most once a second, when it goes idle;
 * several asks before the run make one run. Where autovacuum runs, the run does nothing.
 */
export function upkeepAfterWriting(rows: number): void {
  if (rows > analyzeBase) runPeriodicTaskSoon(taskName, 2_000);
}
