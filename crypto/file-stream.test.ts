import { beforeAll, describe, expect, it } from "vitest";
import { createFileDecryptor, createFileEncryptor, generateFileKey, resumeFileEncryptor, type FileEncryptor } from "./file-stream";
import type { FileKey } from "./key-types";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails } from "./test-helpers";

beforeAll(cryptoReady);

const context = { recordId: "file-record", version: 1, keyVersion: 1 };
const chunkSize = 1024;

function encryptAll(encryptor: FileEncryptor, data: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; ; offset += chunkSize) {
    const piece = data.subarray(offset, offset + chunkSize);
    const isLast = offset + chunkSize >= data.length;
    chunks.push(encryptor.encryptChunk(piece, isLast));
    if (isLast) return chunks;
  }
}

function decryptAll(key: FileKey, header: Uint8Array, chunks: Uint8Array[], ctx = context): Uint8Array {
  const decryptor = createFileDecryptor(key, header, ctx);
  const parts = chunks.map((chunk) => decryptor.decryptChunk(chunk));
  decryptor.done();
  return Buffer.concat(parts);
}

function encrypted(size = chunkSize * 4 + 100) {
  const key = generateFileKey();
  const data = bytesFrom(80, size);
  const encryptor = createFileEncryptor(key, context, chunkSize);
  return { key, data, header: encryptor.header, chunks: encryptAll(encryptor, data) };
}

describe("file encryption in chunks", () => {
  it.each([0, 1, chunkSize - 1, chunkSize, chunkSize + 1, chunkSize * 3, chunkSize * 5 + 7])("round-trips %i bytes", (size) => {
    const { key, data, header, chunks } = encrypted(size);
    expect(decryptAll(key, header, chunks)).toEqual(Buffer.from(data));
  });

  it("fails when the final chunk is missing (truncation)", () => {
    const { key, header, chunks } = encrypted();
    expectCryptoError(() => decryptAll(key, header, chunks.slice(0, -1)), "truncated");
  });

  it("fails when chunks are reordered, dropped or duplicated", () => {
    const { key, header, chunks } = encrypted();
    expectCryptoError(() => decryptAll(key, header, [chunks[1]!, chunks[0]!, ...chunks.slice(2)]));
    expectCryptoError(() => decryptAll(key, header, [chunks[0]!, ...chunks.slice(2)]));
    expectCryptoError(() => decryptAll(key, header, [chunks[0]!, chunks[0]!, ...chunks.slice(1)]));
  });

  it("fails on data after the final chunk", () => {
    const { key, header, chunks } = encrypted();
    expectCryptoError(() => decryptAll(key, header, [...chunks, chunks.at(-1)!]));
  });

  it("fails on a flipped bit anywhere in a chunk or in the header", () => {
    const { key, header, chunks } = encrypted(chunkSize * 2);
    for (let position = 0; position < chunks[0]!.length; position += 97) {
      const tampered = chunks.map((chunk) => chunk.slice());
      tampered[0]![position]! ^= 0x10;
      expectCryptoError(() => decryptAll(key, header, tampered));
    }
    expectEveryByteTamperFails(header, (tamperedHeader) => decryptAll(key, tamperedHeader, chunks));
  });

  it("fails with the wrong key, or a chunk from another record under the same key", () => {
    const key = generateFileKey();
    const data = bytesFrom(81, chunkSize * 2);
    const first = createFileEncryptor(key, context, chunkSize);
    const firstChunks = encryptAll(first, data);
    expectCryptoError(() => decryptAll(generateFileKey(), first.header, firstChunks));
    expectCryptoError(() => decryptAll(key, first.header, firstChunks, { ...context, recordId: "other-record" }), "authentication-failed");
    expectCryptoError(() => decryptAll(key, first.header, firstChunks, { ...context, keyVersion: 2 }), "authentication-failed");
    const second = createFileEncryptor(key, context, chunkSize);
    const secondChunks = encryptAll(second, data);
    expectCryptoError(() => decryptAll(key, first.header, [firstChunks[0]!, secondChunks[1]!, firstChunks[2]!]));
  });

  it("refuses a short chunk before the end, and misuse of the encryptor", () => {
    const key = generateFileKey();
    const encryptor = createFileEncryptor(key, context, chunkSize);
    expectCryptoError(() => encryptor.encryptChunk(new Uint8Array(10), false), "invalid-argument");
    expectCryptoError(() => encryptor.encryptChunk(new Uint8Array(chunkSize + 1), true), "invalid-argument");
    encryptor.encryptChunk(new Uint8Array(0), true);
    expectCryptoError(() => encryptor.encryptChunk(new Uint8Array(0), true), "invalid-argument");
  });

  it("re-encrypts a started file from its key and header byte for byte (a resumed upload), and a changed chunk changes every chunk after it", () => {
    const { key, data, header, chunks } = encrypted(chunkSize * 4 + 100);
    const again = resumeFileEncryptor(key, header, context);
    expect(again.header).toEqual(header);
    expect(again.chunkSize).toBe(chunkSize);
    expect(encryptAll(again, data).map((chunk) => Buffer.from(chunk))).toEqual(chunks.map((chunk) => Buffer.from(chunk)));
    const changed = data.slice();
    changed[chunkSize + 5]! ^= 1;
    const differs = encryptAll(resumeFileEncryptor(key, header, context), changed).map(
      (chunk, index) => !Buffer.from(chunk).equals(Buffer.from(chunks[index]!)),
    );
    expect(differs).toEqual([false, true, true, true, true]);
    expectCryptoError(() => resumeFileEncryptor(key, header.subarray(0, 20), context), "malformed");
    expect(decryptAll(key, header, encryptAll(resumeFileEncryptor(key, header, context), data))).toEqual(Buffer.from(data));
  });
});
