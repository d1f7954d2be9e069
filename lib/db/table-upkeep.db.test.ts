import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/drizzle/schema";
import { createRecords } from "@/lib/records/chart-store";
import { insertPeople, newRecordItem } from "@/lib/grants/test-fixtures";
import { resultRows } from "./client";
import { runTableUpkeep, upkeepFor, upkeepIsOurs } from "./table-upkeep";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "./test-databases";

describe("autovacuum's thresholds", () => {
  it("vacuums past 50 + 20% dead rows, else analyses past 50 + 10% changed, else leaves the table", () => {
    expect(upkeepFor({ table: "t", live: 1000, dead: 251, modified: 0 })).toBe("vacuum");
    expect(upkeepFor({ table: "t", live: 1000, dead: 250, modified: 151 })).toBe("analyze");
    expect(upkeepFor({ table: "t", live: 1000, dead: 250, modified: 150 })).toBeNull();
    expect(upkeepFor({ table: "t", live: 0, dead: 0, modified: 51 })).toBe("analyze");
  });
});

describe.each(testDatabaseKinds())("table upkeep on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
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

  it("is the server's to do on the embedded database, and on PostgreSQL exactly when autovacuum is off", async () => {
    const [setting] = resultRows<{ autovacuum: string }>(await database.db.execute(sql`select current_setting('autovacuum') as autovacuum`));
    expect(await upkeepIsOurs(database.db, kind)).toBe(kind === "pglite" || setting!.autovacuum === "off");
  });

  it("analyses a table that changed past the threshold, and then has nothing to do", async () => {
    await database.db.insert(users).values(Array.from({ length: 200 }, () => ({ id: randomUUID(), role: "patient" as const })));
    await flushCounters();
    expect((await statistics()).modified).toBeGreaterThanOrEqual(200);
    const done = await runTableUpkeep(database.db);
    expect(done).toContainEqual({ table: "users", did: "analyze" });
    await flushCounters();
    expect(await statistics()).toEqual({ analysed: true, modified: 0 });
    expect(await runTableUpkeep(database.db)).toEqual([]);
  });

  it("vacuums a table whose rows mostly died", async () => {
    await database.db.execute(sql`delete from users`);
    await flushCounters();
    const done = await runTableUpkeep(database.db);
    expect(done).toContainEqual({ table: "users", did: "vacuum" });
  });

  // What the upkeep is for: a chart imported a moment ago is paged by walking the person's index, not by sorting the whole chart.
  it("leaves a freshly imported chart's first page read by its index instead of a sort of every record", async () => {
    const owner = randomUUID();
    await insertPeople(database.db, { patients: [owner] });
    for (let batch = 0; batch < 4; batch++)
      await createRecords(
        database.db,
        owner,
        Array.from({ length: 500 }, () => newRecordItem()),
      );
    const firstPagePlan = async () =>
      resultRows<{ "QUERY PLAN": string }>(
        await database.db.execute(sql`explain select id from records where owner_id = ${owner} order by created_at, id limit 21`),
      )
        .map((row) => row["QUERY PLAN"])
        .join("\n");
    expect(await firstPagePlan()).toMatch(/Sort/);
    await flushCounters();
    expect(await runTableUpkeep(database.db)).toContainEqual({ table: "records", did: "analyze" });
    const plan = await firstPagePlan();
    expect(plan).not.toMatch(/Sort/);
    expect(plan).toMatch(/Index (Only )?Scan using records_owner_created_idx/);
  });

  it.runIf(kind === "postgres")("passes over a table another session is vacuuming or analysing instead of waiting for it", async () => {
    await database.db.insert(users).values(Array.from({ length: 200 }, () => ({ id: randomUUID(), role: "patient" as const })));
    await flushCounters();
    // The lock VACUUM and ANALYZE take, held by another connection as another instance's upkeep would.
    const other = postgres(database.url!, { max: 1, onnotice: () => undefined });
    let release: () => void = () => {};
    try {
      let locked: () => void = () => {};
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const held = other.begin(async (tx) => {
        await tx`lock table users in share update exclusive mode`;
        locked();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await lockTaken;
      // Held until the upkeep returns: an upkeep that waited for the lock would never return.
      const waited = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the upkeep waited for the other session's lock")), 10_000).unref());
      const done = await Promise.race([runTableUpkeep(database.db), waited]);
      expect(done).toContainEqual({ table: "users", did: "analyze" });
      release();
      await held;
    } finally {
      release();
      await other.end({ timeout: 5 });
    }
  });
});
