import { apiClientHeader } from "@/contract/api-client-header";
import { errorBodySchema } from "@/contract/common";
import { pathOf, type CallInput, type CallOutput, type RouteDefinition } from "@/contract/route";
import { IntegrityError } from "../integrity";

/** The browser's view of the API's one error model. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
    /** From a 429's or 503's Retry-After header: how long the server asked to wait, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Statuses by which the server refuses what is no longer shared: not found (the same answer as
 * for nothing, by design) and gone. Not 403: "forbidden" means the access still exists but does
 * not allow this (a read-only share refusing a note), and its own message says so.
 */
const accessEndedStatuses = new Set([404, 410]);

/**
 * Whether a request about something this person was shown failed because their access to it
 * ended (a revoke, an end date, a deletion): not a network or server fault, and never an
 * integrity failure (those are CryptoErrors, raised by the browser's own checks).
 */
export const isAccessEnded = (error: unknown): error is ApiError => error instanceof ApiError && accessEndedStatuses.has(error.status);

/**
 * The server's AppError body (code, message) from a failed response, for requests that do not
 * go through `api` (file chunks); `fallback` when the body is not one.
 */
export async function apiErrorFrom(response: Response, fallback: string): Promise<ApiError> {
  const parsed = errorBodySchema.safeParse(
    parseJson(await bodyOf(response).catch((error: unknown) => (isNetworkFailure(error) ? new ArrayBuffer(0) : Promise.reject(error)))),
  );
  const error = parsed.success ? parsed.data.error : undefined;
  return new ApiError(response.status, error?.code ?? "internal", error?.message ?? fallback, error?.fields, retryAfterOf(response));
}

/**
 * Retry-After (RFC 9110 §10.2.3) in milliseconds: delay-seconds or an HTTP date; undefined when
 * absent or unreadable.
 */
export function retryAfterOf(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How the browser's services reach the server: one call per route of the contract's table. */
export interface Transport {
  /**
   * Sends `input` to `route` and returns its answer parsed by the route's response schema.
   * @throws ApiError for an error answer or no answer (status 0); IntegrityError("shape") for an
   *   answer that is not in the route's declared shape.
   */
  call<R extends RouteDefinition>(route: R, input: CallInput<R>): Promise<CallOutput<R>>;
}

/**
 * A query as the URL's search part: `?name=value&…` of the defined values, or "" when there is
 * none, so a first page is asked for at the route's plain path (`/api/records`, never `/api/records?`).
 */
export function searchOf(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams(
    Object.entries(query ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  ).toString();
  return search ? `?${search}` : "";
}

/** The transport over fetch, same-origin, with the API client header; never cached. */
export const httpTransport: Transport = {
  async call<R extends RouteDefinition>(route: R, input: CallInput<R>): Promise<CallOutput<R>> {
    const url = pathOf(route, (input.params ?? {}) as Record<string, string>) + searchOf(input.query);
    const binary = route.body === "binary";
    // Built before the request: a body that cannot be serialised is a bug here, not a dropped connection.
    // Bytes go as a Blob: Chromium sends a typed-array body at about 2 MiB/s, a Blob's at tens of MiB/s
    // (bench/browser-bench.ts's upload; the Blob holds a copy, dropped with the request).
    const body = route.body === undefined ? undefined : binary ? new Blob([input.body as Uint8Array<ArrayBuffer>]) : JSON.stringify(input.body);
    let response: Response;
    try {
      response = await fetch(url, {
        method: route.method,
        credentials: "same-origin",
        headers: {
          [apiClientHeader.name]: apiClientHeader.value,
          ...(route.body === undefined ? {} : { "content-type": binary ? "application/octet-stream" : "application/json" }),
        },
        body,
        cache: "no-store",
      });
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      throw unreachable();
    }
    if (!response.ok) throw await apiErrorFrom(response, "Something went wrong on our side. Please try again.");
    if (route.response === "empty") return undefined as CallOutput<R>;
    // A body cut off in transit is a dropped connection (worth retrying), not a malformed answer.
    let bytes: ArrayBuffer;
    try {
      bytes = await bodyOf(response);
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      throw unreachable();
    }
    if (route.response === "binary") return new Uint8Array(bytes) as CallOutput<R>;
    const parsed = route.response.safeParse(parseJson(bytes));
    if (!parsed.success) throw new IntegrityError("shape");
    return parsed.data as CallOutput<R>;
  },
};

/** A response's body; rejects as fetch does (a TypeError) when the connection drops while it arrives. */
const bodyOf = (response: Response) => response.arrayBuffer();

/**
 * Whether fetch (or reading a body) failed because the request did not get through: fetch
 * rejects with a TypeError for a network failure (WHATWG Fetch, "network error") and a
 * DOMException for an abort; anything else is a bug here.
 */
export const isNetworkFailure = (error: unknown) => error instanceof TypeError || (error instanceof DOMException && error.name === "AbortError");

/** The JSON in `bytes`, or undefined (which no response schema accepts) when it is not JSON. */
function parseJson(bytes: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) return undefined;
    throw error;
  }
}

/** `httpTransport.call`: what page-facing code uses. */
export const call = <R extends RouteDefinition>(route: R, input: CallInput<R>) => httpTransport.call(route, input);

const unreachable = () => new ApiError(0, "network", "Could not reach Health Safe Cloud. Check your connection and try again.");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest a retry waits for a server's Retry-After before giving up on it: past this, the person is told. */
const retryAfterMaxMs = 60_000;

/**
 * How long to wait before attempt `attempt + 1`: the server's Retry-After when it gave one
 * (plus up to 20% jitter, so many browsers told the same time do not return at once), otherwise
 * exponential backoff from 500 ms to 8 s with full jitter ("Exponential Backoff and Jitter").
 * `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, error: unknown, random: () => number = Math.random): number {
  if (error instanceof ApiError && error.retryAfterMs !== undefined) return error.retryAfterMs * (1 + 0.2 * random());
  const ceiling = Math.min(500 * 2 ** attempt, 8000);
  return ceiling / 2 + (ceiling / 2) * random();
}

/**
 * Sends a request again through dropped connections and server hiccups (with backoff, for
 * a few minutes), for requests the server accepts twice without doing the work twice:
 * file chunks, record creation by record id, grants by grant id, revocations, rotations.
 * So a server that stops mid-request (after its commit, or before) leaves the browser
 * finishing the work once it is back, never doing it twice. A 429 or 503 that asks for a
 * wait longer than a minute is not waited out: it is thrown, and its message says how long.
 * Only ApiErrors are retried (network and server faults, rate limits): any other error is a
 * bug or an integrity failure, thrown at once.
 */
export async function retryTransient<T>(send: () => Promise<T>, onRetry: (retrying: boolean) => void = () => undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await send();
      if (attempt > 0) onRetry(false);
      return result;
    } catch (error) {
      const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429);
      const waitTooLong = error instanceof ApiError && (error.retryAfterMs ?? 0) > retryAfterMaxMs;
      if (!transient || waitTooLong || attempt >= 40) throw error;
      onRetry(true);
      await sleep(retryDelayMs(attempt, error));
    }
  }
}
