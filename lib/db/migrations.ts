import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { migrationsFolder } from "./client";

/** The number of migrations drizzle-kit generated, from its journal. */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}
