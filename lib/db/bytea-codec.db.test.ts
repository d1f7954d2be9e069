import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { resultRows } from "./client";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "./test-databases";

/*
 * Every byte value survives a round trip through each driver, as a plain Uint8Array: on PGlite
 * the bytea codec is the project's own (lib/db/client.ts), not the driver's.
 */
describe.each(testDatabaseKinds())("bytea on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await database.db.execute(sql`create temporary table bytea_probe (id int primary key, body bytea)`);
  });
  afterAll(() => database.close());

  const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
  const samples: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one zero byte", new Uint8Array(1)],
    ["every byte value", everyByte],
    ["a view into a larger buffer", everyByte.subarray(10, 20)],
    ["64 KiB", Uint8Array.from({ length: 65_536 }, (_, index) => (index * 31) & 0xff)],
  ];

  it.each(samples)("%s", async (_, body) => {
    const id = samples.findIndex(([, sample]) => sample === body);
    await database.db.execute(sql`insert into bytea_probe (id, body) values (${id}, ${body})`);
    const [row] = resultRows<{ body: Uint8Array; length: number }>(
      await database.db.execute(sql`select body, length(body) as length from bytea_probe where id = ${id}`),
    );
    expect(Number(row!.length)).toBe(body.length);
    expect(row!.body).toBeInstanceOf(Uint8Array);
    expect(Array.from(row!.body)).toEqual(Array.from(body));
  });
});
