import { attachmentHeaders } from "./attachment-headers";
import { DownloadChannel, downloadProtocolVersion } from "./download-channel";

/**
 * Streamed downloads: the page hands decrypted chunks to the download service worker
 * (public/download-sw.js), which answers a navigation to /downloads/<random id> with them as a
 * download the browser writes to disk as they come. The page holds a few chunks whatever the
 * file's size, and the plaintext never leaves the browser: the worker answers that URL itself,
 * and the page goes there only after the worker said it holds the id.
 */

const workerScript = "/download-sw.js";
/** The worker's scope: it sees requests under it and nothing else of the app. */
const workerScope = "/downloads/";
/** How long the page waits for an installing worker to activate, and for its answer to "download-open" (ms). */
const readyWaitMs = 5_000;
/** How long the page waits for the browser to request the download once sent there (ms). */
const startWaitMs = 30_000;
/** Between two messages that keep the worker running during a download (ms): browsers stop an idle worker after about 30 s. */
const keepAliveMs = 10_000;

/** The browser did not start a download the page sent it to; the message is for the person. */
export class DownloadNotStartedError extends Error {
  override readonly name = "DownloadNotStartedError";
  constructor() {
    super("Your browser did not start the download, so nothing was saved. Try again, or allow this site to download files.");
  }
}

export const isDownloadNotStartedError = (error: unknown): error is DownloadNotStartedError => error instanceof DownloadNotStartedError;

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let registering: Promise<ServiceWorkerRegistration | null> | null = null;

/**
 * What a registration or update rejects with when there is no worker to have, a supported case
 * (the Service Workers spec's SecurityError and InvalidStateError, DOMExceptions; TypeError: the
 * script could not be fetched or is not JavaScript): null. Anything else is a bug, thrown again.
 */
function noWorker(caught: unknown): null {
  if (caught instanceof DOMException || caught instanceof TypeError) return null;
  throw caught;
}

/**
 * Registers the download worker, once per page (call it early, when a page that downloads
 * loads, so that it is active by the click). An existing registration is checked for a newer
 * script too (register() alone does not), so a page whose protocol changed does not wait a day
 * for its worker. Resolves null where there is none: no service workers (an insecure origin,
 * some private windows), or a registration refused or blocked.
 */
export function prepareStreamedDownloads(): Promise<ServiceWorkerRegistration | null> {
  if (registering) return registering;
  const container = typeof navigator !== "undefined" && typeof window !== "undefined" && window.isSecureContext ? navigator.serviceWorker : undefined;
  registering = container
    ? container
        .register(workerScript, { scope: workerScope, updateViaCache: "none" })
        .then(async (registration) => {
          // Playwright's "block" makes register() resolve undefined.
          if (!registration) return null;
          // Awaited: a download opened with the old worker while a new one activates would be requested from the new one.
          if (registration.active) await Promise.race([registration.update().catch(noWorker), after(readyWaitMs)]);
          return registration;
        })
        .catch(noWorker)
    : Promise.resolve(null);
  return registering;
}

/**
 * The registration's active worker, waiting up to `readyWaitMs` for one being installed (a
 * first visit, or a newer script replacing the active one: a download must be opened with the
 * worker that will answer its request); null when none comes.
 */
async function activeWorker(registration: ServiceWorkerRegistration): Promise<ServiceWorker | null> {
  const pending = registration.installing ?? registration.waiting;
  if (pending) {
    const activated = new Promise<void>((resolve) => pending.addEventListener("statechange", () => pending.state === "activated" && resolve()));
    await Promise.race([activated, after(readyWaitMs)]);
  }
  return registration.active;
}

/** 128 random bits as base64url (22 characters): the download's URL says nothing else. */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Sends the page to the download's URL, which the worker answers; the page itself stays. */
function navigateTo(url: string) {
  const link = document.createElement("a");
  link.href = url;
  link.click();
}

/** A download the browser writes to disk as the page writes to it. */
export interface StreamedDownload {
  /** Hands a copy of a chunk over once the browser has room for it (the first write starts the download). */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the download (starting it first when nothing was written). */
  close(): Promise<void>;
  /** Fails the download in the browser, so no partial file is kept as finished; nothing when none started. */
  abort(): void;
  /** Aborts (AbortError) when the person cancels the download in the browser. */
  readonly cancelled: AbortSignal;
}

/**
 * Opens a streamed download saved as `name` (`size` bytes, or null when unknown). The
 * browser's download starts at the first write or at close, so a file that fails before its
 * first chunk makes no download at all.
 * @returns null when the download worker is not there or does not answer (no service worker,
 *   not yet active, another version): save another way.
 * @throws from write() or close(): AbortError when the person cancelled the download in the
 *   browser; DownloadNotStartedError when the browser did not request it.
 */
export async function openStreamedDownload(name: string, size: number | null): Promise<StreamedDownload | null> {
  const registration = await prepareStreamedDownloads();
  const worker = registration && (await activeWorker(registration));
  if (!worker) return null;
  const id = randomId();
  const { port1, port2 } = new MessageChannel();
  const channel = new DownloadChannel(port1);
  worker.postMessage({ hsc: "download-open", version: downloadProtocolVersion, id, headers: attachmentHeaders(name, size) }, [port2]);
  if (!(await channel.said("ready", after(readyWaitMs)))) {
    channel.abort();
    return null;
  }
  let started: Promise<void> | null = null;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const start = () =>
    (started ??= (async () => {
      navigateTo(`${workerScope}${id}`);
      if (!(await channel.said("start", after(startWaitMs)))) {
        channel.cancelled.throwIfAborted();
        channel.abort();
        throw new DownloadNotStartedError();
      }
      keepAlive = setInterval(() => worker.postMessage({ hsc: "download-keepalive" }), keepAliveMs);
    })());
  const stop = () => clearInterval(keepAlive);
  return {
    async write(chunk) {
      await start();
      await channel.write(chunk);
    },
    async close() {
      try {
        await start();
        await channel.close();
      } finally {
        stop();
      }
    },
    abort() {
      stop();
      channel.abort();
    },
    cancelled: channel.cancelled,
  };
}
