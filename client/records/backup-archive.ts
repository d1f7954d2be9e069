import { Unzip, UnzipInflate, Zip, ZipDeflate } from "fflate";
import { heldBlobBuilder } from "./held-blob";

/**
 * Streaming ZIP (PKWARE APPNOTE 6.3, as fflate writes and reads it) for the full backup:
 * entries are written and read piece by piece, so memory holds about one piece of one file
 * whatever the archive's size. Every entry is DEFLATE-compressed: a deflate stream marks its
 * own end, so reading never depends on the sizes the streamed writer puts after the data
 * (a stored entry would have to be searched for its end, which a file that is itself a ZIP
 * could fool).
 */

/** Where the archive's bytes go, in order: a file on disk, or Blob parts. */
export interface ArchiveSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sink that keeps the archive as a Blob the browser holds (`heldBlobBuilder`: up to 64 MiB in the
 * page at a time, the rest in the browser's blob storage, which may keep it on disk); `blob()` after `close()`.
 * @throws BrowserStorageError (client/records/held-blob.ts) from write() or close() when the browser will not keep it
 */
export function blobSink(type = "application/zip"): ArchiveSink & { blob(): Blob } {
  const builder = heldBlobBuilder(type);
  let done: Blob | null = null;
  return {
    write: (chunk) => builder.write(chunk),
    async close() {
      done = await builder.blob();
    },
    blob() {
      if (!done) throw new Error("the archive is not finished");
      return done;
    },
  };
}

/** Pieces read from a Blob at a time: 1 MiB. */
const readStep = 1024 * 1024;
/** A ZIP entry's "version made by" host for Unix (APPNOTE.TXT 4.4.2.2). */
const unixHost = 3;
/** A regular file, read and write for its owner, read for others (st_mode: S_IFREG | 0644). */
const regularFileMode = 0o100644;

/**
 * Writes a ZIP to a sink one entry at a time. `add` takes text or a Blob and resolves when
 * the entry's bytes are in the sink; `finish` writes the central directory and closes it.
 */
export class ArchiveWriter {
  private readonly zip: Zip;
  private pending: Uint8Array[] = [];
  private failure: Error | null = null;

  constructor(private readonly sink: ArchiveSink) {
    this.zip = new Zip((error, chunk) => {
      if (error) this.failure = error;
      else this.pending.push(chunk);
    });
  }

  /** What the ZIP produced so far goes to the sink before more is read. */
  private async drain() {
    if (this.failure) throw this.failure;
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) await this.sink.write(chunk);
  }

  /** Adds one entry named `path` (forward slashes) holding `contents`. */
  async add(path: string, contents: string | Blob, modified: Date): Promise<void> {
    // Level 1: the files are mostly PDFs and images, already compressed; the JSON still shrinks.
    const entry = new ZipDeflate(path, { level: 1 });
    entry.mtime = modified;
    // Made on Unix, as a regular file of mode 644 (APPNOTE.TXT 4.4.2, 4.4.15): Info-ZIP's unzip
    // reads the names of entries made on MS-DOS (fflate's default) in the DOS code page even with
    // the UTF-8 flag set, so "é 膝" came out garbled; with the Unix host it needs a mode to extract.
    entry.os = unixHost;
    entry.attrs = regularFileMode * 0x10000;
    this.zip.add(entry);
    const source = typeof contents === "string" ? new Blob([contents]) : contents;
    if (source.size === 0) entry.push(new Uint8Array(0), true);
    for (let offset = 0; offset < source.size; offset += readStep) {
      entry.push(new Uint8Array(await source.slice(offset, offset + readStep).arrayBuffer()), offset + readStep >= source.size);
      await this.drain();
    }
    await this.drain();
  }

  async finish(): Promise<void> {
    this.zip.end();
    await this.drain();
    await this.sink.close();
  }
}

/** The archive is not a ZIP this app can read (damaged, cut short, or not a ZIP at all). */
export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
}

/**
 * Reads every entry of a ZIP, piece by piece, each into a Blob (entries as Blobs: the browser
 * may keep large ones on disk). `onProgress` gets the bytes of the archive read so far.
 * @throws ArchiveError when it is not a ZIP, is cut short, or uses a compression other than
 *   stored or DEFLATE.
 */
export async function readArchive(archive: Blob, onProgress: (readBytes: number, totalBytes: number) => void = () => undefined): Promise<Map<string, Blob>> {
  const entries = new Map<string, Blob>();
  const open = new Set<string>();
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    const parts: BlobPart[] = [];
    open.add(file.name);
    file.ondata = (error, data, final) => {
      if (error) {
        failure = error;
        return;
      }
      parts.push(new Blob([data as Uint8Array<ArrayBuffer>]));
      if (final) {
        entries.set(file.name, new Blob(parts));
        open.delete(file.name);
      }
    };
    try {
      file.start();
    } catch (caught) {
      // fflate throws a plain Error for a compression it has no decoder for.
      if (!(caught instanceof Error)) throw caught;
      failure = caught;
    }
  });
  unzip.register(UnzipInflate);
  if (archive.size === 0) throw new ArchiveError("The file is empty.");
  for (let offset = 0; offset < archive.size; offset += readStep) {
    const piece = new Uint8Array(await archive.slice(offset, offset + readStep).arrayBuffer());
    try {
      unzip.push(piece, offset + readStep >= archive.size);
    } catch (caught) {
      // fflate reports a malformed archive or deflate stream by throwing an Error.
      if (!(caught instanceof Error)) throw caught;
      throw new ArchiveError(`The file is not a ZIP archive that can be read: ${caught.message}.`);
    }
    if (failure) throw new ArchiveError(`The archive is damaged: ${(failure as Error).message}.`);
    onProgress(Math.min(archive.size, offset + readStep), archive.size);
  }
  if (open.size > 0) throw new ArchiveError(`The archive ends in the middle of ${[...open].join(", ")}: it was cut short.`);
  if (entries.size === 0) throw new ArchiveError("The file is not a ZIP archive, or it is empty.");
  return entries;
}
