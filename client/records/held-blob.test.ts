import { afterEach, describe, expect, it, vi } from "vitest";
import { describeFailure, failureKind } from "../failures";
import { blobSink as archiveSink } from "./backup-archive";
import { downloadBlob } from "./download";
import { blobSink } from "./files";
import { BrowserStorageError, checkBlobHeld, heldBlobBuilder, isBrowserStorageError } from "./held-blob";

const RealBlob = globalThis.Blob;
const notReadable = () => Promise.reject(new DOMException("The requested file could not be read", "NotReadableError"));

/** A Blob as Chromium leaves one it dropped from its blob storage: it has a size, but reading any of it fails. */
class DroppedBlob extends RealBlob {
  override slice(): Blob {
    return { arrayBuffer: notReadable } as unknown as Blob;
  }
}

/**
 * A browser whose blob storage drops every Blob of more than `limit` bytes made while it has no
 * room: the first `dropped` of them (all when null), as Chromium does until it has moved earlier
 * Blobs out of its memory. Returns how many it dropped.
 */
function browserDropping(limit: number, dropped: number | null = null): () => number {
  let count = 0;
  vi.stubGlobal(
    "Blob",
    class extends RealBlob {
      private readonly kept: boolean;
      constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
        super(parts, options);
        this.kept = this.size <= limit || (dropped !== null && count >= dropped);
        if (!this.kept) count++;
      }
      override slice(start?: number, end?: number, type?: string): Blob {
        return this.kept ? super.slice(start, end, type) : ({ arrayBuffer: notReadable } as unknown as Blob);
      }
    },
  );
  return () => count;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("a Blob the browser dropped", () => {
  it("is told apart from one it holds", async () => {
    await expect(checkBlobHeld(new RealBlob([new Uint8Array([1, 2, 3])]))).resolves.toBeUndefined();
    await expect(checkBlobHeld(new RealBlob([]))).resolves.toBeUndefined();
    await expect(checkBlobHeld(new DroppedBlob([new Uint8Array(3 * 1024 * 1024)]))).rejects.toBeInstanceOf(BrowserStorageError);
  });

  it("is never handed to the browser's download, which would cancel it without telling the page", async () => {
    const createObjectURL = vi.spyOn(URL, "createObjectURL");
    const failure = await downloadBlob("scan.bin", new DroppedBlob([new Uint8Array(10)])).catch((caught: unknown) => caught);
    expect(isBrowserStorageError(failure)).toBe(true);
    expect(createObjectURL).not.toHaveBeenCalled();
  });

  it("is said plainly to the person, not as a bug or damage", () => {
    const error = new BrowserStorageError(1024 * 1024 * 1024);
    expect(failureKind(error)).toBe("browser-limit");
    expect(describeFailure(error, { accessEnded: "ended", integrity: "damaged" })).toMatch(
      /^Your browser could not hold this file \(1024 MiB\) to save it, so nothing was saved\./,
    );
  });
});

describe("heldBlobBuilder", () => {
  const bytes = (length: number, seed: number) => new Uint8Array(length).map((_, index) => (index * 7 + seed) & 0xff);

  it("makes a group again once the browser has room, and keeps every byte in order", async () => {
    const droppedCount = browserDropping(100, 3);
    const waits: number[] = [];
    const builder = heldBlobBuilder("application/pdf", { groupBytes: 128, wait: async (ms) => void waits.push(ms) });
    const chunks = [bytes(64, 1), bytes(64, 2), bytes(64, 3), bytes(10, 4)];
    for (const chunk of chunks) await builder.write(chunk);
    const blob = await builder.blob();
    expect(droppedCount()).toBe(3);
    expect(waits).toEqual([100, 200, 400]);
    expect(blob.type).toBe("application/pdf");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
  });

  it("stops at the first group the browser keeps dropping, after a minute's waits", async () => {
    browserDropping(100);
    let waited = 0;
    const builder = heldBlobBuilder("application/octet-stream", { groupBytes: 128, wait: async (ms) => void (waited += ms) });
    let written = 0;
    const failure = await (async () => {
      for (let index = 0; index < 100; index++) {
        await builder.write(bytes(64, index));
        written++;
      }
    })().catch((caught: unknown) => caught);
    expect(isBrowserStorageError(failure)).toBe(true);
    // The second write made the first group: not a whole file decrypted for nothing.
    expect(written).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(60_000);
  });

  it("backs a decrypted file's sink and a backup's archive sink", async () => {
    vi.useFakeTimers();
    try {
      browserDropping(10);
      const file = blobSink("application/octet-stream");
      await file.write(new Uint8Array(20));
      const fileFailure = file.blob().catch((caught: unknown) => caught);
      const archive = archiveSink();
      await archive.write(new Uint8Array(20));
      const archiveFailure = archive.close().catch((caught: unknown) => caught);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(isBrowserStorageError(await fileFailure)).toBe(true);
      expect(isBrowserStorageError(await archiveFailure)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
