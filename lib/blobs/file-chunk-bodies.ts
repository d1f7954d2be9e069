import "server-only";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, open, readFile, readdir, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";
import { chunkName, isBlobId, type ChunkBodies } from "./chunk-bodies";

/**
 * Chunks as files under `dir` (BLOB_DIR): `<dir>/<blob id>/<index>-<digest hex>`. A chunk
 * is written to a temporary name in its blob's directory, flushed (fdatasync), renamed into place, and
 * the directory fsynced (and, for a new blob, its parent too) before `write` resolves: a
 * crash leaves either the whole chunk under its name or no name at all, never a torn file
 * that looks finished. Temporary files a crash leaves go with their blob's directory.
 */
export function fileChunkBodies(dir: string): ChunkBodies {
  const root = path.resolve(dir);
  const pathOf = (blobId: string, index: number, digest: Uint8Array) => path.join(root, chunkName(blobId, index, digest));

  return {
    kind: "file",

    async write(blobId, index, digest, data) {
      const target = pathOf(blobId, index, digest);
      const blobDir = path.dirname(target);
      const created = await mkdir(blobDir, { recursive: true });
      const temporary = path.join(blobDir, `.${index}-${randomBytes(6).toString("hex")}.tmp`);
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(data);
        await handle.datasync();
      } catch (error) {
        await handle.close();
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      await handle.close();
      await rename(temporary, target);
      await syncDirectory(blobDir);
      // A new directory's own entry lives in its parent (and the root's, the first time, in its parent).
      if (created !== undefined) {
        await syncDirectory(root);
        if (path.resolve(created) !== blobDir) await syncDirectory(path.dirname(root));
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
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      const ids = names.filter(isBlobId);
      for (let start = 0; start < ids.length; start += 1000) yield ids.slice(start, start + 1000);
    },

    async check() {
      await mkdir(root, { recursive: true });
      await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
    },
  };
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
