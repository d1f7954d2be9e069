import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { attachmentHeaders } from "./attachment-headers";
import { DownloadChannel, downloadProtocolVersion } from "./download-channel";

/** The download service worker's script, run against a stand-in for its global scope (Node has MessageChannel, streams and Response). */
const workerSource = readFileSync(path.join(__dirname, "..", "..", "public", "download-sw.js"), "utf8");
const origin = "https://app.example";
const id = "AAAAAAAAAAAAAAAAAAAAAA";
const opened: MessagePort[] = [];

type Listener = (event: unknown) => void;

/** Loads the worker; returns how to post it a message and a request, as a browser would. */
function loadWorker() {
  const listeners = new Map<string, Listener>();
  const scope = {
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    location: { origin },
    skipWaiting: () => Promise.resolve(),
    clients: { claim: () => Promise.resolve() },
  };
  new Function("self", workerSource)(scope);
  return {
    /** Posts "download-open" as the page does; returns the page's channel. */
    open(downloadId = id, version = downloadProtocolVersion): DownloadChannel {
      const { port1, port2 } = new MessageChannel();
      opened.push(port1, port2);
      const channel = new DownloadChannel(port1);
      listeners.get("message")!({ data: { hsc: "download-open", version, id: downloadId, headers: attachmentHeaders("scan.bin", 6) }, ports: [port2] });
      return channel;
    },
    /** A request to `url`: the worker's Response, or "fell through" when it left it to the network. */
    fetch(url: string): Response | "fell through" {
      let answer: Response | "fell through" = "fell through";
      listeners.get("fetch")!({ request: new Request(url), respondWith: (response: Response) => (answer = response) });
      return answer;
    },
  };
}

/** Lets the messages already posted on the ports arrive. */
async function settle() {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** A deadline that has already passed once the messages in flight arrived. */
const passed = () => settle();

afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

async function started(worker: ReturnType<typeof loadWorker>) {
  const channel = worker.open();
  expect(await channel.said("ready", new Promise(() => undefined))).toBe(true);
  const response = worker.fetch(`${origin}/downloads/${id}`);
  if (response === "fell through") throw new Error("the worker did not answer its own id");
  expect(await channel.said("start", new Promise(() => undefined))).toBe(true);
  return { channel, response, reader: response.body!.getReader() };
}

describe("streamed downloads through the download service worker", () => {
  it("answers its id with the page's chunks as an attachment, in order, complete only at the end", async () => {
    const worker = loadWorker();
    const { channel, response, reader } = await started(worker);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="scan.bin"; filename*=UTF-8''scan.bin`);
    expect(response.headers.get("content-length")).toBe("6");
    const writing = (async () => {
      for (const chunk of [[1, 2], [3], [4, 5, 6]]) await channel.write(new Uint8Array(chunk));
      await channel.close();
    })();
    const received: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(...value);
    }
    await writing;
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("asks the page for a chunk only when its queue has room: the page waits while the browser does not read", async () => {
    const worker = loadWorker();
    const { channel, reader } = await started(worker);
    // Two chunks fill the queue; the third waits for the browser to take one.
    await channel.write(new Uint8Array([1]));
    await channel.write(new Uint8Array([2]));
    let third = false;
    const writing = channel.write(new Uint8Array([3])).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    await writing;
    expect(third).toBe(true);
  });

  it("sends a chunk's bytes and leaves the page's chunk as it was, a view of part of a buffer too", async () => {
    const worker = loadWorker();
    const { channel, reader } = await started(worker);
    const whole = new Uint8Array([7, 8]);
    await channel.write(whole);
    expect(Array.from(whole)).toEqual([7, 8]);
    const part = new Uint8Array([9, 9, 10, 11]).subarray(2);
    await channel.write(part);
    expect(Array.from(part)).toEqual([10, 11]);
    expect((await reader.read()).value).toEqual(new Uint8Array([7, 8]));
    expect((await reader.read()).value).toEqual(new Uint8Array([10, 11]));
  });

  it("tells the page when the browser cancels the download, and the page's waiting write stops", async () => {
    const worker = loadWorker();
    const { channel, reader } = await started(worker);
    await channel.write(new Uint8Array([1]));
    await channel.write(new Uint8Array([2]));
    const waiting = channel.write(new Uint8Array([3]));
    await reader.cancel();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
    expect(channel.cancelled.aborted).toBe(true);
    await expect(channel.close()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("fails the browser's download when the page aborts (a failed check), so no partial file completes", async () => {
    const worker = loadWorker();
    const { channel, reader } = await started(worker);
    await channel.write(new Uint8Array([1]));
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    channel.abort();
    await expect(reader.read()).rejects.toThrow("The page stopped this download.");
    await expect(channel.write(new Uint8Array([2]))).rejects.toMatchObject({ name: "AbortError" });
  });

  it("answers an id once; one it does not hold, or one the page aborted before its request, gets 204 and no bytes", async () => {
    const worker = loadWorker();
    await started(worker);
    const again = worker.fetch(`${origin}/downloads/${id}`);
    expect(again !== "fell through" && again.status).toBe(204);
    const other = "BBBBBBBBBBBBBBBBBBBBBB";
    const channel = worker.open(other);
    expect(await channel.said("ready", new Promise(() => undefined))).toBe(true);
    channel.abort();
    await settle();
    const aborted = worker.fetch(`${origin}/downloads/${other}`);
    expect(aborted !== "fell through" && aborted.status).toBe(204);
  });

  it("leaves every other request to the network untouched", () => {
    const worker = loadWorker();
    worker.open();
    expect(worker.fetch(`${origin}/api/blobs/x/chunks/0`)).toBe("fell through");
    expect(worker.fetch(`${origin}/chart`)).toBe("fell through");
    expect(worker.fetch(`https://elsewhere.example/downloads/${id}`)).toBe("fell through");
  });

  it("does not answer a page speaking another version, which then saves another way", async () => {
    const worker = loadWorker();
    const channel = worker.open(id, downloadProtocolVersion + 1);
    expect(await channel.said("ready", passed())).toBe(false);
    const response = worker.fetch(`${origin}/downloads/${id}`);
    expect(response !== "fell through" && response.status).toBe(204);
  });
});
