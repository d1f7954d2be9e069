/**
 * The download service worker: saves a file the page decrypts as a browser download that
 * streams to disk, so the page never builds the whole file in memory (as Proton Drive, MEGA
 * and StreamSaver.js do). Registered by client/records/streamed-download.ts with the scope
 * /downloads/, so it sees requests under /downloads/ and nothing else of the app.
 *
 * 1. The page posts {hsc: "download-open", version, id, headers} with a MessagePort: `id` is
 *    128 random bits (base64url), `headers` the response's (client/records/attachment-headers.ts:
 *    the file's name travels here, never in a URL). The worker answers "ready" on the port.
 * 2. The page navigates to /downloads/<id>. The worker answers that request itself
 *    (respondWith) with a ReadableStream and those headers, which the browser saves as a
 *    download, and says "start". An id is answered once; the request never reaches the network.
 * 3. The stream asks for each chunk ("pull") only when its queue has room, and the page sends
 *    one chunk ("chunk", its buffer transferred) per pull: that is the backpressure that keeps
 *    the page's memory bounded by a few chunks. "end" closes the stream (the download completes).
 * 4. "abort" from the page (a failed check, a Cancel in the page) errors the stream, so the
 *    browser fails the download instead of keeping a partial file as complete; a download
 *    cancelled in the browser cancels the stream, and the worker says "cancel" to the page.
 *
 * A request under /downloads/ for an id it does not hold (a stale link, a worker restarted
 * since) is answered 204 No Content here, which leaves the page where it is; every other
 * request falls through untouched. The page checks first that this worker answers ("ready"),
 * and saves another way when it does not.
 */

/** The protocol this worker speaks; the page saves another way when they differ. */
const version = 1;
/** Chunks the stream queues before it asks for more; each is one of the page's file chunks (at most 8 MiB). */
const queuedChunks = 2;
/** How long an opened download waits for its request (ms) before it is forgotten. */
const openForMs = 60_000;
const downloadPath = /^\/downloads\/([A-Za-z0-9_-]{22})$/;

/** Opened downloads whose request has not come yet: id → { port, headers, timer }. */
const opened = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const message = event.data;
  if (!message || message.hsc !== "download-open") return; // "download-keepalive" needs no answer: the event itself keeps the worker running.
  const port = event.ports[0];
  if (!port || message.version !== version || typeof message.id !== "string" || !downloadPath.test(`/downloads/${message.id}`)) return;
  const timer = setTimeout(() => forget(message.id), openForMs);
  opened.set(message.id, { port, headers: message.headers, timer });
  port.onmessage = (portEvent) => {
    // Aborted before its request came: forgotten, so the request gets the 204.
    if (portEvent.data && portEvent.data.type === "abort") forget(message.id);
  };
  port.postMessage({ type: "ready" });
});

/** Drops an opened download that was never requested. */
function forget(id) {
  const entry = opened.get(id);
  if (!entry) return;
  clearTimeout(entry.timer);
  opened.delete(id);
  entry.port.close();
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/downloads/")) return;
  const match = downloadPath.exec(url.pathname);
  const entry = match ? opened.get(match[1]) : undefined;
  if (!entry) {
    event.respondWith(new Response(null, { status: 204, headers: { "cache-control": "no-store" } }));
    return;
  }
  clearTimeout(entry.timer);
  opened.delete(match[1]);
  event.respondWith(new Response(pagedStream(entry.port), { headers: entry.headers }));
  entry.port.postMessage({ type: "start" });
});

/**
 * A stream fed by the page over `port`, one chunk per pull (see the file's comment).
 * @returns a ReadableStream of Uint8Array
 */
function pagedStream(port) {
  let delivered = null;
  let finished = false;
  const finish = () => {
    finished = true;
    port.close();
  };
  return new ReadableStream(
    {
      start(controller) {
        port.onmessage = (event) => {
          const message = event.data;
          if (finished || !message) return;
          if (message.type === "chunk") {
            controller.enqueue(message.chunk);
          } else if (message.type === "end") {
            controller.close();
            finish();
          } else if (message.type === "abort") {
            controller.error(new TypeError("The page stopped this download."));
            finish();
          } else return;
          if (delivered) delivered();
          delivered = null;
        };
      },
      pull() {
        if (finished) return undefined;
        // Resolved when the page's answer comes, so the stream asks again only once it has room.
        return new Promise((resolve) => {
          delivered = resolve;
          port.postMessage({ type: "pull" });
        });
      },
      cancel() {
        if (finished) return;
        port.postMessage({ type: "cancel" });
        finish();
      },
    },
    new CountQueuingStrategy({ highWaterMark: queuedChunks }),
  );
}
