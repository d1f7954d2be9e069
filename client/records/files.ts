import {
  createFileDecryptor,
  createFileDigest,
  createFileEncryptor,
  CryptoError,
  cryptoReady,
  encryptedChunkTag,
  equalBytes,
  fromBase64url,
  fileKeyFromBytes,
  generateFileKey,
  toBase64url,
  type FileEncryptor,
  type FileKey,
} from "@/crypto";
import { z } from "zod";
import { blobsRoutes, chunkSizeFor } from "@/contract/records";
import { retryTransient, type Transport } from "../transport/api";
import { IntegrityError, verified } from "../integrity";
import { heldBlobBuilder } from "./held-blob";

export { chunkSizeFor, fileChunkSize, hugeFileChunkSize, largeFileChunkSize } from "@/contract/records";

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
 * The most chunks on their way at once (uploads: encrypted chunks sent; downloads: chunks
 * fetched ahead): chunk k+1 is read and encrypted while the ones before it upload. A chunk's
 * request spends most of its time waiting (the body's transfer, the server's fsyncs and row),
 * not computing, so more in flight keeps the encryption busy; 5 leaves one of HTTP/1.1's six
 * connections per origin to the page's other requests.
 */
export const chunksInFlight = 5;

/** The bytes of chunks in flight a page holds at most (and the server with them): the page's memory stays bounded whatever the file size. */
const bytesInFlight = 32 * 1024 * 1024;

/** Chunks in flight for chunks of `chunkSize` bytes: `chunksInFlight`, fewer for large chunks (`bytesInFlight`), never fewer than 2. */
export const chunksInFlightFor = (chunkSize: number): number => Math.max(2, Math.min(chunksInFlight, Math.floor(bytesInFlight / chunkSize)));

/** Chunk `index` of a file's real bytes (`chunkSize` bytes each, the last one shorter), read when it is needed; called in order. */
export type ChunkReader = (index: number, chunkSize: number) => Promise<Uint8Array>;

/** Reads a File or Blob one chunk at a time (a slice each), so the page never holds more than the chunks in flight. */
export const blobChunks =
  (file: Blob): ChunkReader =>
  async (index, chunkSize) =>
    new Uint8Array(await file.slice(index * chunkSize, (index + 1) * chunkSize).arrayBuffer());

/**
 * What an upload reports so it can go on after a page reload (client/records/upload-resume.ts):
 * its start (blob, file key and header: the secretstream state is rebuilt from them), and each
 * chunk the server acknowledged, with its tag (encryptedChunkTag), so a resumed upload skips
 * only chunks it re-encrypted to the very same bytes.
 */
export interface UploadJournal {
  started(upload: { blobId: string; fileKey: FileKey; header: Uint8Array; chunkCount: number }): Promise<void> | void;
  stored(index: number, tag: Uint8Array): void;
}

/** A started upload to go on with: the blob, the encryptor rebuilt from its key and header, and the tags of the chunks the server holds. */
export interface UploadToResume {
  blobId: string;
  fileKey: FileKey;
  encryptor: FileEncryptor;
  /** Chunks the server says it holds (GET upload status), with the tag recorded when each was sent, if it was. */
  held: Map<number, Uint8Array | null>;
}

export interface UploadOptions {
  /** Stops the upload between chunks (an AbortError); the chunks sent stay until the sweeper removes them. */
  signal?: AbortSignal;
  journal?: UploadJournal;
  /** Goes on with an upload started before (after a page reload) instead of starting one. */
  resume?: UploadToResume;
}

/**
 * Encrypts a file chunk by chunk as it is read and uploads the chunks with a few in flight
 * (`chunksInFlightFor`): chunk k+1 is read and encrypted while the chunks before it upload, so the page holds
 * at most that many chunks whatever the file size, and nothing of the whole file. Chunks are
 * 1 MiB, 4 MiB for a file above 16 MiB, 8 MiB above 32 MiB (`chunkSizeFor`: a request per chunk costs the same
 * whatever its size); a resumed upload keeps the size its header records.
 * Each encrypted chunk is kept until the server has it: a retry re-sends the same bytes, which
 * the server accepts. The server checks the declared size against the account's storage quota
 * before the first chunk: an ApiError `quota-exceeded` (413) or `too-many-uploads` (409)
 * carries the plain message to show. `replaces` names the stored file a key rotation
 * re-encrypts, which the quota then does not count twice.
 *
 * With `options.resume` it goes on with an upload begun before: every chunk is re-encrypted
 * from the first (secretstream is sequential; the same key, header and bytes give the same
 * ciphertext), and a chunk the server holds is skipped when its tag matches the one recorded
 * when it was sent, else sent again, which the server accepts for the same bytes and refuses
 * (409 `conflict`) for other bytes: a different file can never be stitched onto the chunks stored.
 * @throws ApiError from the server; DOMException AbortError when `options.signal` aborts.
 */
export async function uploadEncryptedFile(
  file: Blob,
  context: { recordId: string; version: number; keyVersion: number },
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
  replaces?: string,
  options: UploadOptions = {},
): Promise<FileReference> {
  return uploadEncryptedChunks(blobChunks(file), file.size, context, onProgress, transport, replaces, options);
}

/**
 * `uploadEncryptedFile` over any source of chunks read in order (a file being re-encrypted
 * as it downloads, for a key rotation). `size` is the real size in bytes.
 */
export async function uploadEncryptedChunks(
  read: ChunkReader,
  size: number,
  context: { recordId: string; version: number; keyVersion: number },
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
  replaces?: string,
  options: UploadOptions = {},
): Promise<FileReference> {
  await cryptoReady();
  const { signal, journal, resume } = options;
  signal?.throwIfAborted();
  const chunkSize = resume ? resume.encryptor.chunkSize : chunkSizeFor(size);
  const chunkCount = Math.max(1, Math.ceil(size / chunkSize));
  const fileKey = resume ? resume.fileKey : generateFileKey();
  const encryptor = resume ? resume.encryptor : createFileEncryptor(fileKey, context, chunkSize);
  const blobId = resume?.blobId ?? (await transport.call(blobsRoutes.start, { body: { chunkSize, chunkCount, ...(replaces ? { replaces } : {}) } })).blobId;
  if (!resume) await journal?.started({ blobId, fileKey, header: encryptor.header, chunkCount });
  const digest = createFileDigest();
  const retrying = new RetryingRequests(() => report());
  let doneBytes = 0;
  const report = () => onProgress({ doneBytes: Math.min(size, doneBytes), totalBytes: size, retrying: retrying.any() });
  const plainBytes = (index: number) => Math.min(chunkSize, size - index * chunkSize);
  const uploads = new Pipeline(chunksInFlightFor(chunkSize));
  for (let index = 0; index < chunkCount; index++) {
    signal?.throwIfAborted();
    const slice = await read(index, chunkSize);
    digest.update(slice);
    const padded = slice.length === chunkSize ? slice : paddedChunk(slice, chunkSize);
    const encrypted = encryptor.encryptChunk(padded, index === chunkCount - 1);
    const tag = encryptedChunkTag(encrypted);
    const held = resume?.held.get(index);
    if (held && equalBytes(held, tag)) {
      doneBytes += Math.max(0, plainBytes(index));
      report();
      continue;
    }
    await uploads.add(async () => {
      await retryTransient(
        () => transport.call(blobsRoutes.putChunk, { params: { id: blobId, index }, body: encrypted }),
        (state) => retrying.set(index, state),
      );
      journal?.stored(index, tag);
      doneBytes += Math.max(0, plainBytes(index));
      report();
    });
  }
  await uploads.drain();
  signal?.throwIfAborted();
  await retryTransient(
    () => transport.call(blobsRoutes.complete, { params: { id: blobId } }),
    () => undefined,
  );
  const reference: FileReference = {
    blobId,
    key: toBase64url(fileKey),
    header: toBase64url(encryptor.header),
    size,
    digest: toBase64url(digest.finish()),
    chunkSize,
    chunkCount,
    ...context,
  };
  fileKey.fill(0);
  return reference;
}

function paddedChunk(slice: Uint8Array, chunkSize: number): Uint8Array {
  const padded = new Uint8Array(chunkSize);
  padded.set(slice);
  return padded;
}

/**
 * At most `limit` tasks at once. `add` waits while the pipeline is full; the first failure is
 * thrown from the next `add` or from `drain` (later tasks are not started), and no rejection is
 * left unhandled.
 */
class Pipeline {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    this.check();
    const run: Promise<void> = task().then(
      () => {
        this.running.delete(run);
      },
      (error: unknown) => {
        this.running.delete(run);
        this.failure ??= { error };
      },
    );
    this.running.add(run);
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
  }

  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.check();
  }

  private check() {
    if (this.failure) throw this.failure.error;
  }
}

/**
 * Where a download writes as it goes: a file on disk (saveToDisk), the browser's downloads
 * through the download service worker (openStreamedDownload, client/records/streamed-download.ts),
 * or a Blob built chunk by chunk (blobSink). A write resolves when the sink can take the next
 * chunk, which is what bounds the page's memory.
 */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void> | void;
}

/**
 * Downloads, verifies and decrypts a file chunk by chunk, writing each chunk's plaintext to
 * `sink` as it is decrypted; the next chunks are fetched meanwhile (`chunksInFlightFor`), so the
 * page holds a few chunks whatever the file size. Any altered, missing or reordered chunk
 * stops it, and a file whose plaintext differs from the digest its author signed fails at the
 * end, whoever re-encrypted it since (what was written by then must be discarded: the caller
 * deletes or never shows it).
 * @throws IntegrityError for a chunk ("decrypt") or whole file ("signature": not what its
 *   author signed) that fails its check (damage or tampering); ApiError for a refusal
 *   (`isAccessEnded` when access ended) or a connection given up on; DOMException AbortError
 *   when `signal` aborts; what the sink throws.
 */
export async function streamDecryptedFile(
  reference: FileReference,
  sink: ByteSink,
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
  signal?: AbortSignal,
): Promise<void> {
  await cryptoReady();
  const fileKey = verified("decrypt", () => fileKeyFromBytes(fromBase64url(reference.key)));
  const decryptor = verified("decrypt", () => createFileDecryptor(fileKey, fromBase64url(reference.header), reference));
  const digest = createFileDigest();
  let remaining = reference.size;
  const retrying = new RetryingRequests(() => report());
  const report = () => onProgress({ doneBytes: reference.size - remaining, totalBytes: reference.size, retrying: retrying.any() });
  const fetchChunk = (index: number) =>
    // The server's own code and status: a 404 after a revoke is access that ended, not damage.
    retryTransient(
      () => transport.call(blobsRoutes.getChunk, { params: { id: reference.blobId, index } }),
      (state) => retrying.set(index, state),
    );
  const inFlight = chunksInFlightFor(reference.chunkSize);
  const ahead: Array<Promise<Uint8Array>> = [];
  // Fetched ahead, each awaited in turn below; a failure ahead is seen when its turn comes.
  const prefetch = (index: number) => {
    if (index >= reference.chunkCount) return;
    const pending = fetchChunk(index);
    pending.catch((caught: unknown) => caught);
    ahead.push(pending);
  };
  try {
    for (let index = 0; index < Math.min(inFlight, reference.chunkCount); index++) prefetch(index);
    for (let index = 0; index < reference.chunkCount; index++) {
      signal?.throwIfAborted();
      const encrypted = await ahead.shift()!;
      prefetch(index + inFlight);
      const plain = verified("decrypt", () => decryptor.decryptChunk(encrypted));
      const keep = Math.min(remaining, plain.length);
      const part = keep === plain.length ? plain : plain.slice(0, keep);
      digest.update(part);
      await sink.write(part);
      remaining -= keep;
      report();
    }
    verified("decrypt", () => decryptor.done());
  } finally {
    fileKey.fill(0);
  }
  if (!equalBytes(digest.finish(), fromBase64url(reference.digest))) throw new IntegrityError("signature");
}

/**
 * A sink that builds a Blob as the chunks come (`heldBlobBuilder`): the page holds up to 64 MiB of
 * them at a time, the browser's blob storage the rest, in memory up to its limit and on disk
 * beyond; a Blob the browser will not keep stops the download with BrowserStorageError
 * (client/records/held-blob.ts) rather than becoming a download the browser cancels.
 */
export function blobSink(type: string): ByteSink & { blob(): Promise<Blob> } {
  return heldBlobBuilder(type);
}

/**
 * Downloads and decrypts a whole file into a Blob (a preview, an export, a backup): see
 * `streamDecryptedFile` for the checks and errors and `blobSink` for the memory it takes.
 * @throws also BrowserStorageError (client/records/held-blob.ts) when the browser would not keep the Blob.
 */
export async function downloadDecryptedFile(
  reference: FileReference,
  type: string,
  onProgress: (progress: TransferProgress) => void,
  transport: Transport,
  signal?: AbortSignal,
): Promise<Blob> {
  const sink = blobSink(type);
  await streamDecryptedFile(reference, sink, onProgress, transport, signal);
  return await sink.blob();
}

/**
 * A bounded hand-over between a download writing plaintext and an upload reading it in
 * chunks: the writer waits while `limit` bytes are buffered, the reader while fewer than it
 * asks for are there (until the end). Either side's failure ends the other's wait.
 */
class BytePipe implements ByteSink {
  private parts: Uint8Array[] = [];
  private buffered = 0;
  private closed = false;
  private failure: { error: unknown } | null = null;
  private waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async write(chunk: Uint8Array): Promise<void> {
    while (this.buffered >= this.limit && !this.failure) await this.wait();
    this.check();
    this.parts.push(chunk);
    this.buffered += chunk.length;
    this.wake();
  }

  /** Up to `size` bytes: exactly `size` unless the writer closed the pipe first. */
  async read(size: number): Promise<Uint8Array> {
    while (this.buffered < size && !this.closed && !this.failure) await this.wait();
    this.check();
    const out = new Uint8Array(Math.min(size, this.buffered));
    let filled = 0;
    while (filled < out.length) {
      const part = this.parts[0]!;
      const take = Math.min(part.length, out.length - filled);
      out.set(part.subarray(0, take), filled);
      filled += take;
      if (take === part.length) this.parts.shift();
      else this.parts[0] = part.subarray(take);
    }
    this.buffered -= out.length;
    this.wake();
    return out;
  }

  close() {
    this.closed = true;
    this.wake();
  }

  fail(error: unknown) {
    this.failure ??= { error };
    this.wake();
  }

  private check() {
    if (this.failure) throw this.failure.error;
  }

  private wait() {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake() {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * Re-encrypts a stored file under a fresh file key for a key rotation, streaming: each chunk
 * is fetched, verified and decrypted under the old key, encrypted under the new one and
 * uploaded, with about two chunks buffered between the two and a few in flight on each side,
 * never the whole file. The old file's plaintext is checked against the digest its author
 * signed; if it fails, the new upload is left unused (the sweeper removes it) and this throws.
 * @returns the new file's reference under `context`.
 * @throws what streamDecryptedFile and uploadEncryptedChunks throw.
 */
export async function reencryptFile(
  old: FileReference,
  context: { recordId: string; version: number; keyVersion: number },
  transport: Transport,
  onProgress: (progress: TransferProgress) => void = () => undefined,
): Promise<FileReference> {
  const pipe = new BytePipe(2 * chunkSizeFor(old.size));
  const download = streamDecryptedFile(old, pipe, () => undefined, transport).then(
    () => pipe.close(),
    (error: unknown) => {
      pipe.fail(error);
      throw error;
    },
  );
  const upload = uploadEncryptedChunks((_index, chunkSize) => pipe.read(chunkSize), old.size, context, onProgress, transport, old.blobId).catch(
    (error: unknown) => {
      pipe.fail(error);
      throw error;
    },
  );
  const [, reference] = await Promise.all([download, upload]);
  return reference;
}

/**
 * Which of a transfer's chunk requests are being sent again (retryTransient's `onRetry`), so that
 * progress says "retrying" while any of them is: with several chunks in flight, one chunk getting
 * through must not clear the message while another is still failing. Calls `changed` on every
 * change.
 */
class RetryingRequests {
  private readonly chunks = new Set<number>();

  constructor(private readonly changed: () => void) {}

  set(index: number, retrying: boolean): void {
    if (retrying) this.chunks.add(index);
    else this.chunks.delete(index);
    this.changed();
  }

  any(): boolean {
    return this.chunks.size > 0;
  }
}
