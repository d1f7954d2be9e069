import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { chunkDigest } from "./chunk-bodies";
import { fileChunkBodies } from "./file-chunk-bodies";

// Every file or directory the store opens passes through `opened`, so a test can hold a flush or see a close.
const hooks = vi.hoisted(() => ({ opened: undefined as ((name: string, handle: FileHandle) => void) | undefined }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const open = async (...args: Parameters<typeof actual.open>) => {
    const handle = await actual.open(...args);
    hooks.opened?.(path.resolve(String(args[0])), handle);
    return handle;
  };
  return { ...actual, open, default: { ...actual, open } };
});

const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const hex = (digest: Uint8Array) => Buffer.from(digest).toString("hex");
const temporaryDirs: string[] = [];
const freshStore = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hsc-file-bodies-"));
  temporaryDirs.push(dir);
  return path.join(dir, "blobs");
};
const settled = () => new Promise((resolve) => setImmediate(resolve));
afterEach(() => {
  hooks.opened = undefined;
});
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

describe("chunkDigest", () => {
  it("is SHA-256 of exactly the view's bytes, whatever its size and offset", async () => {
    const backing = randomBytes(8 * 1024 * 1024 + 64);
    for (const data of [new Uint8Array(0), new Uint8Array([7]), backing.subarray(0, 1024 * 1024 + 17), backing.subarray(33, 33 + 8 * 1024 * 1024 + 17)]) {
      expect(await chunkDigest(data)).toEqual(sha256(data));
    }
  });
});

describe("file chunk bodies", () => {
  it("leaves neither the chunk's name nor a temporary file when the write fails", async () => {
    const root = freshStore();
    const bodies = fileChunkBodies(root);
    const id = randomUUID();
    const data = randomBytes(4096);
    const failing = Promise.reject(new Error("no digest"));
    failing.catch(() => undefined);
    await expect(bodies.write(id, 0, data, failing)).rejects.toThrow("no digest");
    expect(readdirSync(path.join(root, id))).toEqual([]);
    // The same chunk again, whole: stored under its name, nothing else beside it.
    await bodies.write(id, 0, data, chunkDigest(data));
    expect(readdirSync(path.join(root, id))).toEqual([`0-${hex(sha256(data))}`]);
    expect(await bodies.read(id, 0, sha256(data))).toEqual(data);
  });

  it("acknowledges a chunk that found its blob's directory still being made only once that directory is durable in the store", async () => {
    const root = freshStore();
    const bodies = fileChunkBodies(root);
    const id = randomUUID();
    const blobDir = path.join(root, id);
    let releaseRoot = () => undefined as void;
    const rootHeld = new Promise<void>((resolve) => (releaseRoot = resolve));
    let rootFlushing = () => undefined as void;
    const rootFlushStarted = new Promise<void>((resolve) => (rootFlushing = resolve));
    const closes: Promise<void>[] = [];
    hooks.opened = (name, handle) => {
      if (name === root) {
        // The flush that makes the new blob's directory entry durable waits for the test.
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          rootFlushing();
          await rootHeld;
          return sync();
        };
      } else if (name === blobDir || name.startsWith(`${blobDir}${path.sep}.1-`)) {
        // The second chunk's own file and directory: everything it does before it is acknowledged ends with their closes.
        const close = handle.close.bind(handle);
        let closed = () => undefined as void;
        closes.push(new Promise<void>((resolve) => (closed = resolve)));
        handle.close = async () => {
          await close();
          closed();
        };
      }
    };
    const first = randomBytes(4096);
    const second = randomBytes(4096);
    const firstWritten = bodies.write(id, 0, first, chunkDigest(first));
    await rootFlushStarted;
    // The directory exists now, but a crash could still lose its entry: the second chunk goes in, and waits.
    let secondAcknowledged = false;
    const secondWritten = bodies.write(id, 1, second, chunkDigest(second)).then(() => {
      secondAcknowledged = true;
    });
    while (closes.length < 2) await settled();
    await Promise.all(closes);
    await settled();
    expect(readdirSync(blobDir)).toEqual([`1-${hex(sha256(second))}`]);
    expect(secondAcknowledged).toBe(false);
    releaseRoot();
    await Promise.all([firstWritten, secondWritten]);
    expect(readdirSync(blobDir).sort()).toEqual([`0-${hex(sha256(first))}`, `1-${hex(sha256(second))}`].sort());
  });
});
