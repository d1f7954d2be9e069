import {
  createFileDecryptor,
  createFileDigest,
  createFileEncryptor,
  CryptoError,
  cryptoReady,
  equalBytes,
  fromBase64url,
  fileKeyFromBytes,
  generateFileKey,
  toBase64url,
} from "@/crypto";
import { z } from "zod";
import { blobsRoutes, fileChunkSize } from "@/contract/records";
import { retryTransient, type Transport } from "../transport/api";
import { IntegrityError, verified } from "../integrity";

export { fileChunkSize };

/**
 * How to reach a file's encrypted body: which blob, the key that opens it, and the record
 * context its chunks are bound to. A key rotation replaces all of it, so it sits outside
 * what the record's author signs.
 */
const fileAccessSchema = z.object({
  blobId: z.string().uuid(),
  key: z.string().min(43).max(43),
  header: z.string().min(1).max(64),
  chunkSize: z.number().int().positive(),
  chunkCount: z.number().int().positive(),
  recordId: z.string().min(1),
  version: z.number().int().positive(),
  keyVersion: z.number().int().positive(),
});
export type FileAccess = z.infer<typeof fileAccessSchema>;

/** What the encrypted record keeps about its file: enough to fetch, verify and decrypt it. */
export interface FileReference extends FileAccess {
  /** The real size in bytes; the stored file is padded to whole chunks. */
  size: number;
  /** BLAKE2b-256 of the plaintext (base64url): signed by the record's author, checked on every download. */
  digest: string;
}

/** The part of a file reference a key rotation replaces. */
export const accessOf = (file: FileReference): FileAccess => fileAccessSchema.parse(file);

/**
 * Joins a signed file description (`{size, digest}`) and its access; throws CryptoError
 * ("malformed") when either is not what this app writes.
 */
export function withAccess(signed: { size?: unknown; digest?: unknown }, access: unknown): FileReference {
  const parsed = fileAccessSchema.safeParse(access);
  if (!parsed.success || typeof signed.size !== "number" || !Number.isSafeInteger(signed.size) || signed.size < 0 || typeof signed.digest !== "string") {
    throw new CryptoError("malformed");
  }
  return { ...parsed.data, size: signed.size, digest: signed.digest };
}

export interface TransferProgress {
  doneBytes: number;
  totalBytes: number;
  /** Set while a dropped connection is being retried. */
  retrying: boolean;
}

/**
 * Encrypts a file chunk by chunk as it is read and uploads each chunk before reading the
 * next, so memory holds about one chunk whatever the file size. Each encrypted chunk is
 * kept until the server has it: a retry re-sends the same bytes, which the server accepts.
 * The server checks the declared size against the account's storage quota before the first
 * chunk: an ApiError `quota-exceeded` (413) or `too-many-uploads` (409) carries the plain
 * message to show. `replaces` names the stored file a key rotation re-encrypts, which the
 * quota then does not count twice.
 */
export async function uploadEncryptedFile(
  file: Blob,
  context: { recordId: string; version: number; keyVersion: number },
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
  replaces?: string,
): Promise<FileReference> {
  await cryptoReady();
  const chunkCount = Math.max(1, Math.ceil(file.size / fileChunkSize));
  const fileKey = generateFileKey();
  const encryptor = createFileEncryptor(fileKey, context, fileChunkSize);
  const digest = createFileDigest();
  const { blobId } = await transport.call(blobsRoutes.start, { body: { chunkSize: fileChunkSize, chunkCount, ...(replaces ? { replaces } : {}) } });
  let retrying = false;
  const report = (index: number) => onProgress({ doneBytes: Math.min(file.size, index * fileChunkSize), totalBytes: file.size, retrying });
  const padded = new Uint8Array(fileChunkSize);
  for (let index = 0; index < chunkCount; index++) {
    const slice = new Uint8Array(await file.slice(index * fileChunkSize, (index + 1) * fileChunkSize).arrayBuffer());
    digest.update(slice);
    padded.fill(0);
    padded.set(slice);
    const encrypted = encryptor.encryptChunk(padded, index === chunkCount - 1);
    await retryTransient(
      () => transport.call(blobsRoutes.putChunk, { params: { id: blobId, index }, body: encrypted }),
      (state) => {
        retrying = state;
        report(index);
      },
    );
    report(index + 1);
  }
  await retryTransient(
    () => transport.call(blobsRoutes.complete, { params: { id: blobId } }),
    () => undefined,
  );
  const reference: FileReference = {
    blobId,
    key: toBase64url(fileKey),
    header: toBase64url(encryptor.header),
    size: file.size,
    digest: toBase64url(digest.finish()),
    chunkSize: fileChunkSize,
    chunkCount,
    ...context,
  };
  fileKey.fill(0);
  return reference;
}

/**
 * Downloads and decrypts chunk by chunk; any altered, missing or reordered chunk stops it,
 * and a file whose plaintext differs from the digest its author signed fails at the end,
 * whoever re-encrypted it since.
 * @throws IntegrityError for a chunk ("decrypt") or whole file ("signature": not what its
 *   author signed) that fails its check (damage or tampering); ApiError for a refusal
 *   (`isAccessEnded` when access ended) or a connection given up on.
 * Each decrypted chunk is appended to a Blob at once and dropped, so page memory holds
 * about one chunk; the browser keeps a large Blob's data on disk.
 */
export async function downloadDecryptedFile(
  reference: FileReference,
  type: string,
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
): Promise<Blob> {
  await cryptoReady();
  const fileKey = verified("decrypt", () => fileKeyFromBytes(fromBase64url(reference.key)));
  const decryptor = verified("decrypt", () => createFileDecryptor(fileKey, fromBase64url(reference.header), reference));
  const digest = createFileDigest();
  let result = new Blob([], { type });
  let remaining = reference.size;
  let retrying = false;
  for (let index = 0; index < reference.chunkCount; index++) {
    // The server's own code and status: a 404 after a revoke is access that ended, not damage.
    const encrypted = await retryTransient(
      () => transport.call(blobsRoutes.getChunk, { params: { id: reference.blobId, index } }),
      (state) => {
        retrying = state;
        onProgress({ doneBytes: reference.size - remaining, totalBytes: reference.size, retrying });
      },
    );
    const plain = verified("decrypt", () => decryptor.decryptChunk(encrypted));
    const keep = Math.min(remaining, plain.length);
    digest.update(keep === plain.length ? plain : plain.subarray(0, keep));
    result = new Blob([result, keep === plain.length ? plain : plain.slice(0, keep)] as BlobPart[], { type });
    remaining -= keep;
    onProgress({ doneBytes: reference.size - remaining, totalBytes: reference.size, retrying });
  }
  verified("decrypt", () => decryptor.done());
  fileKey.fill(0);
  if (!equalBytes(digest.finish(), fromBase64url(reference.digest))) throw new IntegrityError("signature");
  return result;
}
