import { beforeAll, describe, expect, it, vi } from "vitest";
import { createFileEncryptor, cryptoReady, fromBase64url, generateFileKey, toBase64url } from "@/crypto";
import { blobsRoutes } from "@/contract/records";
import { isIntegrityError } from "../integrity";
import { ApiError } from "../transport/api";
import { hugeFileFrom, largeFileFrom } from "@/contract/records";
import {
  chunksInFlight,
  chunksInFlightFor,
  downloadDecryptedFile,
  fileChunkSize,
  hugeFileChunkSize,
  largeFileChunkSize,
  reencryptFile,
  uploadEncryptedFile,
  type FileReference,
} from "./files";
import { patientVault, recordsServer } from "./test-server";
import { memoryUploads, NotTheSameFileError, resumeUpload, savingJournal } from "./upload-resume";

beforeAll(cryptoReady);

const context = { recordId: crypto.randomUUID(), version: 1, keyVersion: 1 };
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

/** `size` bytes that differ from chunk to chunk (a plain loop: `map` over megabytes is slow). */
function pattern(size: number): Uint8Array<ArrayBuffer> {
  const plain = new Uint8Array(size);
  for (let index = 0; index < size; index++) plain[index] = (index * 7 + 3) % 251;
  return plain;
}

async function uploaded(size: number) {
  const server = recordsServer(patientVault());
  const plain = pattern(size);
  const reference = await uploadEncryptedFile(new Blob([plain]), context, () => undefined, server.transport);
  return { server, plain, reference };
}

/** A test server whose chunk uploads take 20 ms each, counting the most it had at once. */
function slowChunkServer() {
  const server = recordsServer(patientVault());
  let inFlight = 0;
  let most = 0;
  server.transport.on(blobsRoutes.putChunk, async ({ params, body }) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.chunks.get(params.id)![Number(params.index)] = body;
    inFlight -= 1;
  });
  return { server, most: () => most };
}

describe("files", () => {
  it("upload encrypted in padded chunks and download to the same bytes, checked against the signed digest", async () => {
    const { server, plain, reference } = await uploaded(fileChunkSize + 1000);
    expect(reference.chunkCount).toBe(2);
    const stored = server.chunks.get(reference.blobId)!;
    expect(stored.map((chunk) => chunk.length)).toEqual([fileChunkSize + 17, fileChunkSize + 17]);
    const downloaded = await downloadDecryptedFile(reference, "application/octet-stream", () => undefined, server.transport);
    // Compared as one buffer: a deep equality of a megabyte array is slow.
    expect(Buffer.from(await bytesOf(downloaded)).equals(Buffer.from(plain))).toBe(true);
    expect(server.transport.callsTo(blobsRoutes.getChunk).map((call) => call.input.params)).toEqual([
      { id: reference.blobId, index: 0 },
      { id: reference.blobId, index: 1 },
    ]);
  });

  it("upload a file above 16 MiB in 4 MiB chunks, which download and re-encrypt to the same bytes", async () => {
    const { server, plain, reference } = await uploaded(largeFileFrom + 1);
    expect([reference.chunkSize, reference.chunkCount]).toEqual([largeFileChunkSize, 5]);
    expect(server.transport.callsTo(blobsRoutes.start).at(-1)!.input.body).toMatchObject({ chunkSize: largeFileChunkSize, chunkCount: 5 });
    expect(server.chunks.get(reference.blobId)!.every((chunk) => chunk.length === largeFileChunkSize + 17)).toBe(true);
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(reference, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
    const moved = await reencryptFile(reference, { ...context, keyVersion: 2 }, server.transport);
    expect([moved.chunkSize, moved.chunkCount]).toEqual([largeFileChunkSize, 5]);
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(moved, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
  }, 60_000);

  it("upload a file above 32 MiB in 8 MiB chunks with fewer in flight (bounded bytes), which downloads to the same bytes", async () => {
    const { server, most } = slowChunkServer();
    const plain = pattern(hugeFileFrom + 1);
    const reference = await uploadEncryptedFile(new Blob([plain]), context, () => undefined, server.transport);
    expect([reference.chunkSize, reference.chunkCount]).toEqual([hugeFileChunkSize, 5]);
    expect(server.chunks.get(reference.blobId)!.every((chunk) => chunk.length === hugeFileChunkSize + 17)).toBe(true);
    expect([chunksInFlightFor(hugeFileChunkSize), chunksInFlightFor(largeFileChunkSize), chunksInFlightFor(fileChunkSize)]).toEqual([
      4,
      chunksInFlight,
      chunksInFlight,
    ]);
    expect([most() > 1, most() <= chunksInFlightFor(hugeFileChunkSize)]).toEqual([true, true]);
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(reference, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
  }, 60_000);

  it("keep the chunk size a resumed upload began with (1 MiB from before larger chunks), whatever the file's size", async () => {
    const server = recordsServer(patientVault());
    const plain = pattern(largeFileFrom + 5);
    const fileKey = generateFileKey();
    const encryptor = createFileEncryptor(fileKey, context, fileChunkSize);
    const chunkCount = Math.ceil(plain.length / fileChunkSize);
    const { blobId } = await server.transport.call(blobsRoutes.start, { body: { chunkSize: fileChunkSize, chunkCount } });
    const reference = await uploadEncryptedFile(new Blob([plain]), context, () => undefined, server.transport, undefined, {
      resume: { blobId, fileKey, encryptor, held: new Map() },
    });
    expect([reference.chunkSize, reference.chunkCount]).toEqual([fileChunkSize, chunkCount]);
    expect(server.chunks.get(blobId)!.every((chunk) => chunk.length === fileChunkSize + 17)).toBe(true);
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(reference, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
  }, 60_000);

  it("refuse an altered or reordered chunk as IntegrityError decrypt", async () => {
    const { server, reference } = await uploaded(fileChunkSize + 10);
    const stored = server.chunks.get(reference.blobId)!;
    stored[0]![100]! ^= 1;
    expect(await rejection(downloadDecryptedFile(reference, "", () => undefined, server.transport))).toSatisfy(
      (error) => isIntegrityError(error) && error.code === "decrypt",
    );
    stored[0]![100]! ^= 1;
    stored.reverse();
    expect(await rejection(downloadDecryptedFile(reference, "", () => undefined, server.transport))).toSatisfy(
      (error) => isIntegrityError(error) && error.code === "decrypt",
    );
  });

  it("refuse a whole, intact file that is not the one its author signed (digest) as IntegrityError signature", async () => {
    const { server, reference } = await uploaded(5000);
    // Another file encrypted under the same key and context would decrypt; only the signed digest tells it apart.
    const other: FileReference = { ...reference, digest: toBase64url(new Uint8Array(32)) };
    const error = await rejection(downloadDecryptedFile(other, "", () => undefined, server.transport));
    expect(isIntegrityError(error) && error.code).toBe("signature");
  });

  it("pass a refusal of the download on as the server's error, not as damage", async () => {
    const { server, reference } = await uploaded(10);
    server.chunks.delete(reference.blobId);
    await expect(downloadDecryptedFile(reference, "", () => undefined, server.transport)).rejects.toMatchObject({ status: 404 });
  });

  it("upload with a few chunks in flight at once, never more than chunksInFlight", async () => {
    const { server, most } = slowChunkServer();
    const plain = new Uint8Array(fileChunkSize * 6 + 5).map((_, index) => index % 253);
    const progress: number[] = [];
    const reference = await uploadEncryptedFile(new Blob([plain]), context, (step) => progress.push(step.doneBytes), server.transport);
    expect([most() > 1, most() <= chunksInFlight]).toEqual([true, true]);
    expect(progress.at(-1)).toBe(plain.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(reference, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
  });

  it("say retrying while any chunk in flight is being sent again, not only until the first one gets through", async () => {
    // Chunk 0 fails once, chunk 1 three times: chunk 0 gets through while chunk 1 still fails.
    const server = recordsServer(patientVault());
    const failuresLeft = new Map([
      [0, 1],
      [1, 3],
    ]);
    const stillFailing = new Set<number>();
    const failOrStore = (index: number, store: () => void) => {
      const left = failuresLeft.get(index) ?? 0;
      if (left > 0) {
        failuresLeft.set(index, left - 1);
        stillFailing.add(index);
        throw new ApiError(0, "network", "The connection was lost.");
      }
      stillFailing.delete(index);
      store();
    };
    server.transport.on(blobsRoutes.putChunk, async ({ params, body }) =>
      failOrStore(Number(params.index), () => (server.chunks.get(params.id)![Number(params.index)] = body)),
    );
    const plain = pattern(fileChunkSize * 2);
    const told: Array<{ retrying: boolean; failing: number }> = [];
    const reference = await uploadEncryptedFile(
      new Blob([plain]),
      context,
      (step) => told.push({ retrying: step.retrying, failing: stillFailing.size }),
      server.transport,
    );
    expect(told.some((step) => step.retrying)).toBe(true);
    expect(told.filter((step) => !step.retrying && step.failing > 0)).toEqual([]);
    expect(told.at(-1)!.retrying).toBe(false);

    // The same going down: both chunks fetched ahead, each failing its own number of times.
    failuresLeft.set(0, 1).set(1, 3);
    const real = server.transport.handlerOf(blobsRoutes.getChunk);
    server.transport.on(blobsRoutes.getChunk, async (input) => {
      failOrStore(Number(input.params.index), () => undefined);
      return real(input);
    });
    const down: Array<{ retrying: boolean; failing: number }> = [];
    const downloaded = await downloadDecryptedFile(
      reference,
      "",
      (step) => down.push({ retrying: step.retrying, failing: stillFailing.size }),
      server.transport,
    );
    expect(Buffer.from(await bytesOf(downloaded)).equals(Buffer.from(plain))).toBe(true);
    expect(down.some((step) => step.retrying)).toBe(true);
    expect(down.filter((step) => !step.retrying && step.failing > 0)).toEqual([]);
  });

  it("stop between chunks when cancelled, without completing the upload", async () => {
    const server = recordsServer(patientVault());
    const cancel = new AbortController();
    const plain = new Uint8Array(fileChunkSize * 8);
    const error = await rejection(
      uploadEncryptedFile(
        new Blob([plain]),
        context,
        (step) => {
          if (step.doneBytes >= fileChunkSize) cancel.abort();
        },
        server.transport,
        undefined,
        { signal: cancel.signal },
      ),
    );
    expect(error).toMatchObject({ name: "AbortError" });
    expect(server.transport.callsTo(blobsRoutes.putChunk).length).toBeLessThan(8);
    expect(server.transport.callsTo(blobsRoutes.complete)).toHaveLength(0);
  });

  it("re-encrypt a stored file under a new key for a rotation, streaming, to a new blob that decrypts to the same bytes; a damaged original stops it", async () => {
    const { server, plain, reference } = await uploaded(fileChunkSize * 3 + 500);
    const before = server.chunks.get(reference.blobId)!.map((chunk) => Buffer.from(chunk));
    const moved = await reencryptFile(reference, { ...context, keyVersion: 2 }, server.transport);
    expect([moved.blobId === reference.blobId, moved.key === reference.key, moved.keyVersion, moved.size, moved.digest]).toEqual([
      false,
      false,
      2,
      plain.length,
      reference.digest,
    ]);
    expect(server.transport.callsTo(blobsRoutes.start).at(-1)!.input.body).toMatchObject({ replaces: reference.blobId });
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(moved, "", () => undefined, server.transport))).equals(Buffer.from(plain))).toBe(true);
    expect(server.chunks.get(reference.blobId)!.every((chunk, index) => Buffer.from(chunk).equals(before[index]!))).toBe(true);

    server.chunks.get(reference.blobId)![2]![40]! ^= 1;
    const error = await rejection(reencryptFile(reference, { ...context, keyVersion: 2 }, server.transport));
    expect(isIntegrityError(error) && error.code).toBe("decrypt");
  });

  it("resume after a reload: the same file picked again sends only the chunks the server lacks, and the saved state holds no key in the clear", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const store = memoryUploads();
    const plain = new Uint8Array(fileChunkSize * 5 + 77).map((_, index) => (index * 13) % 256);
    const file = new File([plain], "scan.pdf", { type: "application/pdf", lastModified: 1_700_000_000_000 });
    const facts = { name: file.name, type: file.type, size: file.size, lastModified: file.lastModified };
    const journal = savingJournal(store, vault, facts, context.recordId);
    // The page goes away while chunk 3 is on its way: the first three arrived and were recorded.
    server.transport.on(blobsRoutes.putChunk, ({ params, body }) => {
      if (Number(params.index) >= 3) throw new ApiError(400, "invalid-input", "The page was closed.");
      server.chunks.get(params.id)![Number(params.index)] = body;
    });
    await rejection(uploadEncryptedFile(file, context, () => undefined, server.transport, undefined, { journal }));
    await journal.flush();
    const [saved] = await store.list(vault.userId);
    expect(saved).toMatchObject({ ...facts, recordId: context.recordId, chunkCount: 6 });
    expect(Object.keys(saved!.tags).map(Number).sort()).toEqual([0, 1, 2]);
    const [startCall] = server.transport.callsTo(blobsRoutes.start);
    expect(startCall).toBeDefined();

    // One acknowledgement was not recorded before the reload: that chunk is sent again, which the server takes as the same bytes.
    delete saved!.tags[1];
    const server2 = recordsServer(vault);
    server2.chunks.set(saved!.blobId, server.chunks.get(saved!.blobId)!);
    const reference = await resumeUpload(saved!, file, vault, server2.transport, store, () => undefined);
    expect(server2.transport.callsTo(blobsRoutes.putChunk).map((call) => Number((call.input.params as unknown as { index: number }).index))).toEqual([
      1, 3, 4, 5,
    ]);
    expect(reference.blobId).toBe(saved!.blobId);
    expect(Buffer.from(await bytesOf(await downloadDecryptedFile(reference, "", () => undefined, server2.transport))).equals(Buffer.from(plain))).toBe(true);
    expect(Buffer.from(saved!.sealed).includes(Buffer.from(fromBase64url(reference.key)))).toBe(false);
  });

  it("a finished journal writes nothing more: an upload saved or cancelled is not offered again after a reload", async () => {
    vi.useFakeTimers();
    try {
      const vault = patientVault();
      const store = memoryUploads();
      const journal = savingJournal(store, vault, { name: "scan.pdf", type: "", size: 10, lastModified: 1 }, context.recordId);
      const blobId = crypto.randomUUID();
      const fileKey = generateFileKey();
      await journal.started({ blobId, fileKey, header: createFileEncryptor(fileKey, context).header, chunkCount: 1 });
      // The last chunk's acknowledgement schedules a write; the record is saved before it is due.
      journal.stored(0, new Uint8Array(17));
      await journal.finish();
      await store.remove(blobId);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await store.list(vault.userId)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuse to resume with another file: a different size or date at once, different bytes by the chunks' tags and the server's conflict", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const store = memoryUploads();
    const plain = new Uint8Array(fileChunkSize * 3).fill(7);
    const file = new File([plain], "a.bin", { lastModified: 1_700_000_000_000 });
    const journal = savingJournal(store, vault, { name: file.name, type: "", size: file.size, lastModified: file.lastModified }, context.recordId);
    server.transport.on(blobsRoutes.putChunk, ({ params, body }) => {
      if (Number(params.index) >= 2) throw new ApiError(400, "invalid-input", "The page was closed.");
      server.chunks.get(params.id)![Number(params.index)] = body;
    });
    await rejection(uploadEncryptedFile(file, context, () => undefined, server.transport, undefined, { journal }));
    await journal.flush();
    const [saved] = await store.list(vault.userId);
    const fresh = recordsServer(vault);
    fresh.chunks.set(saved!.blobId, server.chunks.get(saved!.blobId)!);
    const shorter = new File([plain.subarray(1)], "a.bin", { lastModified: file.lastModified });
    expect(await rejection(resumeUpload(saved!, shorter, vault, fresh.transport, store, () => undefined))).toBeInstanceOf(NotTheSameFileError);
    expect(fresh.transport.calls).toHaveLength(0);
    const changed = plain.slice();
    changed[10] = 8;
    const other = new File([changed], "a.bin", { lastModified: file.lastModified });
    expect(await rejection(resumeUpload(saved!, other, vault, fresh.transport, store, () => undefined))).toBeInstanceOf(NotTheSameFileError);
    expect(fresh.transport.callsTo(blobsRoutes.complete)).toHaveLength(0);
  });
});
