// The embedded database's own thread (a worker_threads Worker started by
// pglite-thread-client.ts). Plain JavaScript: it runs outside Next's bundle, loaded by path.
//
// PGlite is PostgreSQL compiled to WebAssembly and runs on the thread that calls it. On the
// server's main thread every statement's planning and execution stopped the event loop that
// also parses requests and writes answers: under 50 connections the chart read spent about
// 0.8 ms of each 2.3 ms of the main thread inside PGlite. Here it runs beside it, on another
// core.
//
// Messages in: { id, op, ... }; each gets exactly one answer { id, ok: true, value } or
// { id, ok: false, error }. Ops:
//   open { dataDir }                            -> null, once the database is ready
//   query { text, params, rowMode, textTypes, tx? } -> PGlite's Results ({ rows, fields, affectedRows })
//   named { text, params }                      -> rows (pgliteNamedQuery)
//   begin                                       -> a transaction id, once inside it
//   end { tx, commit }                          -> null, once committed or rolled back
//   close                                       -> null, once closed
import { parentPort } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { byteaCodec } from "./pglite-codec.mjs";
import { pgliteNamedQuery } from "./pglite-named-statements.mjs";

/** @type {PGlite | null} */
let db = null;
/** Open transactions by id: PGlite's transaction object, how to end it (true: commit), and PGlite's promise of its end. */
const transactions = new Map();
let nextTransaction = 1;
/** Thrown inside PGlite's transaction callback to make it roll back; not a failure. */
const rollBack = Symbol("roll back");

/** The fields of a PostgreSQL error worth carrying across (node-postgres's DatabaseError's). */
const errorFields = [
  "code",
  "severity",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
];

function describeError(error) {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const described = { name: error.name, message: error.message, stack: error.stack };
  for (const field of errorFields) if (error[field] !== undefined) described[field] = error[field];
  return described;
}

/** drizzle passes per-query parsers that keep some types as their text (timestamps, dates, intervals): named here by type id. */
function queryOptions(rowMode, textTypes) {
  const parsers = {};
  for (const type of textTypes ?? []) parsers[type] = (value) => value;
  return { rowMode: rowMode ?? "object", parsers };
}

function executorOf(tx) {
  if (tx === undefined) return db;
  const open = transactions.get(tx);
  if (!open) throw new Error(`no open transaction ${tx} on the embedded database's thread`);
  return open.tx;
}

async function answer(message) {
  switch (message.op) {
    case "open":
      db = new PGlite({ ...(message.dataDir ? { dataDir: message.dataDir } : {}), ...byteaCodec });
      await db.waitReady;
      return null;
    case "query":
      return executorOf(message.tx).query(message.text, message.params, queryOptions(message.rowMode, message.textTypes));
    case "named":
      return pgliteNamedQuery(db, message.text, message.params);
    case "begin": {
      const id = nextTransaction++;
      let end;
      const ended = new Promise((resolve) => (end = resolve));
      return new Promise((opened, failed) => {
        // PGlite calls back only once BEGIN has run (after an await), so `finished` is set by then.
        const finished = db.transaction(async (tx) => {
          transactions.set(id, { tx, end, finished });
          opened(id);
          if (!(await ended)) throw rollBack;
        });
        // A BEGIN that failed never opened the transaction; a later failure is `end`'s to report.
        finished.catch((error) => {
          if (!transactions.has(id)) failed(error);
        });
      });
    }
    case "end": {
      const open = transactions.get(message.tx);
      if (!open) throw new Error(`no open transaction ${message.tx} on the embedded database's thread`);
      open.end(message.commit);
      try {
        await open.finished;
      } catch (error) {
        if (error !== rollBack) throw error;
      } finally {
        transactions.delete(message.tx);
      }
      return null;
    }
    case "close":
      await db?.close();
      db = null;
      return null;
    default:
      throw new Error(`unknown operation ${String(message.op)} for the embedded database's thread`);
  }
}

/** Sends an answer; one structured clone cannot carry is answered as that failure, not left to end the thread. */
function send(id, answered) {
  try {
    parentPort.postMessage({ id, ...answered });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: describeError(error) });
  }
}

// A message that cannot be read has no id to answer: the thread stops, and the server with it (pglite-thread-client.ts).
parentPort.on("messageerror", (error) => {
  throw error;
});

parentPort.on("message", (message) => {
  answer(message).then(
    (value) => send(message.id, { ok: true, value }),
    (error) => send(message.id, { ok: false, error: describeError(error) }),
  );
});
