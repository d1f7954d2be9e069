import { apiClientHeader } from "../../contract/api-client-header";

/** The browser's view of the API's one error model. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
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
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new ApiError(response.status, body?.error?.code ?? "internal", body?.error?.message ?? fallback);
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { [apiClientHeader.name]: apiClientHeader.value, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "Could not reach Health Safe Cloud. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as
    | { error?: { code: string; message: string; fields?: Array<{ path: string; message: string }> } }
    | null;
  if (!response.ok) {
    const error = payload?.error;
    throw new ApiError(
      response.status,
      error?.code ?? "internal",
      error?.message ?? "Something went wrong on our side. Please try again.",
      error?.fields,
    );
  }
  return payload as T;
}

export const api = {
  get: <T>(path: string) => send<T>("GET", path),
  post: <T>(path: string, body?: unknown) => send<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => send<T>("PATCH", path, body),
  put: <T>(path: string, body: unknown) => send<T>("PUT", path, body),
  delete: <T>(path: string) => send<T>("DELETE", path),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a request again through dropped connections and server hiccups (with backoff, for
 * a few minutes), for requests the server accepts twice without doing the work twice:
 * file chunks, record creation by record id, grants by grant id, revocations, rotations.
 * So a server that stops mid-request (after its commit, or before) leaves the browser
 * finishing the work once it is back, never doing it twice.
 */
export async function retryTransient<T>(send: () => Promise<T>, onRetry: (retrying: boolean) => void = () => undefined): Promise<T> {
  let delay = 500;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await send();
      if (attempt > 0) onRetry(false);
      return result;
    } catch (error) {
      const transient = !(error instanceof ApiError) || error.status === 0 || error.status >= 500 || error.status === 429;
      if (!transient || attempt >= 40) throw error;
      onRetry(true);
      await sleep(delay);
      delay = Math.min(delay * 2, 8000);
    }
  }
}
