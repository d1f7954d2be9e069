import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/drizzle/schema";
import { resultRows } from "./client";
import { runEmbeddedUpkeep, upkeepFor } from "./embedded-upkeep";
import { createTestDatabase, type TestDatabase } from "./test-databases";

describe("autovacuum's thresholds", () => {
  it("vacuums past 50 + 20% dead rows, else analyses past 50 + 10% changed, else leaves the table", () => {
    expect(upkeepFor({ table: "t", live: 1000, dead: 251, modified: 0 })).toBe("vacuum");
    expect(upkeepFor({ table: "t", live: 1000, dead: 250, modified: 151 })).toBe("analyze");
    expect(upkeepFor({ table: "t", live: 1000, dead: 250, modified: 150 })).toBeNull();
    expect(upkeepFor({ table: "t", live: 0, dead: 0, modified: 51 })).toBe("analyze");
  });
});

// PGlite only: PostgreSQL has autovacuum, and the server runs this upkeep on the embedded database alone.
describe("upkeep of the embedded database", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  // A backend reports its counters at most once a second; the test asks for the report now.
  const flushCounters = async () => {
    await database.db.execute(sql`select pg_stat_force_next_flush()`);
    await database.db.execute(sql`select 1`);
  };
  const statistics = async () =>
    resultRows<{ analysed: boolean; modified: number }>(
      await database.db.execute(
        sql`select last_analyze is not null as analysed, n_mod_since_analyze::int as modified from pg_stat_user_tables where relname = 'users'`,
      ),
    )[0]!;

  it("analyses a table that changed past the threshold, and then has nothing to do", async () => {
    await database.db.insert(users).values(Array.from({ length: 200 }, () => ({ id: randomUUID(), role: "patient" as const })));
    await flushCounters();
    expect((await statistics()).modified).toBeGreaterThanOrEqual(200);
    const done = await runEmbeddedUpkeep(database.db);
    expect(done).toContainEqual({ table: "users", did: "analyze" });
    await flushCounters();
    expect(await statistics()).toEqual({ analysed: true, modified: 0 });
    expect(await runEmbeddedUpkeep(database.db)).toEqual([]);
  });

  it("vacuums a table whose rows mostly died", async () => {
    await database.db.execute(sql`delete from users`);
    await flushCounters();
    const done = await runEmbeddedUpkeep(database.db);
    expect(done).toContainEqual({ table: "users", did: "vacuum" });
  });
});
