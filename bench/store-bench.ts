/**
 * Suite "file-store" of npm run bench (alone: npm run bench -- file-store) — prints figures,
 * asserts nothing. bench/file-store-bench.ts's measureFileStore: a file of BENCH_FILE_MIB MiB
 * (256; 32 in quick mode) encrypted in the chunks the browser would upload it in (8 MiB above 32 MiB) with crypto/'s file encryptor, each chunk
 * stored through the blob store with as many chunks being stored at once as the browser keeps
 * in flight (4 of 8 MiB; file_store_serial_ratio: one after the other), next to raw libsodium
 * secretstream over the same chunks in the same run; on the file-system store (the default,
 * BLOB_STORE=file) and on the S3 store against s3rver on loopback, with its metadata on PGlite
 * on disk or PostgreSQL.
 * Run with the react-server condition so server modules load outside Next.
 */
import { chunksInFlightFor } from "../client/records/files";
import { chunkSizeFor } from "../contract/records";
import { measureFileStore } from "./file-store-bench";
import { benchDatabase, quickMode, reportFigure } from "./figures";

const fileMiB = Number(process.env.BENCH_FILE_MIB ?? (quickMode() ? 32 : 256));
// The browser's own concurrency for this file's chunks (client/records/files.ts).
const inFlight = chunksInFlightFor(chunkSizeFor(fileMiB * 1024 * 1024));

async function main() {
  const database = benchDatabase();
  const size = `${fileMiB} MiB${quickMode() ? " (quick)" : ""}`;
  const file = await measureFileStore({ fileMiB, database, store: "file", inFlight });
  const note = `${size}, file store, ${inFlight} chunks in flight (the browser's), ${database}`;
  console.log(`file store: ${file.store_mib_s} MiB/s encrypt + store, raw secretstream ${file.raw_secretstream_mib_s} MiB/s (${note})`);
  reportFigure("file_store_ratio", file.file_store_ratio, { note });
  reportFigure("file_store_mib_s", file.store_mib_s, { note });
  reportFigure("file_store_raw_mib_s", file.raw_secretstream_mib_s, { note });
  const serial = await measureFileStore({ fileMiB, database, store: "file", inFlight: 1 });
  const serialNote = `${size}, file store, 1 chunk in flight, ${database}`;
  console.log(`file store, one chunk at a time: ${serial.store_mib_s} MiB/s, raw secretstream ${serial.raw_secretstream_mib_s} MiB/s (${serialNote})`);
  reportFigure("file_store_serial_ratio", serial.file_store_ratio, { note: serialNote });
  const s3 = await measureFileStore({ fileMiB, database, store: "s3", inFlight });
  const s3Note = `${size}, S3 store on s3rver (loopback), ${inFlight} chunks in flight, ${database}`;
  console.log(`S3 store: ${s3.store_mib_s} MiB/s encrypt + store, raw secretstream ${s3.raw_secretstream_mib_s} MiB/s (${s3Note})`);
  reportFigure("file_store_s3_ratio", s3.file_store_ratio, { note: s3Note });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
