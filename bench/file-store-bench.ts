/**
 * npm run bench:file-store — prints figures, asserts nothing.
 * Server-side throughput of storing a large file: each chunk (of the size the browser uploads such a file in, chunkSizeFor) encrypted with the
 * crypto/ file encryptor (secretstream) and stored through a blob store's putChunk, next to raw
 * libsodium secretstream over the same data in the same run. By default as many chunks are being
 * stored at once as the browser keeps uploads in flight for that chunk size
 * (client/records/files.ts's chunksInFlightFor: 4 of 8 MiB), the next chunk encrypted while they
 * are stored, as the server sees them; BENCH_IN_FLIGHT=1 stores them one after the other (the
 * method of runs before 1 December 2026, whose file_store_ratio is therefore lower). The
 * database is PGlite on disk in a temporary directory, on a thread of its own (as `npm start` runs it), or a fresh
 * database on PostgreSQL when DATABASE_URL is set.
 * Run with the react-server condition so server modules load outside Next.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFileEncryptor, cryptoReady, generateFileKey } from "../crypto";
import { rawSecretstreamEncrypt } from "../crypto/raw-secretstream-baseline";
import { chunkSizeFor } from "../contract/records";
import { chunksInFlightFor } from "../client/records/files";
import { users } from "../drizzle/schema";
import { chunkedBlobStore } from "../lib/blobs/chunked-blob-store";
import { fileChunkBodies } from "../lib/blobs/file-chunk-bodies";
import { s3ChunkBodies, s3Client } from "../lib/blobs/s3-chunk-bodies";
import { startS3TestServer } from "../lib/blobs/s3-test-server";
import { openDatabase, type DatabaseHandle } from "../lib/db/client";
import { createTestDatabase } from "../lib/db/test-databases";

const mebibyte = 1024 * 1024;

export interface FileStoreOptions {
  /** The file's size in MiB (default 256). */
  fileMiB?: number;
  /** "pglite" (on disk, in a temporary directory) or "postgres" (a fresh database on DATABASE_URL's server). */
  database?: "pglite" | "postgres";
  /** Where the chunks go (default "file": a temporary directory; "s3": s3rver on loopback). */
  store?: "file" | "s3" | "database";
  /**
   * Chunks stored at once (default: as many as the browser keeps in flight for the chunk size,
   * `chunksInFlightFor`): the next chunk is encrypted while they are stored, as the browser
   * encrypts while its requests are on their way. 1: each chunk stored before the next is
   * encrypted, as a browser that waited for each chunk's answer would.
   */
  inFlight?: number;
}

export interface FileStoreFigures {
  /** Encrypt + store throughput ÷ raw secretstream throughput, same data, same run. */
  file_store_ratio: number;
  store_mib_s: number;
  encrypt_only_mib_s: number;
  raw_secretstream_mib_s: number;
  file_mib: number;
  in_flight: number;
  database: "pglite" | "postgres";
  store: "file" | "s3" | "database";
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Measures one database and store; every temporary database, directory and server is removed before it returns. */
export async function measureFileStore(options: FileStoreOptions = {}): Promise<FileStoreFigures> {
  const fileMiB = options.fileMiB ?? 256;
  const databaseKind = options.database ?? "pglite";
  const storeKind = options.store ?? "file";
  // The chunk size the browser uploads such a file in (8 MiB above 32 MiB), and the chunks it keeps in flight, so the figure is the product's path.
  const chunkSize = chunkSizeFor(fileMiB * mebibyte);
  const inFlight = Math.max(1, options.inFlight ?? chunksInFlightFor(chunkSize));
  const chunkCount = Math.ceil((fileMiB * mebibyte) / chunkSize);
  await cryptoReady();
  const scratch = mkdtempSync(path.join(tmpdir(), "hsc-file-store-bench-"));
  const s3 = storeKind === "s3" ? await startS3TestServer() : undefined;
  let database: (DatabaseHandle & { dispose?: () => Promise<void> }) | undefined;
  try {
    database =
      databaseKind === "postgres"
        ? await createTestDatabase("postgres")
        : await openDatabase({ kind: "pglite", dataDir: path.join(scratch, "data"), thread: true });
    const bodies =
      storeKind === "file"
        ? fileChunkBodies(path.join(scratch, "blobs"))
        : storeKind === "s3"
          ? await s3!.bucket().then((settings) => s3ChunkBodies(s3Client(settings), settings.bucket))
          : null;
    const store = chunkedBlobStore(database.db, bodies);
    const userId = randomUUID();
    await database.db.insert(users).values({ id: userId, role: "patient" });

    const template = new Uint8Array(chunkSize).map((_, index) => (index * 131 + 7) & 0xff);
    const chunks = Array.from({ length: chunkCount }, () => template);
    const blobId = randomUUID();
    await store.create({ id: blobId, ownerId: userId, chunkSize, chunkCount });
    // Raw secretstream before and after the store's run, averaged: a shared machine's load drifts during a run.
    const rawRun = () => {
      const started = process.hrtime.bigint();
      rawSecretstreamEncrypt(generateFileKey(), chunks);
      return seconds(started);
    };
    const rawBefore = rawRun();
    let start = process.hrtime.bigint();
    const encryptor = createFileEncryptor(generateFileKey(), { recordId: randomUUID(), version: 1, keyVersion: 1 }, chunkSize);
    const pending = new Set<Promise<void>>();
    for (let index = 0; index < chunkCount; index++) {
      const data = encryptor.encryptChunk(chunks[index]!, index === chunkCount - 1);
      const put: Promise<void> = store.putChunk({ blobId, index, data }).then((outcome) => {
        pending.delete(put);
        if (outcome !== "stored") throw new Error(`chunk ${index}: ${outcome}`);
      });
      pending.add(put);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
    const storeSeconds = seconds(start);
    start = process.hrtime.bigint();
    const encryptOnly = createFileEncryptor(generateFileKey(), { recordId: "x", version: 1, keyVersion: 1 }, chunkSize);
    for (let index = 0; index < chunkCount; index++) encryptOnly.encryptChunk(chunks[index]!, index === chunkCount - 1);
    const encryptSeconds = seconds(start);
    const rawSeconds = (rawBefore + rawRun()) / 2;
    return {
      file_store_ratio: round(rawSeconds / storeSeconds, 3),
      store_mib_s: round(fileMiB / storeSeconds),
      encrypt_only_mib_s: round(fileMiB / encryptSeconds),
      raw_secretstream_mib_s: round(fileMiB / rawSeconds),
      file_mib: fileMiB,
      in_flight: inFlight,
      database: databaseKind,
      store: storeKind,
    };
  } finally {
    await (database?.dispose ?? database?.close)?.();
    await s3?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const fileMiB = Number(process.env.BENCH_FILE_MIB ?? 256);
  const stores = (process.env.BENCH_BLOB_STORES ?? "file").split(",") as Array<NonNullable<FileStoreOptions["store"]>>;
  const browserDepth = chunksInFlightFor(chunkSizeFor(fileMiB * 1024 * 1024));
  const depths = (process.env.BENCH_IN_FLIGHT ?? `${browserDepth},1`).split(",").map(Number);
  const databases: Array<"pglite" | "postgres"> = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  console.log(
    `file store benchmark (Node ${process.version}), ${fileMiB} MiB in ${chunkSizeFor(fileMiB * 1024 * 1024) / 1024 / 1024} MiB chunks (as the browser uploads it), encrypt + putChunk`,
  );
  console.log("database  store     in flight  encrypt+store  encrypt only  raw secretstream  file_store_ratio");
  for (const database of databases) {
    for (const store of stores) {
      for (const inFlight of depths) {
        const figures = await measureFileStore({ fileMiB, database, store, inFlight });
        console.log(
          `${database.padEnd(9)} ${store.padEnd(9)} ${String(inFlight).padStart(9)} ${`${figures.store_mib_s} MiB/s`.padStart(14)}  ${`${figures.encrypt_only_mib_s} MiB/s`.padStart(12)}  ${`${figures.raw_secretstream_mib_s} MiB/s`.padStart(16)}  ${String(figures.file_store_ratio).padStart(16)}`,
        );
      }
    }
  }
}

// Run directly (not imported by the bench runner): print the figures.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
