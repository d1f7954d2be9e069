import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { sharedRecordsOf } from "@/lib/grants/shared-store";
import { insertPeople, newPatientSharing } from "@/lib/grants/test-fixtures";
import { chartPageForSession } from "@/lib/records/chart-read";
import { chartOf } from "@/lib/records/chart-store";
import { hashSessionToken, startSession } from "@/lib/sessions/session-store";
import { resultRows } from "./client";
import { oneSession } from "./plan-counts";
import { createTestDatabase, type TestDatabase } from "./test-databases";

const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };
const reads = 12;

// On PostgreSQL every query is a prepared statement (prepared-statements.ts); PGlite's one named
// statement, the chart read, is held to the same in chart-read.db.test.ts.
describe.skipIf(!process.env.DATABASE_URL)("the hot reads' prepared statements, on postgres", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("are planned once and kept, not planned afresh on every read of a large chart", async () => {
    // PostgreSQL plans a statement for its values for the first five executions, then keeps a
    // generic plan unless that looks costlier; for the chart read it always did (its LIMIT was a
    // parameter), and planning was a third of the database's CPU per read.
    const doctor = randomUUID();
    await insertPeople(database.db, { doctors: [doctor] });
    const { patient, grantId } = await newPatientSharing(database.db, doctor, 2000);
    await database.db.execute(sql`analyze`);
    const { token } = await startSession(database.db, patient, policy);
    const session = oneSession(database);
    try {
      for (let read = 0; read < reads; read++) {
        expect((await sharedRecordsOf(session.db, doctor, grantId, new Date(), { limit: 20 })).records).toHaveLength(20);
        expect((await chartOf(session.db, patient, { limit: 20 })).records).toHaveLength(20);
        expect((await chartPageForSession(session.db, hashSessionToken(token), policy, new Date(), { limit: 20 }))!.parse().records).toHaveLength(20);
      }
      const statements = resultRows<{ statement: string; generic_plans: string; custom_plans: string }>(
        await session.db.execute(sql`select statement, generic_plans, custom_plans from pg_prepared_statements`),
      ).filter((row) => Number(row.generic_plans) + Number(row.custom_plans) >= reads);
      expect(statements.length).toBeGreaterThanOrEqual(3);
      const replanned = statements.filter((row) => Number(row.custom_plans) > 5).map((row) => row.statement.replace(/\s+/g, " ").slice(0, 200));
      expect(replanned).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
