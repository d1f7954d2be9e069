import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { users } from "@/drizzle/schema";
import postgres from "postgres";
import { queryRows, resultRows } from "./client";
import { defaultPostgresPoolSize } from "./pool-size";
import { preparedQuery } from "./prepared-queries";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "./test-databases";

/*
 * The chart read's statements are named prepared statements on PostgreSQL (lib/db/prepared-statements.ts)
 * and drizzle queries built once (lib/db/prepared-queries.ts); both leave results and
 * transactions as they were.
 */
describe.each(testDatabaseKinds())("prepared queries on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  const roleOf = preparedQuery((db) =>
    db
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, sql.placeholder("id")))
      .prepare("test_role_of"),
  );

  it("builds a query once per database and runs it with each call's values", async () => {
    const db = database.db;
    expect(roleOf(db)).toBe(roleOf(db));
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    await db.insert(users).values(ids.map((id, index) => ({ id, role: index === 0 ? ("patient" as const) : ("doctor" as const) })));
    expect(await roleOf(db).execute({ id: ids[0] })).toEqual([{ role: "patient" }]);
    expect(await roleOf(db).execute({ id: ids[1] })).toEqual([{ role: "doctor" }]);
    expect(await roleOf(db).execute({ id: crypto.randomUUID() })).toEqual([]);
  });

  it("keeps transactions whole: a rolled-back write is gone, a committed one stays", async () => {
    const db = database.db;
    const [kept, dropped] = [crypto.randomUUID(), crypto.randomUUID()];
    await db.transaction(async (tx) => {
      await tx.insert(users).values({ id: kept, role: "patient" });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(users).values({ id: dropped, role: "patient" });
        await tx.transaction(async (savepoint) => savepoint.select().from(users).where(eq(users.id, dropped)));
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await roleOf(db).execute({ id: kept })).toEqual([{ role: "patient" }]);
    expect(await roleOf(db).execute({ id: dropped })).toEqual([]);
  });

  it.runIf(kind === "postgres")("sends drizzle's queries as named prepared statements, reused on the connection", async () => {
    await database.db.transaction(async (tx) => {
      const count = async () =>
        Number(resultRows<{ n: number }>(await tx.execute(sql`select count(*)::int as n from pg_prepared_statements where statement like '%"users"%'`))[0]!.n);
      const id = crypto.randomUUID();
      await tx.select().from(users).where(eq(users.id, id));
      const afterOne = await count();
      await tx.select().from(users).where(eq(users.id, id));
      expect(afterOne).toBeGreaterThan(0);
      expect(await count()).toBe(afterOne);
    });
  });

  it.runIf(kind === "postgres")("opens up to defaultPostgresPoolSize connections for statements in flight at once", async () => {
    // A lock held elsewhere stops every statement until as many as the pool allows are waiting on it.
    const holder = postgres(database.url!, { max: 1, onnotice: () => undefined });
    const key = 0x706f6f6c;
    try {
      await holder`select pg_advisory_lock(${key})`;
      const statements = Array.from({ length: defaultPostgresPoolSize + 5 }, () =>
        queryRows<{ pid: number }>(database.db, "select pg_backend_pid() as pid, pg_advisory_lock_shared($1::bigint), pg_advisory_unlock_shared($1::bigint)", [
          key,
        ]),
      );
      const waiting = async () =>
        Number((await holder`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and objid = ${key}`)[0]!.n);
      while ((await waiting()) < defaultPostgresPoolSize) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await waiting()).toBe(defaultPostgresPoolSize);
      await holder`select pg_advisory_unlock(${key})`;
      const pids = new Set((await Promise.all(statements)).map(([row]) => row!.pid));
      expect(pids.size).toBe(defaultPostgresPoolSize);
    } finally {
      await holder.end({ timeout: 5 });
    }
  });
});
