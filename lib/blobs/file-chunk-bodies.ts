import "server-only";
import { randomBytes } from "node:crypto";
import { constants, type Dir } from "node:fs";
import { access, mkdir, open, opendir, readFile, rename, rm, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { chunkName, isBlobId, type ChunkBodies } from "./chunk-bodies";

/**
 * Chunks as files under `dir` (BLOB_DIR): `<dir>/<blob id>/<index>-<digest hex>`. A chunk
 * is written to a temporary name in its blob's directory, flushed (fdatasync), renamed into
 * place, and the directory fsynced (and, for a new blob, its parent too) before `write` resolves: a
 * crash leaves either the whole chunk under its name or no name at all, never a torn file
 * that looks finished. Temporary files a crash leaves go with their blob's directory.
 */
export function fileChunkBodies(dir: string): ChunkBodies {
  const root = path.resolve(dir);
  const pathOf = (blobId: string, index: number, digest: Uint8Array) => path.join(root, chunkName(blobId, index, digest));

  return {
    kind: "file",

    async write(blobId, index, data, digestOf) {
      if (!isBlobId(blobId)) throw new Error("not a blob id");
      const blobDir = path.join(root, blobId);
      const temporary = path.join(blobDir, `.${index}-${randomBytes(6).toString("hex")}.tmp`);
      let newDirectory = false;
      let handle: FileHandle;
      try {
        handle = await open(temporary, "wx", 0o600);
      } catch (error) {
        if (!isMissing(error)) throw error;
        // The blob's first chunk makes its directory (and the first blob the store's). Ciphertext only, but
        // its sizes and times are nobody else's business on a shared machine.
        newDirectory = true;
        await mkdir(blobDir, { recursive: true, mode: 0o700 });
        handle = await open(temporary, "wx", 0o600);
      }
      // The bytes go to disk on the thread pool while this thread computes the digest the final name carries.
      const flushed = writeAll(handle, data).then(() => handle.datasync());
      let target: string;
      try {
        target = path.join(root, chunkName(blobId, index, digestOf()));
        await flushed;
      } catch (error) {
        await flushed.catch(() => undefined);
        await handle.close();
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      await rename(temporary, target);
      await Promise.all([handle.close(), syncDirectory(blobDir)]);
      // A new directory's entry lives in its parent: made durable before the chunk is acknowledged, whichever
      // of a blob's first chunks racing here made it (and the store's own entry too, the first time).
      if (newDirectory) {
        await syncDirectory(root);
        await syncDirectory(path.dirname(root));
      }
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

/** Writes all of `data` from the file's start (one write for a chunk, more only if the system writes less). */
async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.byteLength) {
    const { bytesWritten } = await handle.write(data, written, data.byteLength - written, written);
    written += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
