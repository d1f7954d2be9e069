import "server-only";

/**
 * A response body already serialised as JSON, for `handle` (lib/http/route.ts) to send as it
 * is: no parse through the route's response schema, no JSON.stringify. For a hot read whose
 * JSON the database builds (lib/records/chart-read.ts): parsing a 46 KB page into objects,
 * checking it with zod and writing it out again cost more CPU than the statement's round
 * trip. Whoever builds one owes what the schema check would have given: its `*.test.ts`
 * shows that the text parses, through the route's response schema, to itself (no key the
 * contract does not declare, none missing) and to what the ordinary path serves.
 * `T` is the value the text stands for, so a handler returning it is still typed by its contract.
 */
export class JsonText<T> {
  /** Only for typing: the value `text` stands for. */
  declare readonly valueType?: T;
  constructor(readonly text: string) {}

  /** The value, parsed (tests, and callers that need the objects after all). */
  parse(): T {
    return JSON.parse(this.text) as T;
  }
}
