import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as schema from "@/drizzle/schema";

/**
 * A scan of the whole database for traces of ids (an account deleted, its files): every table
 * of drizzle/schema.ts, every row read in its text form (all columns: uuids, uuid arrays, text,
 * bytea as hex), searched for each id as text, as the hex of its text and, for a uuid, as the
 * hex of its 16 bytes (an id inside signed or encrypted-adjacent bytes). Not server-only on
 * purpose: database tests and e2e specs (which read a stopped server's database) share it.
 */

/** Raw SQL without parameters (the ids are checked to be plain tokens and inlined), as the caller's driver runs it. */
export type RawQuery = <Row>(text: string) => Promise<Row[]>;

/** One table where one id still appears, and in how many rows. */
export interface Trace {
  table: string;
  what: string;
  rows: number;
}

/** Every table drizzle/schema.ts declares, by its SQL name. */
export function schemaTables(): string[] {
  return Object.values(schema)
    .filter((value) => is(value, PgTable))
    .map((table) => getTableConfig(table as PgTable).name)
    .sort();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The forms an id takes in a row's text: itself, the hex of its text, and the hex of its bytes for a uuid. */
function formsOf(value: string): string[] {
  // Inlined into SQL: only the characters of uuids and base64url ids.
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error("an id to look for must be a uuid or base64url");
  const forms = [value.toLowerCase(), Buffer.from(value, "utf8").toString("hex")];
  if (uuidPattern.test(value)) forms.push(value.replaceAll("-", "").toLowerCase());
  return forms;
}

/**
 * Where any of `ids` (label → id) appears in the database, table by table; empty when nowhere.
 * `skip` names tables not to look in for a given label (what is kept on purpose, with the
 * README's reason), and throws if the database holds a table the schema does not declare
 * (a table added outside drizzle/schema.ts would escape the scan).
 */
export async function findTraces(query: RawQuery, ids: Record<string, string>, skip: Record<string, string[]> = {}): Promise<Trace[]> {
  const tables = schemaTables();
  const present = (await query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public'`)).map(
    (row) => row.name,
  );
  const undeclared = present.filter((name) => !tables.includes(name));
  if (undeclared.length > 0) throw new Error(`tables outside drizzle/schema.ts: ${undeclared.join(", ")}`);
  const traces: Trace[] = [];
  for (const table of tables) {
    for (const [what, id] of Object.entries(ids)) {
      if (skip[what]?.includes(table)) continue;
      const where = formsOf(id)
        .map((form) => `strpos(lower(t::text), '${form}') > 0`)
        .join(" or ");
      const [row] = await query<{ n: number }>(`select count(*)::int as n from "${table}" t where ${where}`);
      if (row && Number(row.n) > 0) traces.push({ table, what, rows: Number(row.n) });
    }
  }
  return traces;
}
