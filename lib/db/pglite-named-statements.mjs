// Plain JavaScript (with pglite-named-statements.d.mts beside it): the embedded database's
// thread (pglite-thread.mjs) runs outside Next, without TypeScript, and loads this as it is.
import { protocol, types } from "@electric-sql/pglite";

/**
 * Per PGlite instance: each statement text prepared on it, by text, as its name and the type
 * of each parameter (as PostgreSQL inferred it when the statement was parsed).
 * @type {WeakMap<object, Map<string, { name: string, parameterTypes: number[] }>>}
 */
const preparedOn = new WeakMap();
/** Names are never reused, not even after a Parse that failed half-way: PostgreSQL may hold it. */
let named = 0;

/**
 * Runs one SQL text with positional parameters on PGlite as a NAMED prepared statement, which
 * `PGlite.query` never uses: it sends every text as an unnamed statement (Parse, Describe,
 * Bind, Describe, Execute, Sync), so PostgreSQL parses and plans it on each call. The chart
 * read's statement spent about a third of its WebAssembly CPU planning. Here the text is
 * parsed once per instance; PostgreSQL then keeps its plan (a generic one once it costs no
 * more than the custom ones) and replans by itself after a schema change. Each call is
 * Bind, Describe, Execute, Sync.
 *
 * It runs under both of PGlite's locks, as `PGlite.describeQuery` does: the transaction lock,
 * so it never runs inside another caller's open transaction, then the query lock. Values are
 * sent as `PGlite.query` sends them (the instance's serializer for the parameter's type, else
 * `toString()`; null as SQL NULL) and rows come back as objects keyed by column name, parsed
 * by the instance's parsers.
 * @throws PGlite's DatabaseError (with PostgreSQL's code) when the statement fails; the
 *   session is back at rest (Sync sent) and a text that failed to parse is not remembered.
 */
export async function pgliteNamedQuery(client, text, params) {
  return client._runExclusiveTransaction(() =>
    client._runExclusiveQuery(async () => {
      const exchange = (message) => client.execProtocolStream(message, { syncToFs: false });
      let statements = preparedOn.get(client);
      if (!statements) preparedOn.set(client, (statements = new Map()));
      const messages = [];
      try {
        let prepared = statements.get(text);
        if (!prepared) {
          const name = `hsc_named_${(named += 1)}`;
          await exchange(protocol.serialize.parse({ name, text, types: [] }));
          const described = await exchange(protocol.serialize.describe({ type: "S", name }));
          const parameters = described.find((message) => message.name === "parameterDescription");
          prepared = { name, parameterTypes: parameters?.dataTypeIDs ?? [] };
          statements.set(text, prepared);
        }
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serializer = client.serializers[prepared.parameterTypes[index]];
          return serializer ? serializer(value) : String(value);
        });
        messages.push(...(await exchange(protocol.serialize.bind({ statement: prepared.name, values }))));
        messages.push(...(await exchange(protocol.serialize.describe({ type: "P" }))));
        messages.push(...(await exchange(protocol.serialize.execute({}))));
      } finally {
        await exchange(protocol.serialize.sync());
      }
      await client.syncToFs();
      return rowsOf(messages, client.parsers);
    }),
  );
}

function rowsOf(messages, parsers) {
  const description = messages.find((message) => message.name === "rowDescription");
  if (!description) return [];
  const rows = [];
  for (const message of messages) {
    if (message.name !== "dataRow") continue;
    const row = {};
    message.fields.forEach((value, index) => {
      const field = description.fields[index];
      row[field.name] = types.parseType(value, field.dataTypeID, parsers);
    });
    rows.push(row);
  }
  return rows;
}
