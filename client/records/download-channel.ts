/**
 * The page's end of a streamed download's MessageChannel to the download service worker
 * (public/download-sw.js describes the protocol). It sends a chunk only when the worker's
 * stream has asked for one ("pull"), so however fast the page decrypts, it holds the chunks it
 * is working on and nothing more while the browser writes the file.
 */

/** The protocol the page speaks with public/download-sw.js (its `version`). */
export const downloadProtocolVersion = 1;

/** What the worker says on the port. */
type WorkerSays = "ready" | "start" | "pull" | "cancel";

/** The person cancelled the download in the browser (its downloads list): an AbortError, as a Cancel in the page. */
const cancelledInBrowser = () => new DOMException("The download was cancelled in the browser.", "AbortError");

/**
 * Speaks on `port` (the page's end; the other went to the worker with "download-open").
 * `cancelled` aborts when the browser's download is cancelled; a write waiting then rejects
 * with AbortError.
 */
export class DownloadChannel {
  private readonly heard = new Set<WorkerSays>();
  private credits = 0;
  private wake: Array<() => void> = [];
  private finished = false;
  private readonly cancel = new AbortController();
  /** Aborts (AbortError) when the browser cancels the download. */
  readonly cancelled: AbortSignal = this.cancel.signal;

  constructor(private readonly port: MessagePort) {
    port.onmessage = (event: MessageEvent<{ type?: unknown }>) => this.receive(event.data?.type);
  }

  private receive(type: unknown) {
    if (type === "pull") this.credits++;
    else if (type === "cancel") this.cancel.abort(cancelledInBrowser());
    else if (type === "ready" || type === "start") this.heard.add(type);
    else return;
    this.notify();
  }

  /** Wakes whatever waits for the next message. */
  private notify() {
    const woken = this.wake;
    this.wake = [];
    for (const resolve of woken) resolve();
  }

  /** Resolves at the next message (or at once when cancelled). */
  private next(): Promise<void> {
    if (this.cancelled.aborted || this.finished) return Promise.resolve();
    return new Promise((resolve) => this.wake.push(resolve));
  }

  /**
   * Whether the worker says `type` before `deadline` settles (a timer's promise; injected so
   * that tests need no clock).
   * @returns false when it did not, or the download was cancelled
   */
  async said(type: "ready" | "start", deadline: Promise<void>): Promise<boolean> {
    let late = false;
    void deadline.then(() => {
      late = true;
      this.notify();
    });
    while (!this.heard.has(type) && !late && !this.cancelled.aborted) await this.next();
    return this.heard.has(type);
  }

  /** Waits until the stream has room (a pull not yet answered). @throws AbortError when the browser cancelled, or the page aborted meanwhile */
  private async room(): Promise<void> {
    while (this.credits === 0 && !this.cancelled.aborted && !this.finished) await this.next();
    this.cancelled.throwIfAborted();
    if (this.finished) throw new DOMException("The download was stopped.", "AbortError");
    this.credits--;
  }

  /**
   * Sends a copy of a chunk once the stream asks for one (the copy's buffer transferred, so it
   * is not copied again; the caller's chunk stays as it was: a ZIP writer may still use its buffer).
   * @throws AbortError when the browser cancelled the download
   */
  async write(chunk: Uint8Array): Promise<void> {
    await this.room();
    const copy = chunk.slice();
    this.port.postMessage({ type: "chunk", chunk: copy }, [copy.buffer]);
  }

  /**
   * Ends the file, once the stream has taken the chunks before (it asks for more): the
   * browser then completes the download.
   * @throws AbortError when the browser cancelled the download
   */
  async close(): Promise<void> {
    await this.room();
    this.finished = true;
    this.port.postMessage({ type: "end" });
    this.port.close();
  }

  /** Fails the download in the browser (nothing partial is kept as a finished file), or forgets one not yet requested. No-op once ended. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.port.postMessage({ type: "abort" });
    this.port.close();
    this.notify();
  }
}
