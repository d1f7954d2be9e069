import "server-only";
import type { Database } from "@/lib/db";
import { noticeState } from "./notice-store";

/**
 * How often an open stream looks at its person's notices. Polling the table (one indexed
 * aggregate per open stream per poll) works the same on PGlite and PostgreSQL and across any
 * number of app servers, with no state in a process: a notice recorded by any instance is
 * seen by every stream within this time.
 */
export const noticePollMs = 2_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const keepAliveMs = 15_000;

export interface NoticeStreamOptions {
  db: Database;
  recipientId: string;
  /** How long the stream stays open before the server ends it (the browser's EventSource reconnects), in ms. */
  lifetimeMs: number;
  /** Whether the person's session still holds (checked without counting as activity); the stream ends when not. */
  stillSignedIn: () => Promise<boolean>;
  /** The request's abort signal: the browser went away. */
  signal: AbortSignal;
}

/**
 * A text/event-stream body (WHATWG HTML, "Server-sent events"): an `unread` event carrying
 * `{"unread": n}` at once and whenever the person's notices change (a new one, a fold, a
 * read), comment lines to keep it open, and the end after `lifetimeMs`, when the session
 * ends or when the browser goes away. It carries a count only: the page fetches the list.
 */
export function noticeEventStream(options: NoticeStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const endsAt = Date.now() + options.lifetimeMs;
      let lastToken: string | null = null;
      let lastSentAt = Date.now();
      const close = () => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        controller.close();
      };
      options.signal.addEventListener("abort", close, { once: true });
      const poll = async () => {
        if (closed) return;
        if (Date.now() >= endsAt || !(await options.stillSignedIn())) return close();
        const state = await noticeState(options.db, options.recipientId);
        if (closed) return;
        if (state.token !== lastToken) {
          // `retry` tells EventSource how soon to reconnect after the server ends the stream.
          controller.enqueue(
            encoder.encode(`${lastToken === null ? `retry: ${noticePollMs}\n` : ""}event: unread\ndata: ${JSON.stringify({ unread: state.unread })}\n\n`),
          );
          lastToken = state.token;
          lastSentAt = Date.now();
        } else if (Date.now() - lastSentAt >= keepAliveMs) {
          controller.enqueue(encoder.encode(": still here\n\n"));
          lastSentAt = Date.now();
        }
        timer = setTimeout(() => void poll().catch((error: unknown) => fail(error)), noticePollMs);
      };
      const fail = (error: unknown) => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        controller.error(error);
      };
      return poll().catch(fail);
    },
    cancel() {
      closed = true;
      clearTimeout(timer);
    },
  });
}
