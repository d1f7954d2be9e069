import "server-only";
import { NextResponse } from "next/server";
import { ZodError, type z } from "zod";
import { cryptoReady } from "@/crypto";
import { config } from "@/lib/config";
import { AppError, errorBody, httpStatusFor, internalError, type FieldIssue } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { bodyLimits, describeLimit, type BodyLimit } from "@/contract/body-limits";
import { isRefusedAsFromElsewhere, refusedFromElsewhere } from "./api-origin";
import { JsonText } from "./json-text";
import type { HandlerOutput, RouteDefinition } from "@/contract/route";

type Handler<Context> = (request: Request, context: Context) => Promise<Response>;

export interface RouteOptions {
  /** The most bytes this route reads from a request body, from contract/body-limits.ts; `bodyLimits.standard` when not given. */
  bodyLimit?: BodyLimit;
}

/** Each request's body limit, set by `route` for the body readers below. */
const bodyLimitOf = new WeakMap<Request, number>();

/** A body sent without a declared length, read by `route` before the handler ran; the body readers below return it. */
const bodyReadAhead = new WeakMap<Request, Uint8Array>();

/**
 * Wraps a route handler so that every failure leaves through one mapping: AppError by
 * its code, anything else as a generic 500 whose detail is logged, never returned.
 * A request from somewhere other than the app's own pages is refused first, with 403
 * `cross-origin-refused` (`isRefusedAsFromElsewhere`): the proxy does not run for the API
 * (proxy.ts), so this is where every API route's origin check happens, whatever the path.
 * The route's body limit (`options.bodyLimit`, declared here once per route) is enforced
 * first: a declared length above it is refused with 413 `payload-too-large` naming the
 * limit before the handler runs, and a body sent without a declared length (chunked) is read
 * here, up to the limit, before the handler runs, whether or not the handler reads a body:
 * a body-less route (sign-out, sign-in options) refuses an oversized one with the same 413
 * instead of acting and leaving it unread. `parseJsonBody`/`readBinaryBody` then return what
 * was read (and, for a declared length, stop reading a body that turns out longer). The cryptography library is loaded next: services encode, hash and
 * verify with it, and after a restart the first request may be one (a vault fetch, a
 * sign-in) whose service does not load it itself.
 */
export function route<Context>(handler: Handler<Context>, options: RouteOptions = {}): Handler<Context> {
  const limit = options.bodyLimit ?? bodyLimits.standard;
  return async (request, context) => {
    try {
      if (isRefusedAsFromElsewhere(new URL(request.url).pathname, request.method, request.headers, config().appOrigin)) throw refusedFromElsewhere();
      const declaredLength = request.headers.get("content-length");
      if (Number(declaredLength ?? "0") > limit) throw tooLarge(limit);
      bodyLimitOf.set(request, limit);
      if (declaredLength === null && request.body) bodyReadAhead.set(request, await readWithLimit(request, limit));
      await cryptoReady();
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, request);
    }
  };
}

export function errorResponse(error: unknown, request: Request): Response {
  let appError: AppError;
  if (error instanceof AppError) {
    appError = error;
  } else if (error instanceof ZodError) {
    appError = invalidInput(error);
  } else {
    logUnexpected(error, { method: request.method, path: new URL(request.url).pathname });
    appError = internalError();
  }
  const headers = new Headers({ "cache-control": "no-store" });
  if (appError.details.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(Math.max(1, Math.ceil(appError.details.retryAfterSeconds))));
  }
  return NextResponse.json(errorBody(appError), { status: httpStatusFor(appError.code), headers });
}

export function invalidInput(error: ZodError): AppError {
  const fields: FieldIssue[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  return new AppError("invalid-input", "Some of the data sent is not valid.", { fields });
}

/**
 * Reads a JSON body no larger than the route's limit (see `route`) and validates it; never
 * logs or echoes it. Throws AppError `unsupported-media-type`, `payload-too-large`,
 * `invalid-json` or `invalid-input` (with the failing fields, capped by `errorBody`).
 */
export async function parseJsonBody<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<z.infer<Schema>> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    throw new AppError("unsupported-media-type", "Send the request body as application/json.");
  }
  const bytes = await readWithLimit(request, limitFor(request));
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new AppError("invalid-json", "The request body is not valid JSON.");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

/** Reads a binary body of at most the route's limit (see `route`); throws AppError `payload-too-large` beyond it. */
export async function readBinaryBody(request: Request): Promise<Uint8Array> {
  return readWithLimit(request, limitFor(request));
}

/** Outside `route` (a unit test calling a reader directly) the standard limit applies. */
const limitFor = (request: Request) => bodyLimitOf.get(request) ?? bodyLimits.standard;

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload-too-large", `The request body is larger than the ${describeLimit(maxBytes)} (${maxBytes} bytes) this request accepts.`, {
    limitBytes: maxBytes,
  });
}

async function readWithLimit(request: Request, maxBytes: number): Promise<Uint8Array> {
  const readAhead = bodyReadAhead.get(request);
  if (readAhead) return readAhead;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  // A declared length (within the limit: `route` refused more) is where the body goes as it arrives: one
  // buffer, each piece copied in and dropped at once, instead of a body's worth of pieces held and then
  // copied together (an 8 MiB file chunk arrives in over a hundred pieces).
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const into = Number.isSafeInteger(declared) && declared > 0 && declared <= maxBytes ? new Uint8Array(declared) : null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    if (into && chunks.length === 0 && filled + value.byteLength <= into.length) {
      into.set(value, filled);
      filled += value.byteLength;
    } else chunks.push(value);
    total += value.byteLength;
  }
  if (!into) return concat(chunks, total);
  // Fewer bytes than declared is a body cut short (the stream fails first); more cannot pass HTTP/1.1's framing, but is kept whole if it ever does.
  const head = filled === into.length ? into : into.subarray(0, filled);
  return chunks.length === 0 ? head : concat([head, ...chunks], total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  // A body that arrived in one piece is returned as it is: a 1 MiB file chunk is not copied once more for nothing.
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

type ParsedOf<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What `handle` gives a route's handler: the request and its parts, parsed by the route's contract. */
export interface HandlerInput<R extends RouteDefinition> {
  request: Request;
  params: ParsedOf<R["params"]>;
  query: ParsedOf<R["query"]>;
  body: R["body"] extends "binary" ? Uint8Array : ParsedOf<R["body"]>;
}

/**
 * A route handler bound to its contract (contract/routes.ts): the body limit, parsing and
 * serialisation come from the definition, so a route file is one line per method. Path
 * parameters, search parameters and the JSON body are parsed with the route's schemas (400
 * `invalid-input` naming the fields); the handler's value is serialised through the
 * response schema, which drops any key the contract does not declare, so the server cannot
 * send a field by accident; a value that does not parse is a server bug, logged, and
 * answered 500. A handler may return a Response of its own (bytes, cookies set by hand), or
 * a `JsonText` (lib/http/json-text.ts), sent as it is with the route's status: its builder's
 * tests stand in for the schema check. Every answer is `cache-control: no-store`. Answers are
 * plain `Response`s: NextResponse's cookie wrapper cost every chart read CPU for nothing (a
 * cookie set through `cookies()` still reaches the answer: Next merges those itself).
 */
export function handle<R extends RouteDefinition>(
  definition: R,
  handler: (input: HandlerInput<R>) => Promise<HandlerOutput<R> | JsonText<HandlerOutput<R>> | Response>,
): Handler<{ params: Promise<Record<string, string>> }> {
  return route<{ params: Promise<Record<string, string>> }>(
    async (request, context) => {
      const params = definition.params ? definition.params.parse((await context?.params) ?? {}) : undefined;
      const query = definition.query ? definition.query.parse(Object.fromEntries(new URL(request.url).searchParams)) : undefined;
      let body: unknown;
      if (definition.body === "binary") body = await readBinaryBody(request);
      else if (definition.body) body = await parseJsonBody(request, definition.body);
      const value = await handler({ request, params, query, body } as HandlerInput<R>);
      if (value instanceof Response) return value;
      const headers = { "cache-control": "no-store" };
      if (value instanceof JsonText) {
        if (typeof definition.response !== "object") throw new TypeError(`${definition.method} ${definition.path} answers no JSON`);
        return new Response(value.text, { status: definition.status ?? 200, headers: { ...headers, "content-type": "application/json" } });
      }
      if (definition.response === "empty") return new Response(null, { status: 204, headers });
      if (definition.response === "binary") {
        return new Response(value as Uint8Array<ArrayBuffer>, { headers: { ...headers, "content-type": "application/octet-stream" } });
      }
      const parsed = definition.response.safeParse(value);
      if (!parsed.success) throw new ResponseContractError(definition, parsed.error);
      return Response.json(parsed.data, { status: definition.status ?? 200, headers });
    },
    { bodyLimit: definition.bodyLimit },
  );
}

/** A server answer that does not match its own contract: a bug, logged with the failing paths only (never the values). */
class ResponseContractError extends Error {
  override readonly name = "ResponseContractError";
  constructor(definition: RouteDefinition, error: ZodError) {
    super(
      `${definition.method} ${definition.path} answered outside its contract at ${error.issues.map((issue) => issue.path.join(".") || "(root)").join(", ")}`,
    );
  }
}
