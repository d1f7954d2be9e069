import "server-only";
import { randomBytes } from "node:crypto";
import { constants, type Dir } from "node:fs";
import { access, mkdir, open, opendir, readFile, rename, rm, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { chunkName, isBlobId, type ChunkBodies } from "./chunk-bodies";

/**
 * Chunks as files under `dir` (BLOB_DIR): `<dir>/<blob id>/<index>-<digest hex>`. A chunk
 * is written to a temporary name in its blob's directory, flushed (O_DSYNC, fdatasync's
 * guarantee), renamed into place, and the directory fsynced before `write` resolves; a new
 * blob's directory is durable in its parent (and a new store's in its own) before any chunk
 * of it is acknowledged. A crash leaves either the whole chunk under its name or no name at
 * all, never a torn file that looks finished. Temporary files a crash leaves go with their
 * blob's directory.
 */
export function fileChunkBodies(dir: string): ChunkBodies {
  const root = path.resolve(dir);
  const pathOf = (blobId: string, index: number, digest: Uint8Array) => path.join(root, chunkName(blobId, index, digest));
  // Blob directories being made, until their entries (and the store's own, the first time) are durable.
  const making = new Map<string, Promise<void>>();

  /** Makes a blob's directory durable before any chunk goes into it; the chunks racing to make it share one making. */
  function makeDirectory(blobDir: string): Promise<void> {
    let made = making.get(blobDir);
    if (!made) {
      made = (async () => {
        // Ciphertext only, but its sizes and times are nobody else's business on a shared machine.
        await mkdir(blobDir, { recursive: true, mode: 0o700 });
        await syncDirectory(root);
        await syncDirectory(path.dirname(root));
      })().finally(() => making.delete(blobDir));
      making.set(blobDir, made);
    }
    return made;
  }

  return {
    kind: "file",

    async write(blobId, index, data, digest) {
      if (!isBlobId(blobId)) throw new Error("not a blob id");
      const blobDir = path.join(root, blobId);
      const temporary = path.join(blobDir, `.${index}-${randomBytes(6).toString("hex")}.tmp`);
      const { file, directory } = await openTemporary(blobDir, temporary, makeDirectory);
      try {
        // O_DSYNC: the write returns once the bytes (and the file's size) are on disk, fdatasync's
        // guarantee in the same call. Meanwhile the thread pool computes the digest the final name carries.
        await writeAll(file, data);
        await rename(temporary, path.join(root, chunkName(blobId, index, await digest)));
      } catch (error) {
        await Promise.allSettled([file.close(), directory.close()]);
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      // The directory was opened with the file, so its flush follows the rename at once. A chunk that found its
      // directory while another chunk was still making it waits until the directory's own entry is durable.
      await Promise.all([file.close(), syncAndClose(directory), making.get(blobDir)]);
    },

    async read(blobId, index, digest) {
      try {
        return await readFile(pathOf(blobId, index, digest));
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async removeChunk(blobId, index, digest) {
      await rm(pathOf(blobId, index, digest), { force: true });
    },

    async remove(blobIds) {
      for (const blobId of blobIds) {
        if (isBlobId(blobId)) await rm(path.join(root, blobId), { recursive: true, force: true });
      }
    },

    async *storedBlobIds() {
      let directory: Dir;
      try {
        directory = await opendir(root, { bufferSize: 256 });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      // Read as a stream, a page at a time: a store of a million files is never one array.
      let page: string[] = [];
      for await (const entry of directory) {
        if (!isBlobId(entry.name)) continue;
        page.push(entry.name);
        if (page.length === 1000) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },

    async check() {
      await mkdir(root, { recursive: true });
      await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
    },
  };
}

/** Flags of a chunk's temporary file: created here, never an existing file, and every write durable before it returns. */
const temporaryFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;

/**
 * Creates the temporary file and opens its directory (for the flush after the rename) in one
 * trip to the thread pool; when the blob's directory is missing (its first chunk), has
 * `makeDirectory` make it and tries once more. Whatever was opened is closed again, and the
 * file removed, when either fails.
 */
async function openTemporary(
  blobDir: string,
  temporary: string,
  makeDirectory: (blobDir: string) => Promise<void>,
): Promise<{ file: FileHandle; directory: FileHandle }> {
  for (let made = false; ; made = true) {
    const [file, directory] = await Promise.allSettled([open(temporary, temporaryFlags, 0o600), open(blobDir, "r")]);
    if (file.status === "fulfilled" && directory.status === "fulfilled") return { file: file.value, directory: directory.value };
    if (file.status === "fulfilled") {
      await file.value.close();
      await unlink(temporary).catch(() => undefined);
    }
    if (directory.status === "fulfilled") await directory.value.close();
    const failure: unknown = file.status === "rejected" ? file.reason : (directory as PromiseRejectedResult).reason;
    if (made || !isMissing(failure)) throw failure;
    await makeDirectory(blobDir);
  }
}

/** Writes all of `data` from the file's start (one write for a chunk, more only if the system writes less). */
async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.byteLength) {
    const { bytesWritten } = await handle.write(data, written, data.byteLength - written, written);
    written += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  await syncAndClose(await open(dir, "r"));
}

async function syncAndClose(directory: FileHandle): Promise<void> {
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
