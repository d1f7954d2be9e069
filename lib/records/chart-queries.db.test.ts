import { randomBytes, randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import * as schema from "@/drizzle/schema";
import { migrationsFolder, type Database } from "@/lib/db/client";
import { addVersion, chartOf, createRecords, recordOf, versionsOf } from "./chart-store";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const version = (number: number) => ({
  version: number,
  keyVersion: 1,
  content: b64(randomBytes(42 + 256)),
  commitment: b64(randomBytes(32)),
  signature: b64(randomBytes(64)),
});

/**
 * How many SQL statements the chart's reads send, counted by drizzle's query logger on a
 * database of their own: a fixed number, whatever the number of records and versions (no
 * query per record or per version). Counting does not depend on the driver, so PGlite alone.
 */
describe("the chart's reads", () => {
  let client: PGlite;
  let db: Database;
  let statements = 0;
  const counted = async (read: () => Promise<unknown>) => {
    statements = 0;
    await read();
    return statements;
  };

  beforeAll(async () => {
    await cryptoReady();
    client = new PGlite();
    const counting = drizzle(client, { schema, logger: { logQuery: () => void (statements += 1) } });
    await migrate(counting, { migrationsFolder });
    db = counting as unknown as Database;
  });
  afterAll(async () => {
    await client?.close();
  });

  /** A patient with `records` records of `versions` versions each. */
  async function patientWith(records: number, versions: number): Promise<{ ownerId: string; recordIds: string[] }> {
    const ownerId = randomUUID();
    await db.insert(schema.users).values({ id: ownerId, role: "patient" });
    const items = Array.from({ length: records }, () => ({ id: randomUUID(), ownerWrap: b64(randomBytes(74)), version: version(1) }));
    await createRecords(db, ownerId, items);
    for (const item of items) for (let number = 2; number <= versions; number++) await addVersion(db, ownerId, item.id, version(number));
    return { ownerId, recordIds: items.map((item) => item.id) };
  }

  it("load the whole chart in the same number of statements for 1 record of 1 version and 20 records of 3 versions", async () => {
    const small = await patientWith(1, 1);
    const large = await patientWith(20, 3);
    const few = await counted(() => chartOf(db, small.ownerId));
    const many = await counted(() => chartOf(db, large.ownerId));
    expect((await chartOf(db, large.ownerId)).records.every((record) => record.statements.length === 3)).toBe(true);
    expect(many).toBe(few);
    // The audit append, then the records with current versions and wraps (one join), then every statement (one query):
    // 6 statements in all when this was written.
    expect(many).toBeLessThanOrEqual(8);
  });

  it("read one record and one record's versions in a fixed number of statements", async () => {
    const { ownerId, recordIds } = await patientWith(3, 1);
    const deep = await patientWith(1, 12);
    const one = await counted(() => recordOf(db, deep.ownerId, deep.recordIds[0]!));
    expect(one).toBe(await counted(() => recordOf(db, ownerId, recordIds[0]!)));
    const history = await counted(() => versionsOf(db, deep.ownerId, deep.recordIds[0]!));
    expect(history).toBe(await counted(() => versionsOf(db, ownerId, recordIds[0]!)));
    // 7 each when this was written: the owner check, the audit append, then one query each for the rest.
    expect(Math.max(one, history)).toBeLessThanOrEqual(9);
  });
});
