import "server-only";
import { protocol, types, type PGlite } from "@electric-sql/pglite";

type BackendMessage = Awaited<ReturnType<PGlite["execProtocolStream"]>>[number];
type ParameterDescriptionMessage = InstanceType<typeof protocol.messages.ParameterDescriptionMessage>;
type RowDescriptionMessage = InstanceType<typeof protocol.messages.RowDescriptionMessage>;
type DataRowMessage = InstanceType<typeof protocol.messages.DataRowMessage>;

interface Prepared {
  name: string;
  /** The type of each parameter, as PostgreSQL inferred it when the statement was parsed. */
  parameterTypes: number[];
}

/** Per PGlite instance: each statement text prepared on it, by text. */
const preparedOn = new WeakMap<PGlite, Map<string, Prepared>>();
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
export async function pgliteNamedQuery<Row>(client: PGlite, text: string, params: unknown[]): Promise<Row[]> {
  return client._runExclusiveTransaction(() =>
    client._runExclusiveQuery(async () => {
      const exchange = (message: Uint8Array) => client.execProtocolStream(message, { syncToFs: false });
      let statements = preparedOn.get(client);
      if (!statements) preparedOn.set(client, (statements = new Map()));
      const messages: BackendMessage[] = [];
      try {
        let prepared = statements.get(text);
        if (!prepared) {
          const name = `hsc_named_${(named += 1)}`;
          await exchange(protocol.serialize.parse({ name, text, types: [] }));
          const described = await exchange(protocol.serialize.describe({ type: "S", name }));
          const parameters = described.find((message) => message.name === "parameterDescription") as ParameterDescriptionMessage | undefined;
          prepared = { name, parameterTypes: parameters?.dataTypeIDs ?? [] };
          statements.set(text, prepared);
        }
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serializer = client.serializers[prepared.parameterTypes[index]!];
          return serializer ? serializer(value) : String(value);
        });
        messages.push(...(await exchange(protocol.serialize.bind({ statement: prepared.name, values }))));
        messages.push(...(await exchange(protocol.serialize.describe({ type: "P" }))));
        messages.push(...(await exchange(protocol.serialize.execute({}))));
      } finally {
        await exchange(protocol.serialize.sync());
      }
      await client.syncToFs();
      return rowsOf<Row>(messages, client.parsers);
    }),
  );
}

function rowsOf<Row>(messages: BackendMessage[], parsers: PGlite["parsers"]): Row[] {
  const description = messages.find((message) => message.name === "rowDescription") as RowDescriptionMessage | undefined;
  if (!description) return [];
  const rows: Row[] = [];
  for (const message of messages) {
    if (message.name !== "dataRow") continue;
    const row: Record<string, unknown> = {};
    (message as DataRowMessage).fields.forEach((value, index) => {
      const field = description.fields[index]!;
      row[field.name] = types.parseType(value, field.dataTypeID, parsers);
    });
    rows.push(row as Row);
  }
  return rows;
}
