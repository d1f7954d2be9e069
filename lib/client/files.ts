import {
  createFileDecryptor,
  createFileEncryptor,
  cryptoReady,
  fromBase64url,
  generateRecordKey,
  toBase64url,
} from "@/crypto";
import { api, ApiError, apiErrorFrom, retryTransient } from "./api";

/** Matches the server's upload chunk size; files are padded to whole chunks. */
export const fileChunkSize = 1024 * 1024;

/** What the encrypted record keeps about its file: enough to fetch, verify and decrypt it. */
export interface FileReference {
  blobId: string;
  key: string;
  header: string;
  /** The real size; the stored file is padded to whole chunks. */
  size: number;
  chunkSize: number;
  chunkCount: number;
  /** The record and version the chunks are bound to. */
  recordId: string;
  version: number;
  keyVersion: number;
}

export interface TransferProgress {
  doneBytes: number;
  totalBytes: number;
  /** Set while a dropped connection is being retried. */
  retrying: boolean;
}

async function putChunk(blobId: string, index: number, data: Uint8Array): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`/api/blobs/${blobId}/chunks/${index}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(data),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, "network", "The connection dropped.");
  }
  if (!response.ok) throw await apiErrorFrom(response, "Upload failed.");
}

/**
 * Encrypts a file chunk by chunk as it is read and uploads each chunk before reading the
 * next, so memory holds about one chunk whatever the file size. Each encrypted chunk is
 * kept until the server has it: a retry re-sends the same bytes, which the server accepts.
 */
export async function uploadEncryptedFile(
  file: Blob,
  context: { recordId: string; version: number; keyVersion: number },
  onProgress: (progress: TransferProgress) => void,
): Promise<FileReference> {
  await cryptoReady();
  const chunkCount = Math.max(1, Math.ceil(file.size / fileChunkSize));
  const fileKey = generateRecordKey();
  const encryptor = createFileEncryptor(fileKey, context, fileChunkSize);
  const { blobId } = await api.post<{ blobId: string }>("/api/blobs", { chunkSize: fileChunkSize, chunkCount });
  let retrying = false;
  const report = (index: number) => onProgress({ doneBytes: Math.min(file.size, index * fileChunkSize), totalBytes: file.size, retrying });
  const padded = new Uint8Array(fileChunkSize);
  for (let index = 0; index < chunkCount; index++) {
    const slice = new Uint8Array(await file.slice(index * fileChunkSize, (index + 1) * fileChunkSize).arrayBuffer());
    padded.fill(0);
    padded.set(slice);
    const encrypted = encryptor.encryptChunk(padded, index === chunkCount - 1);
    await retryTransient(
      () => putChunk(blobId, index, encrypted),
      (state) => {
        retrying = state;
        report(index);
      },
    );
    report(index + 1);
  }
  await retryTransient(() => api.post(`/api/blobs/${blobId}/complete`), () => undefined);
  const reference: FileReference = {
    blobId,
    key: toBase64url(fileKey),
    header: toBase64url(encryptor.header),
    size: file.size,
    chunkSize: fileChunkSize,
    chunkCount,
    ...context,
  };
  fileKey.fill(0);
  return reference;
}

async function getChunk(blobId: string, index: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(`/api/blobs/${blobId}/chunks/${index}`, { credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, "network", "The connection dropped.");
  }
  // The server's own code and status: a 404 after a revoke is access that ended, not damage.
  if (!response.ok) throw await apiErrorFrom(response, "The file could not be downloaded.");
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Downloads and decrypts chunk by chunk; any altered, missing or reordered chunk stops it.
 * Throws a CryptoError for a chunk that fails its check (damage or tampering), and an
 * ApiError for a refusal (`isAccessEnded` when access ended) or a connection given up on.
 * Each decrypted chunk is appended to a Blob at once and dropped, so page memory holds
 * about one chunk; the browser keeps a large Blob's data on disk.
 */
export async function downloadDecryptedFile(reference: FileReference, type: string, onProgress: (progress: TransferProgress) => void): Promise<Blob> {
  await cryptoReady();
  const fileKey = fromBase64url(reference.key);
  const decryptor = createFileDecryptor(fileKey, fromBase64url(reference.header), reference);
  let result = new Blob([], { type });
  let remaining = reference.size;
  let retrying = false;
  for (let index = 0; index < reference.chunkCount; index++) {
    const encrypted = await retryTransient(() => getChunk(reference.blobId, index), (state) => {
      retrying = state;
      onProgress({ doneBytes: reference.size - remaining, totalBytes: reference.size, retrying });
    });
    const plain = decryptor.decryptChunk(encrypted);
    const keep = Math.min(remaining, plain.length);
    result = new Blob([result, keep === plain.length ? plain : plain.slice(0, keep)] as BlobPart[], { type });
    remaining -= keep;
    onProgress({ doneBytes: reference.size - remaining, totalBytes: reference.size, retrying });
  }
  decryptor.done();
  fileKey.fill(0);
  return result;
}
