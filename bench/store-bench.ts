/**
 * Suite "file-store" of npm run bench (alone: npm run bench -- file-store) — prints figures,
 * asserts nothing. A file of BENCH_FILE_MIB MiB (256; 32 in quick mode) is encrypted in 1 MiB
 * chunks with crypto/'s file encryptor and each chunk stored through the server's blob store
 * (create, every chunk, complete), on PGlite on disk or PostgreSQL; then raw libsodium
 * secretstream pushes the same chunks, in the same run. file_store_ratio is the first
 * throughput over the second.
 * Run with the react-server condition so server modules load outside Next.
 */
import { randomUUID } from "node:crypto";
import { createFileEncryptor, cryptoReady, generateFileKey } from "../crypto";
import { rawSecretstreamEncrypt } from "../crypto/raw-secretstream-baseline";
import { users } from "../drizzle/schema";
import { databaseBlobStore } from "../lib/blobs/database-blob-store";
import { openBenchDatabase } from "./bench-database";
import { elapsedMs, quickMode, reportFigure } from "./figures";

const fileMiB = Number(process.env.BENCH_FILE_MIB ?? (quickMode() ? 32 : 256));
const chunkSize = 1024 * 1024;

async function main() {
  await cryptoReady();
  const database = await openBenchDatabase({ onDisk: true });
  try {
    const ownerId = randomUUID();
    await database.db.insert(users).values({ id: ownerId, role: "patient" });
    // Distinct chunks (a counter in the first bytes), as a real file's are.
    const chunks = Array.from({ length: fileMiB }, (_, index) => {
      const chunk = new Uint8Array(chunkSize).map((_, offset) => (offset * 131 + 7) & 0xff);
      new DataView(chunk.buffer).setUint32(0, index);
      return chunk;
    });
    // Warm up both paths (JIT, WebAssembly memory growth) before measuring.
    rawSecretstreamEncrypt(generateFileKey(), chunks.slice(0, 8));
    const warmUp = createFileEncryptor(generateFileKey(), { recordId: randomUUID(), version: 1, keyVersion: 1 }, chunkSize);
    for (let index = 0; index < 8; index++) warmUp.encryptChunk(chunks[index % fileMiB]!, index === 7);
    const store = databaseBlobStore(database.db);
    const blobId = randomUUID();
    let start = process.hrtime.bigint();
    await store.create({ id: blobId, ownerId, chunkSize, chunkCount: fileMiB });
    const encryptor = createFileEncryptor(generateFileKey(), { recordId: randomUUID(), version: 1, keyVersion: 1 }, chunkSize);
    let stored = 0;
    for (let index = 0; index < fileMiB; index++) {
      const data = encryptor.encryptChunk(chunks[index]!, index === fileMiB - 1);
      if ((await store.putChunk({ blobId, index, data })) === "stored") stored += data.length;
    }
    await store.markComplete(blobId, stored);
    const storeMs = elapsedMs(start);
    start = process.hrtime.bigint();
    rawSecretstreamEncrypt(generateFileKey(), chunks);
    const rawMs = elapsedMs(start);
    const rate = (ms: number) => fileMiB / (ms / 1000);
    const note = `${fileMiB} MiB, database blob store (${database.kind})`;
    console.log(`file store: ${rate(storeMs).toFixed(1)} MiB/s encrypt + store, raw secretstream ${rate(rawMs).toFixed(1)} MiB/s (${note})`);
    reportFigure("file_store_ratio", rate(storeMs) / rate(rawMs), { note });
    reportFigure("file_store_mib_s", rate(storeMs), { note });
    reportFigure("file_store_raw_mib_s", rate(rawMs), { note });
  } finally {
    await database.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
