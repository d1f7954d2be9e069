import type { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows, type DatabaseHandle } from "./client";
import { pgliteNamedQuery } from "./pglite-named-statements.mjs";

/* PGlite only: on PostgreSQL, postgres.js prepares queryRows's statements itself (prepared-statements.db.test.ts). */
describe("named statements on PGlite", () => {
  let database: DatabaseHandle;
  let client: PGlite;
  beforeAll(async () => {
    // PGlite in this thread, whatever HSC_TEST_PGLITE_THREAD says: the test drives the instance itself.
    database = await openDatabase({ kind: "pglite", dataDir: null });
    client = (database.db as unknown as { $client: PGlite }).$client;
    await client.exec("create table named_things (id uuid primary key, label text, body bytea, at timestamptz, count int)");
  });
  afterAll(() => database.close());

  const prepared = async () => (await client.query<{ name: string }>("select name from pg_prepared_statements")).rows.map((row) => row.name);

  it("answers as PGlite.query does, parameters and types alike, preparing each text once", async () => {
    const id = crypto.randomUUID();
    const body = new Uint8Array([0, 1, 254, 255]);
    await pgliteNamedQuery(client, "insert into named_things values ($1, $2, $3, $4, $5)", [id, "a label", body, "2026-03-01T10:00:00.123Z", 7]);
    const text = "select id, label, body, at, count, count * $2::int as doubled, $3::text as nothing from named_things where id = $1";
    const before = await prepared();
    for (let round = 0; round < 3; round++) {
      const rows = await pgliteNamedQuery(client, text, [id, 2, null]);
      expect(rows).toEqual((await client.query(text, [id, 2, null])).rows);
      expect(rows).toEqual([{ id, label: "a label", body, at: new Date("2026-03-01T10:00:00.123Z"), count: 7, doubled: 14, nothing: null }]);
    }
    const after = await prepared();
    expect(after.length - before.length).toBe(1);
    expect(await pgliteNamedQuery(client, text, [crypto.randomUUID(), 2, null])).toEqual([]);
    expect(await prepared()).toEqual(after);
    // queryRows takes this path on PGlite.
    expect(await queryRows(database.db, text, [id, 3, "x"])).toEqual([expect.objectContaining({ doubled: 21, nothing: "x" })]);
    expect(await prepared()).toEqual(after);
  });

  it("throws PostgreSQL's error and leaves the session at rest; a text that does not parse is not kept", async () => {
    const divide = "select 10 / $1::int as quotient";
    await expect(pgliteNamedQuery(client, divide, [0])).rejects.toMatchObject({ code: "22012" });
    expect(await pgliteNamedQuery(client, divide, [5])).toEqual([{ quotient: 2 }]);
    const count = (await prepared()).length;
    await expect(pgliteNamedQuery(client, "select from from", [])).rejects.toMatchObject({ code: "42601" });
    expect((await prepared()).length).toBe(count);
    expect(await pgliteNamedQuery(client, "select $1::int + 1 as next", [1])).toEqual([{ next: 2 }]);
    expect((await client.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  it("never runs inside another caller's open transaction", async () => {
    const id = crypto.randomUUID();
    let inserted!: () => void;
    let release!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const transaction = client
      .transaction(async (tx) => {
        await tx.query("insert into named_things (id, label) values ($1, 'uncommitted')", [id]);
        inserted();
        await released;
        await tx.rollback();
      })
      .catch(() => undefined);
    await insertedYet;
    const read = pgliteNamedQuery<{ count: number }>(client, "select count(*)::int as count from named_things where id = $1", [id]);
    release();
    await transaction;
    expect(await read).toEqual([{ count: 0 }]);
  });
});
