import "server-only";
import type { Sql, TransactionSql } from "postgres";

type Callback = (sql: TransactionSql) => unknown;
type AnySql = Sql | TransactionSql;

/**
 * A postgres.js client on which every query drizzle sends is a named prepared statement.
 *
 * drizzle's postgres-js driver asks for a prepared statement only for queries named with
 * `.prepare(name)`; every other query goes as an unnamed statement, which postgres.js sends
 * as Parse + Describe, waits for the parameter types, then sends Bind + Execute: two round
 * trips, and PostgreSQL parses and plans the text every time. Prepared, a query text runs in
 * one round trip from its second use on a connection (postgres.js keys its per-connection
 * cache by text and parameter types, and retries a statement PostgreSQL invalidated after a
 * schema change). The caches are bounded by postgres.js's `max_lifetime` (30–60 minutes by
 * default), after which a connection is replaced. On the chart read this took a request from
 * 8 round trips to 4. Named statements do not survive a transaction-mode pooler (PgBouncer
 * before 1.21); the README says so.
 *
 * Transactions (`begin`) and savepoints hand their callback a client wrapped the same way.
 */
export function preparingEveryQuery<T extends AnySql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: Record<string, unknown>) =>
          (target.unsafe as (q: string, p?: unknown[], o?: Record<string, unknown>) => unknown)(query, parameters, { ...options, prepare: true });
      }
      if (property === "begin" || property === "savepoint") {
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const callback = args[last] as Callback;
          args[last] = (sql: TransactionSql) => callback(preparingEveryQuery(sql));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
}
