/**
 * Blobs the browser keeps for a download, checked: a browser's blob storage may drop a Blob's
 * bytes instead of keeping them. Chromium does for a Blob of some hundreds of MiB made faster
 * than it moves earlier ones out of memory (to disk, or nowhere in a private window), and then
 * cancels its download at once, without the page being told. These helpers find a dropped Blob
 * by reading it, wait for the browser to make room, and say so plainly when it never does.
 */

/** The browser could not keep the bytes of a file the page made for it; the message is for the person. */
export class BrowserStorageError extends Error {
  override readonly name = "BrowserStorageError";
  constructor(bytes: number) {
    super(
      `Your browser could not hold this file (${Math.ceil(bytes / (1024 * 1024))} MiB) to save it, so nothing was saved. ` +
        "Close other tabs and try again, or use a browser that saves large files straight to disk (Chrome or Edge).",
    );
  }
}

export const isBrowserStorageError = (error: unknown): error is BrowserStorageError => error instanceof BrowserStorageError;

/**
 * Resolves once the browser holds all of `blob` (reading its last byte waits until every part is
 * stored); rejects with BrowserStorageError when it dropped them (the File API's NotReadableError).
 * @throws whatever else the read throws (a bug)
 */
export async function checkBlobHeld(blob: Blob): Promise<void> {
  if (blob.size === 0) return;
  try {
    await blob.slice(blob.size - 1).arrayBuffer();
  } catch (caught) {
    if (!(caught instanceof DOMException && caught.name === "NotReadableError")) throw caught;
    throw new BrowserStorageError(blob.size);
  }
}

/** Bytes gathered in the page before they become one checked Blob: 64 MiB. */
export const heldBlobGroupBytes = 64 * 1024 * 1024;

/** How long one group may wait for the browser to make room (ms), the first wait and the longest between tries. */
const roomWaitMs = { total: 60_000, first: 100, most: 2_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Builds a Blob from written chunks, which the browser keeps (in memory, or on disk beyond its
 * memory limit). Each chunk joins the Blob as it comes (the browser takes it a chunk at a time),
 * and is also kept in the page until the next check: every `groupBytes` the Blob so far is
 * checked (`checkBlobHeld`); while the browser dropped it (it had not yet made room), the Blob is
 * made again after a wait from the last checked one and the kept chunks, for up to a minute. So
 * the page holds at most a group (64 MiB) plus what it is writing, and a browser that cannot
 * keep the file at all stops the work at that group. A written chunk must not be changed afterwards.
 * @throws BrowserStorageError from write() or blob() when the browser kept dropping the Blob
 */
export function heldBlobBuilder(
  type: string,
  options: { groupBytes?: number; wait?: (ms: number) => Promise<void> } = {},
): { write(chunk: Uint8Array): Promise<void>; blob(): Promise<Blob> } {
  const groupBytes = options.groupBytes ?? heldBlobGroupBytes;
  const wait = options.wait ?? sleep;
  let checked = new Blob([], { type });
  let current = checked;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const join = (blob: Blob, chunk: Uint8Array) => new Blob([blob, chunk as Uint8Array<ArrayBuffer>], { type });

  async function check(): Promise<void> {
    for (let waited = 0, next = roomWaitMs.first; ; next = Math.min(next * 2, roomWaitMs.most)) {
      try {
        await checkBlobHeld(current);
        checked = current;
        pending = [];
        pendingBytes = 0;
        return;
      } catch (caught) {
        if (!isBrowserStorageError(caught) || waited >= roomWaitMs.total) throw caught;
      }
      await wait(next);
      waited += next;
      current = pending.reduce(join, checked);
    }
  }

  return {
    async write(chunk) {
      current = join(current, chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= groupBytes) await check();
    },
    async blob() {
      await check();
      return checked;
    },
  };
}
