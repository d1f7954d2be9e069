// Plain JavaScript (with pglite-codec.d.mts beside it): the embedded database's thread
// (pglite-thread.mjs) runs outside Next, without TypeScript, and loads this as it is.
import { types } from "@electric-sql/pglite";

/**
 * PGlite's own bytea codec turns each byte into a string and back in JavaScript
 * (`parseInt` per hex pair, `toString(16)` per byte): 200 records of 2 KiB took about 100 ms
 * to read, ten times the query. Node's native hex codec does the same in a tenth. The
 * parser copies into a plain Uint8Array (not a Buffer from Node's shared pool) so callers
 * see the same type the driver gave them before. Given to `new PGlite(...)` as its options.
 */
export const byteaCodec = {
  parsers: { [types.BYTEA]: (text) => new Uint8Array(Buffer.from(text.slice(2), "hex")) },
  serializers: {
    [types.BYTEA]: (bytes) =>
      bytes instanceof Uint8Array ? `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}` : String(bytes),
  },
};
