import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { decryptFileStream, encryptFileStream } from "./file-web-streams";
import { generateFileKey } from "./file-stream";
import { cryptoReady } from "./sodium";

beforeAll(cryptoReady);

const context = { recordId: "stream-record", version: 2, keyVersion: 1 };
const chunkSize = 64 * 1024;

/** A lazily generated source in odd-sized slices, counting what it has produced. */
function source(totalBytes: number, sliceSize: number, counter: { produced: number }) {
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (counter.produced >= totalBytes) return controller.close();
        const size = Math.min(sliceSize, totalBytes - counter.produced);
        const slice = new Uint8Array(size);
        for (let index = 0; index < size; index++) slice[index] = (counter.produced + index) % 251;
        counter.produced += size;
        controller.enqueue(slice);
      },
    },
    { highWaterMark: 0 },
  );
}

async function collect(stream: ReadableStream<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    onChunk?.(value);
    out.push(value);
  }
}

describe("file web streams", () => {
  it("round-trips 5 MiB fed in odd-sized slices", async () => {
    const key = generateFileKey();
    const total = 5 * 1024 * 1024 + 12_345;
    const { header, ciphertext } = encryptFileStream(source(total, 10_007, { produced: 0 }), key, context, chunkSize);
    const plain = await collect(decryptFileStream(ciphertext, key, header, context));
    const joined = Buffer.concat(plain);
    expect(joined.length).toBe(total);
    for (const index of [0, 1, 65_535, 65_536, total - 1]) expect(joined[index]).toBe(index % 251);
  });

  it("holds no more than about two chunks of plaintext at a time", async () => {
    const key = generateFileKey();
    const counter = { produced: 0 };
    let consumed = 0;
    let maxAhead = 0;
    const { header, ciphertext } = encryptFileStream(source(8 * 1024 * 1024, 4096, counter), key, context, chunkSize);
    await collect(decryptFileStream(ciphertext, key, header, context), (chunk) => {
      consumed += chunk.length;
      maxAhead = Math.max(maxAhead, counter.produced - consumed);
    });
    expect(consumed).toBe(8 * 1024 * 1024);
    // Produced but not yet delivered: bounded by a few chunks, not by the file size.
    expect(maxAhead).toBeLessThanOrEqual(4 * chunkSize);
  });

  it("errors when the ciphertext stream is cut short", async () => {
    const key = generateFileKey();
    const { header, ciphertext } = encryptFileStream(source(300_000, 50_000, { produced: 0 }), key, context, chunkSize);
    const chunks = await collect(ciphertext);
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks.slice(0, -1)) controller.enqueue(chunk);
        controller.close();
      },
    });
    await expect(collect(decryptFileStream(cut, key, header, context))).rejects.toBeInstanceOf(CryptoError);
  });

  it("round-trips an empty file", async () => {
    const key = generateFileKey();
    const { header, ciphertext } = encryptFileStream(source(0, 1, { produced: 0 }), key, context, chunkSize);
    expect(Buffer.concat(await collect(decryptFileStream(ciphertext, key, header, context))).length).toBe(0);
  });
});
