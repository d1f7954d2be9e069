import { z } from "zod";
import type { BodyLimit } from "./body-limits";

/**
 * One API route as both sides know it: method, path, and the zod schemas of what goes in and
 * comes out. The server parses requests and serialises responses through these
 * (lib/http/route.ts `handle`); the browser builds requests and parses every response through
 * them (client/transport/api.ts), so a shape is declared once, here.
 */
export interface RouteDefinition {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path in Next's folder form: `/api/records/[id]`; `[name]` segments are `params`. */
  path: `/api/${string}`;
  /** Path parameters, one string per `[name]` segment, validated (and narrowed) by the schema. */
  params?: z.ZodObject;
  /** Search parameters: strings in (the last of repeated names), coerced by the schema. */
  query?: z.ZodObject;
  /** The JSON request body's schema, or "binary" for raw bytes (a file chunk). */
  body?: z.ZodType | "binary";
  /** The JSON response's schema; "empty" answers 204 with no body; "binary" answers raw bytes. */
  response: z.ZodType | "empty" | "binary";
  /** The success status of a JSON response: 200 unless given. */
  status?: 200 | 201 | 202;
  /** The most bytes the route reads from a body (contract/body-limits.ts); the standard limit when absent. */
  bodyLimit?: BodyLimit;
  /** Whether the route needs a session. Authorization beyond that stays with the server's services. */
  access: "public" | "session";
  /** Callable from other sites (no same-origin or API client header check): health checks, CSP reports. */
  crossOrigin?: true;
  /** Why a `crossOrigin` route is open to other sites (lib/http/api-origin.ts lists them with it); required with it. */
  why?: string;
}

/** Declares a route, keeping its literal types (method, path, schemas) for both sides' typing. */
export const defineRoute = <const R extends RouteDefinition>(route: R): R => route;

type SchemaOf<T> = T extends z.ZodType ? T : never;

/** What a caller passes for a route: its path parameters, search parameters and body, where the route has them. */
export type CallInput<R extends RouteDefinition> = (R["params"] extends z.ZodObject ? { params: z.input<SchemaOf<R["params"]>> } : { params?: undefined }) &
  (R["query"] extends z.ZodObject ? { query?: z.input<SchemaOf<R["query"]>> } : { query?: undefined }) &
  (R["body"] extends "binary" ? { body: Uint8Array } : R["body"] extends z.ZodType ? { body: z.input<SchemaOf<R["body"]>> } : { body?: undefined });

/** What a route answers, as parsed by its schema: nothing for "empty", bytes for "binary". */
export type CallOutput<R extends RouteDefinition> = R["response"] extends "empty"
  ? void
  : R["response"] extends "binary"
    ? Uint8Array
    : z.output<SchemaOf<R["response"]>>;

/** What the server's handler returns for a route, before serialisation (the schema's input). */
export type HandlerOutput<R extends RouteDefinition> = R["response"] extends "empty"
  ? void
  : R["response"] extends "binary"
    ? Uint8Array
    : z.input<SchemaOf<R["response"]>>;

/** The path with its `[name]` segments filled in (each encoded), for the browser's requests and tests. */
export function pathOf(route: RouteDefinition, params: Record<string, string> = {}): string {
  return route.path.replace(/\[([^\]]+)\]/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Route ${route.path} needs the path parameter ${name}.`);
    return encodeURIComponent(value);
  });
}
