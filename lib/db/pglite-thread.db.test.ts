import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/drizzle/schema";
import { openDatabase, queryRows, resultRows, type DatabaseHandle } from "./client";
import { byteaCodec } from "./pglite-codec.mjs";
import { EmbeddedDatabaseError, PGliteThread } from "./pglite-thread-client";

/*
 * The embedded database on a thread of its own, as the server runs it: the same answers as
 * PGlite in this thread, transactions that hold others off until they end, PostgreSQL's errors
 * with their fields, and a thread that cannot open its directory or has stopped says so.
 */
describe("PGlite on its own thread", () => {
  let thread: PGliteThread;
  let local: PGlite;
  beforeAll(async () => {
    thread = await PGliteThread.open(null);
    local = new PGlite({ ...byteaCodec });
    const schema = "create table things (id int primary key, label text, body bytea, at timestamptz, big bigint, tags text[], doc jsonb)";
    await thread.query(schema);
    await local.query(schema);
  });
  afterAll(async () => {
    await thread?.close();
    await local?.close();
  });

  it("answers every type as PGlite in this thread does, rows as objects or arrays, and drizzle's text types as text", async () => {
    const row = [
      1,
      "a label",
      new Uint8Array([0, 1, 254, 255]),
      new Date("2026-03-01T10:00:00.123Z"),
      "9007199254740993",
      ["x", "y"],
      JSON.stringify({ a: [1, null] }),
    ];
    const insert = "insert into things values ($1, $2, $3, $4, $5, $6, $7)";
    await thread.query(insert, row);
    await local.query(insert, row);
    const select = "select *, null::text as nothing from things where id = $1";
    for (const options of [{}, { rowMode: "array" as const }, { rowMode: "array" as const, parsers: { 1184: (value: string) => value } }]) {
      const there = await thread.query(select, [1], options);
      const here = await local.query(select, [1], options);
      expect(there.rows).toEqual(here.rows);
      expect(there.fields).toEqual(here.fields);
    }
    const [asText] = (await thread.query<unknown[]>(select, [1], { rowMode: "array", parsers: { 1184: (value: string) => value } })).rows;
    expect(typeof asText![3]).toBe("string");
    expect((await thread.query<{ body: Uint8Array }>("select body from things")).rows[0]!.body).toBeInstanceOf(Uint8Array);
    expect(await thread.namedQuery("select label, body from things where id = $1", [1])).toEqual([
      { label: "a label", body: new Uint8Array([0, 1, 254, 255]) },
    ]);
  });

  it("commits a transaction whose callback returns and rolls back one that throws, and holds statements outside it off until it ends", async () => {
    const order: string[] = [];
    let outside: Promise<unknown> = Promise.resolve();
    const committed = await thread.transaction(async (tx) => {
      await tx.query("insert into things (id, label) values (10, 'in a transaction')");
      outside = thread
        .query("select count(*)::int as n from things where id = 10")
        .then((result) => order.push(`outside saw ${(result.rows[0] as { n: number }).n}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push("transaction ends");
      return "returned";
    });
    await outside;
    expect(committed).toBe("returned");
    expect(order).toEqual(["transaction ends", "outside saw 1"]);

    await expect(
      thread.transaction(async (tx) => {
        await tx.query("insert into things (id, label) values (11, 'rolled back')");
        throw new Error("the caller's own failure");
      }),
    ).rejects.toThrow("the caller's own failure");
    expect((await thread.query("select id from things where id = 11")).rows).toEqual([]);
  });

  it("rejects with PostgreSQL's error and its fields, inside a transaction and at its commit, and keeps working", async () => {
    const duplicate = await thread.query("insert into things (id) values (1)").catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(EmbeddedDatabaseError);
    expect(duplicate).toMatchObject({ code: "23505", constraint: "things_pkey", table: "things" });

    await thread.query("create table deferred (x int unique deferrable initially deferred)");
    const atCommit = await thread
      .transaction(async (tx) => {
        await tx.query("insert into deferred values (1), (1)");
      })
      .catch((error: unknown) => error);
    expect(atCommit).toMatchObject({ code: "23505" });
    expect((await thread.query("select count(*)::int as n from deferred")).rows).toEqual([{ n: 0 }]);
  });

  it("rejects a parameter structured clone cannot carry, and keeps working", async () => {
    await expect(thread.query("select $1::text as value", [() => "a function"])).rejects.toThrow();
    expect((await thread.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  it("never carries the value PostgreSQL's message quotes into the stack the log keeps", async () => {
    const failed = (await thread.namedQuery("select $1::uuid as v", ["SECRET-VALUE"]).catch((error: unknown) => error)) as Error;
    expect(failed).toBeInstanceOf(EmbeddedDatabaseError);
    expect(failed.message).toContain("invalid input syntax for type uuid");
    // lib/log.ts keeps every line of the stack but its first.
    expect(failed.stack!.split("\n").slice(1).join("\n")).not.toContain("SECRET-VALUE");
    expect(failed.stack).toContain("on the embedded database's thread");
  });

  it("gives PostgreSQL's own fields as PGlite in this thread does", async () => {
    const there = (await thread.query("select 1/0").catch((error: unknown) => error)) as Record<string, unknown>;
    const here = (await local.query("select 1/0").catch((error: unknown) => error)) as Record<string, unknown>;
    for (const field of ["code", "severity", "file", "line", "routine"]) expect(there[field]).toEqual(here[field]);
  });

  it("refuses a parameter whose class structured clone would drop (its toString or toJSON with it), instead of storing another value", async () => {
    await expect(thread.query("select $1::text as value", [new URL("https://example.org/")])).rejects.toThrow(/\$1 \(URL\)/);
    await expect(thread.namedQuery("select $1::jsonb as value", [{ price: new URL("https://example.org/") }])).rejects.toThrow(/\$1\.price \(URL\)/);
    // What does cross: a Buffer as bytea, plain objects and arrays, dates.
    const bytes = Buffer.from("abc");
    expect((await thread.query<{ value: Uint8Array }>("select $1::bytea as value", [bytes])).rows[0]!.value).toEqual(new Uint8Array(bytes));
    expect((await thread.query("select $1::jsonb as value", [JSON.stringify({ a: [1] })])).rows).toEqual([{ value: { a: [1] } }]);
  });

  it("tells its owner, once, of a thread that stops other than by close, and not of a close", async () => {
    const heard: Error[] = [];
    const dying = await PGliteThread.open(null, (cause) => heard.push(cause));
    await (dying as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(dying.query("select 1")).rejects.toThrow(/exited/);
    expect(heard.map((cause) => cause.message)).toEqual([expect.stringMatching(/exited/)]);
    const closed = await PGliteThread.open(null, (cause) => heard.push(cause));
    await closed.close();
    expect(heard).toHaveLength(1);
  });

  it("refuses statements once closed, naming why", async () => {
    const closing = await PGliteThread.open(null);
    await closing.close();
    await expect(closing.query("select 1")).rejects.toThrow(/exited/);
  });

  it("fails to open a directory that is not one, and leaves no thread running", async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), "hsc-thread-"));
    try {
      const notADirectory = path.join(scratch, "file");
      writeFileSync(notADirectory, "not a database");
      await expect(PGliteThread.open(notADirectory)).rejects.toThrow();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("the server's embedded database (drizzle, migrations, named statements) on its own thread", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ kind: "pglite", dataDir: null, thread: true });
  });
  afterAll(() => handle?.close());

  it("is migrated, and serves drizzle's queries, transactions with savepoints, and queryRows", async () => {
    expect(await handle.appliedMigrations()).toBeGreaterThan(0);
    const id = crypto.randomUUID();
    await handle.db.transaction(async (tx) => {
      await tx.insert(users).values({ id, role: "patient" });
      await tx
        .transaction(async (nested) => {
          await nested.insert(users).values({ id: crypto.randomUUID(), role: "doctor" });
          nested.rollback();
        })
        .catch(() => undefined);
    });
    const rows = await handle.db.select({ id: users.id, role: users.role, createdAt: users.createdAt }).from(users);
    expect(rows).toEqual([{ id, role: "patient", createdAt: expect.any(Date) }]);
    expect(resultRows<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from users`))).toEqual([{ n: 1 }]);
    expect(await queryRows(handle.db, "select role from users where id = $1", [id])).toEqual([{ role: "patient" }]);
  });
});
