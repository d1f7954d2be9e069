import "server-only";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { migrationsFolder, openDatabase, type DatabaseHandle, type DatabaseKind } from "./client";

/**
 * Database tests run against embedded PGlite always, and against PostgreSQL too when
 * DATABASE_URL is set. Each call gets a fresh, fully migrated database of its own.
 */
export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestDatabase extends DatabaseHandle {
  /** The connection string of a PostgreSQL test database, for a second process to open it (crash tests). */
  url?: string;
  /** Closes the connection and drops what was created for the test. */
  dispose(): Promise<void>;
}

/** A fresh database migrated with `folder` (all of drizzle/migrations unless a migration test starts earlier). */
export async function createTestDatabase(kind: DatabaseKind, folder: string = migrationsFolder): Promise<TestDatabase> {
  if (kind === "pglite") {
    // HSC_TEST_PGLITE_THREAD=1: on a thread of its own, as the server runs it (lib/db/pglite-thread-client.ts).
    const handle = await openDatabase({ kind: "pglite", dataDir: null, thread: process.env.HSC_TEST_PGLITE_THREAD === "1" }, folder);
    return { ...handle, dispose: () => handle.close() };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  const name = `hsc_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString() }, folder);
  return {
    ...handle,
    url: url.toString(),
    dispose: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** A copy of drizzle/migrations holding only the migrations before `tag`. */
export function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), "hsc-migrations-"));
  mkdirSync(path.join(folder, "meta"));
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: Array<{ tag: string }> };
  const cut = journal.entries.findIndex((entry) => entry.tag === tag);
  if (cut < 0) throw new Error(`no migration ${tag}`);
  const entries = journal.entries.slice(0, cut);
  for (const entry of entries) copyFileSync(path.join(migrationsFolder, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  writeFileSync(path.join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries }));
  return folder;
}
