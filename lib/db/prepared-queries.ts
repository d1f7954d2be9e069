import "server-only";
import type { Executor } from "./client";

/**
 * A drizzle query built once per database (or transaction) object and run many times with
 * `.execute(values)` for its `sql.placeholder`s.
 *
 * drizzle builds a query's SQL text anew on every call (walking its expression tree, checking
 * every entity's kind), which cost more CPU than PostgreSQL's own work on the statements a
 * request makes most (the session lookup, the chart's page): measured on the chart read, about
 * 0.4 ms against 0.1 ms per statement. A prepared drizzle query keeps its text and only fills in
 * the values (through each column's encoder, as an unprepared query would).
 *
 * `build` gets the database and returns `query.prepare(name)`; the name must be unique in the
 * process (drizzle passes it to the driver).
 */
export function preparedQuery<Q>(build: (db: Executor) => Q): (db: Executor) => Q {
  const built = new WeakMap<Executor, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
