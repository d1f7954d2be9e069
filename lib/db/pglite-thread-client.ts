import "server-only";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PGlite, Results } from "@electric-sql/pglite";

/** The worker's entry, loaded by path at run time: it runs outside Next's bundle. */
const threadEntry = () => path.join(process.cwd(), "lib", "db", "pglite-thread.mjs");

/** What drizzle's PGlite driver passes with each query; its parsers only ever keep a type as text. */
interface QueryOptions {
  rowMode?: "object" | "array";
  parsers?: Record<number, unknown>;
}

/** What the thread sends back for a failed operation: the error's name, message and PostgreSQL's fields. */
interface DescribedError {
  name: string;
  message: string;
  stack?: string;
  [field: string]: unknown;
}

/**
 * A PostgreSQL error raised on the embedded database's thread, with the fields PGlite gave it
 * (`code`, `detail`, `constraint`, … as node-postgres's DatabaseError has them).
 */
export class EmbeddedDatabaseError extends Error {
  readonly code?: string;
  constructor(described: DescribedError) {
    super(described.message);
    const { name, message, stack, ...fields } = described;
    void message;
    this.name = name;
    Object.assign(this, fields);
    // The thread's stack says where PostgreSQL's error was raised; this one where it was awaited.
    // Its frames only: its first line is the message, which may quote the value that failed, and
    // lib/log.ts leaves out only this stack's first line.
    const frames = stack?.split("\n").filter((line) => /^\s+at /.test(line)) ?? [];
    if (frames.length > 0) this.stack = `${this.stack}\n    on the embedded database's thread:\n${frames.join("\n")}`;
  }
}

/**
 * A statement's parameter as it may cross to the thread: structured clone keeps primitives,
 * dates, byte arrays, arrays and plain objects as they are, but drops every other object's
 * class, and with it the `toString` or `toJSON` PGlite would have written it with in this
 * thread: a different value would be stored without a word. So those are refused here.
 * @throws TypeError naming the parameter's position and class
 */
function checkedParameter(value: unknown, position: string): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item, index) => checkedParameter(item, `${position}[${index}]`));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, checkedParameter(item, `${position}.${key}`)]));
  }
  const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? "an object";
  throw new TypeError(
    `parameter ${position} (${kind}) cannot be sent to the embedded database's thread as it is: convert it to a string, number, Date, Uint8Array, array or plain object first`,
  );
}

const checkedParameters = (params: unknown[]) => params.map((value, index) => checkedParameter(value, `$${index + 1}`));

type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: DescribedError };

/** The executor a transaction's callback gets: queries inside that transaction. */
export interface ThreadTransaction {
  query<Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<Row>>;
}

/**
 * The embedded database (PGlite) on a thread of its own (pglite-thread.mjs), driven as drizzle's
 * PGlite driver drives a PGlite instance: `query`, `transaction` (its callback gets an executor
 * whose queries run inside it; a callback that throws rolls it back) and `close`, plus
 * `namedQuery` for lib/db/client.ts's `queryRows`. Values cross by structured clone (a
 * Uint8Array stays one, a Date one). Statements run one at a time in the order sent, and a
 * statement outside an open transaction waits for its end, as on PGlite itself. Errors from
 * PostgreSQL arrive as EmbeddedDatabaseError with its fields; when the thread itself fails or
 * exits, every statement waiting and every later one is rejected with that cause.
 */
export class PGliteThread {
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private stopped: Error | null = null;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly onStopped: (cause: Error) => void,
  ) {
    worker.on("message", (answer: Answer) => {
      const call = this.waiting.get(answer.id);
      if (!call) return;
      this.waiting.delete(answer.id);
      if (answer.ok) call.resolve(answer.value);
      else call.reject(new EmbeddedDatabaseError(answer.error));
    });
    worker.on("error", (error) => this.stop(new Error(`the embedded database's thread failed (${error.name})`, { cause: error })));
    worker.on("messageerror", (error) => this.stop(new Error("an answer of the embedded database's thread could not be read", { cause: error })));
    worker.on("exit", (code) => this.stop(new Error(`the embedded database's thread exited (code ${code})`)));
  }

  /**
   * Starts the thread and opens the database in `dataDir` (in memory when null) there.
   * `onStopped` hears, once, of a thread that stops other than by `close` (the server exits then:
   * without its database it can only fail every request).
   * @throws EmbeddedDatabaseError when PGlite cannot open it (the thread is stopped then)
   */
  static async open(dataDir: string | null, onStopped: (cause: Error) => void = () => {}): Promise<PGliteThread> {
    const thread = new PGliteThread(new Worker(threadEntry()), onStopped);
    try {
      await thread.call({ op: "open", dataDir });
    } catch (error) {
      await thread.worker.terminate();
      throw error;
    }
    return thread;
  }

  private stop(cause: Error): void {
    const first = this.stopped === null;
    this.stopped ??= cause;
    for (const call of this.waiting.values()) call.reject(this.stopped);
    this.waiting.clear();
    if (first && !this.closing) this.onStopped(this.stopped);
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ ...message, id });
      } catch (error) {
        // A value structured clone cannot carry (a function, a class with private state): a bug of the caller's.
        this.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private queryIn<Row>(tx: number | undefined, text: string, params: unknown[] = [], options: QueryOptions = {}): Promise<Results<Row>> {
    const textTypes = Object.keys(options.parsers ?? {}).map(Number);
    let checked: unknown[];
    try {
      checked = checkedParameters(params);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
    }
    return this.call({ op: "query", tx, text, params: checked, rowMode: options.rowMode, textTypes }) as Promise<Results<Row>>;
  }

  /** As `PGlite.query`: one statement, `$1`… parameters; `options.parsers` may only keep types as text (drizzle's). */
  query<Row>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<Row>> {
    return this.queryIn<Row>(undefined, text, params, options);
  }

  /** lib/db/pglite-named-statements.mjs's `pgliteNamedQuery`, run on the thread: rows as objects. */
  async namedQuery<Row>(text: string, params: unknown[]): Promise<Row[]> {
    return (await this.call({ op: "named", text, params: checkedParameters(params) })) as Row[];
  }

  /**
   * As `PGlite.transaction`: commits when `callback` returns, rolls back (and rethrows) when it
   * throws. A failed commit rejects with PostgreSQL's error.
   */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: "begin" })) as number;
    let result: T;
    try {
      result = await callback({ query: (text, params, options) => this.queryIn(tx, text, params, options) });
    } catch (error) {
      // The callback's failure is what the caller hears; a rollback that fails too leaves the thread to say so.
      await this.call({ op: "end", tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.call({ op: "end", tx, commit: true });
    return result;
  }

  /** Closes the database and ends the thread (ended even when closing the database fails). */
  async close(): Promise<void> {
    this.closing = true;
    try {
      if (!this.stopped) await this.call({ op: "close" });
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Whether a driver client is the embedded database's thread (`queryRows` asks); by shape, as a bundle may hold two copies of this module. */
export function isPGliteThread(client: unknown): client is PGliteThread {
  return typeof client === "object" && client !== null && "namedQuery" in client;
}

/** For drizzle's PGlite driver, which takes a PGlite instance and calls only what PGliteThread has. */
export const asPGlite = (thread: PGliteThread) => thread as unknown as PGlite;
