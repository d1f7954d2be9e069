import { cryptoReady, fromBase64url, openUploadResume, resumeFileEncryptor, sealUploadResume, toBase64url } from "@/crypto";
import { blobsRoutes } from "@/contract/records";
import { ApiError, type Transport } from "../transport/api";
import { verified } from "../integrity";
import type { UnlockedKeys } from "../keystore/vault-store";
import { uploadEncryptedFile, type FileReference, type TransferProgress, type UploadJournal } from "./files";
import { indexedDbStore } from "@/client/indexed-db";

/**
 * Uploads that survive a page reload. Per upload the browser keeps, in IndexedDB (never sent
 * to the server): the blob id, the record id it was for, the file's name, type, size and
 * lastModified, its chunk count, the tags of the chunks the server acknowledged, and the file
 * key with the file's header sealed under a key derived from the vault key (crypto/
 * upload-resume.ts, kind 11), so nothing at rest opens without the unlocked vault.
 *
 * Resuming: the person picks the same file again (same size and lastModified); the server
 * says which chunks it holds (GET /api/blobs/[id]); every chunk is encrypted again from the
 * first (secretstream is sequential, and the same key, header and bytes give the same
 * ciphertext), and only the chunks the server lacks are sent, plus any held chunk whose
 * acknowledgement was not recorded before the reload (the server accepts the same bytes and
 * refuses others with 409). A held chunk whose re-encrypted tag differs from the recorded one
 * is sent too, so a changed file gets a 409 instead of being stitched onto the old chunks.
 */
export interface SavedUpload {
  blobId: string;
  userId: string;
  recordId: string;
  name: string;
  type: string;
  size: number;
  lastModified: number;
  chunkCount: number;
  /** sealUploadResume's envelope: the file key and header, under the vault. */
  sealed: Uint8Array;
  /** base64url tags (encryptedChunkTag) of the chunks the server acknowledged, by index. */
  tags: Record<number, string>;
  startedAt: number;
}

/** Where saved uploads are kept: IndexedDB in the page (`browserUploads`), memory in tests (`memoryUploads`). */
export interface UploadStore {
  list(userId: string): Promise<SavedUpload[]>;
  put(upload: SavedUpload): Promise<void>;
  remove(blobId: string): Promise<void>;
}

const databaseName = "hsc-uploads";
const storeName = "uploads";

const transact = indexedDbStore(databaseName, storeName, "blobId");

/** The browser's saved uploads, in IndexedDB. */
export const browserUploads: UploadStore = {
  list: async (userId) => ((await transact<SavedUpload[]>("readonly", (store) => store.getAll())) ?? []).filter((upload) => upload.userId === userId),
  put: async (upload) => {
    await transact("readwrite", (store) => store.put(upload));
  },
  remove: async (blobId) => {
    await transact("readwrite", (store) => store.delete(blobId));
  },
};

/** Saved uploads in memory, for tests in Node (no IndexedDB there); the same contract as browserUploads. */
export function memoryUploads(): UploadStore & { saved: Map<string, SavedUpload> } {
  const saved = new Map<string, SavedUpload>();
  const copy = (upload: SavedUpload): SavedUpload => ({ ...upload, sealed: upload.sealed.slice(), tags: { ...upload.tags } });
  return {
    saved,
    list: async (userId) => [...saved.values()].filter((upload) => upload.userId === userId).map(copy),
    put: async (upload) => {
      saved.set(upload.blobId, copy(upload));
    },
    remove: async (blobId) => {
      saved.delete(blobId);
    },
  };
}

/** The file an upload is for, as a File describes it. */
export interface FileFacts {
  name: string;
  type: string;
  size: number;
  lastModified: number;
}

/** How often acknowledged chunks are written to the store at most (a reload loses at most this much of the record, whose chunks are then sent again). */
const saveEveryMs = 1000;

/**
 * A journal (uploadEncryptedFile's `options.journal`) that keeps an upload resumable in `store`:
 * written when the upload starts (before its first chunk), then with the acknowledged chunks'
 * tags at most every second. `flush()` writes what is pending; `finish()` ends the journal (an
 * upload saved or cancelled): nothing more is written, not even a write already scheduled, so
 * the entry removed after it stays removed.
 */
export function savingJournal(
  store: UploadStore,
  vault: { userId: string; keys: Pick<UnlockedKeys, "vaultKey"> },
  file: FileFacts,
  recordId: string,
  existing?: SavedUpload,
): UploadJournal & { flush(): Promise<void>; finish(): Promise<void> } {
  let saved: SavedUpload | null = existing ?? null;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    timer = null;
    if (!saved || !dirty) return writing;
    dirty = false;
    const snapshot = { ...saved, tags: { ...saved.tags } };
    writing = writing.then(() => store.put(snapshot));
    return writing;
  };
  return {
    async started({ blobId, fileKey, header, chunkCount }) {
      saved = {
        blobId,
        userId: vault.userId,
        recordId,
        ...file,
        chunkCount,
        sealed: sealUploadResume(fileKey, header, vault.keys.vaultKey, { userId: vault.userId, blobId }),
        tags: {},
        startedAt: Date.now(),
      };
      dirty = true;
      await write();
    },
    stored(index, tag) {
      if (!saved) return;
      saved.tags[index] = toBase64url(tag);
      dirty = true;
      timer ??= setTimeout(() => void write(), saveEveryMs);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await write();
    },
    async finish() {
      if (timer) clearTimeout(timer);
      timer = null;
      saved = null;
      await writing;
    },
  };
}

/** The file picked to resume an upload is not the one it began with (size, date or content differ). */
export class NotTheSameFileError extends Error {
  constructor(readonly expectedName: string) {
    super(`This is not the file whose upload was interrupted. Pick ${expectedName} as it was when its upload began.`);
    this.name = "NotTheSameFileError";
  }
}

/** The server no longer has the upload (it was idle longer than the grace period and removed): it has to start again. */
export class UploadGoneError extends Error {
  constructor(readonly expectedName: string) {
    super(`The interrupted upload of ${expectedName} is no longer on the server. Add the file again.`);
    this.name = "UploadGoneError";
  }
}

/**
 * Goes on with a saved upload after a reload, sending only the chunks the server lacks (see
 * the module comment), and returns the file's reference for its record (record id, version 1,
 * key version 1, as it began). The saved entry is updated as chunks are acknowledged; the
 * caller removes it once the record is saved.
 * @throws NotTheSameFileError for another file (size or lastModified differ, or the server holds other bytes: 409);
 *   UploadGoneError when the server no longer has the upload (404, and the entry is removed);
 *   IntegrityError("decrypt") when the saved state does not open under this vault; ApiError otherwise.
 */
export async function resumeUpload(
  saved: SavedUpload,
  file: File,
  vault: { userId: string; keys: Pick<UnlockedKeys, "vaultKey"> },
  transport: Transport,
  store: UploadStore,
  onProgress: (progress: TransferProgress) => void,
  signal?: AbortSignal,
): Promise<FileReference> {
  await cryptoReady();
  if (file.size !== saved.size || file.lastModified !== saved.lastModified) throw new NotTheSameFileError(saved.name);
  let status;
  try {
    status = await transport.call(blobsRoutes.describe, { params: { id: saved.blobId } });
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 404) {
      await store.remove(saved.blobId);
      throw new UploadGoneError(saved.name);
    }
    throw caught;
  }
  const context = { recordId: saved.recordId, version: 1, keyVersion: 1 };
  const { fileKey, header } = verified("decrypt", () => openUploadResume(saved.sealed, vault.keys.vaultKey, { userId: vault.userId, blobId: saved.blobId }));
  const encryptor = verified("decrypt", () => resumeFileEncryptor(fileKey, header, context));
  const held = new Map(status.received.map((index) => [index, saved.tags[index] ? fromBase64url(saved.tags[index]) : null]));
  const journal = savingJournal(store, vault, saved, saved.recordId, saved);
  try {
    return await uploadEncryptedFile(file, context, onProgress, transport, undefined, {
      signal,
      journal,
      resume: { blobId: saved.blobId, fileKey, encryptor, held },
    });
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 409 && caught.code === "conflict") throw new NotTheSameFileError(saved.name);
    throw caught;
  } finally {
    await journal.flush();
  }
}

/**
 * The store with IndexedDB's own failures (storage full, a private window without IndexedDB:
 * DOMExceptions) taken as "cannot keep this upload resumable": the upload goes on without it.
 * Anything else is rethrown.
 */
export function bestEffort(store: UploadStore): UploadStore {
  const tolerant = async <T>(run: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await run();
    } catch (caught) {
      if (caught instanceof DOMException || (typeof indexedDB === "undefined" && caught instanceof ReferenceError)) return fallback;
      throw caught;
    }
  };
  return {
    list: (userId) => tolerant(() => store.list(userId), []),
    put: (upload) => tolerant(() => store.put(upload), undefined),
    remove: (blobId) => tolerant(() => store.remove(blobId), undefined),
  };
}
