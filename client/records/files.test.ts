import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, toBase64url } from "@/crypto";
import { blobsRoutes } from "@/contract/records";
import { isIntegrityError } from "../integrity";
import { downloadDecryptedFile, fileChunkSize, uploadEncryptedFile, type FileReference } from "./files";
import { patientVault, recordsServer } from "./test-server";

beforeAll(cryptoReady);

const context = { recordId: crypto.randomUUID(), version: 1, keyVersion: 1 };
const bytesOf = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

async function uploaded(size: number) {
  const server = recordsServer(patientVault());
  const plain = new Uint8Array(size).map((_, index) => (index * 7 + 3) % 251);
  const reference = await uploadEncryptedFile(new Blob([plain]), context, () => undefined, server.transport);
  return { server, plain, reference };
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
});
