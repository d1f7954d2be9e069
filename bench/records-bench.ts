/**
 * npm run bench:records — prints figures, asserts nothing.
 *  1. Importing the International Patient Summary: plan, then pad, encrypt, sign and wrap
 *     every record as the browser does, then store the batch through the server's records
 *     service on an embedded database.
 *  2. Encrypting a large file in 1 MiB chunks and storing each chunk through the database
 *     blob store, next to raw libsodium secretstream over the same data in the same run.
 * Run with the react-server condition so server modules load outside Next.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createFileEncryptor, cryptoReady, generateFileKey } from "../crypto";
import { rawSecretstreamEncrypt } from "../crypto/raw-secretstream-baseline";
import { users } from "../drizzle/schema";
import { databaseBlobStore } from "../lib/blobs/database-blob-store";
import { planImport } from "../client/fhir";
import { sealNewRecords } from "../client/records/records";
import { patientVault } from "../client/records/test-server";
import { openDatabase } from "../lib/db/client";
import { createRecords } from "@/lib/records/chart-store";

const fileMiB = Number(process.env.BENCH_FILE_MIB ?? 256);
const chunkSize = 1024 * 1024;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function main() {
  await cryptoReady();
  const database = await openDatabase({ kind: "pglite", dataDir: null });
  const userId = randomUUID();
  await database.db.insert(users).values({ id: userId, role: "patient" });
  const author = { ...patientVault(), userId };

  const ips = JSON.parse(readFileSync(path.resolve(__dirname, "../fixtures/shl/IPS_IG-bundle-01.json"), "utf8"));
  const importTimes: Array<{ plan: number; seal: number; store: number }> = [];
  for (let round = 0; round < 5; round++) {
    let start = process.hrtime.bigint();
    const plan = planImport(ips);
    const planMs = ms(start);
    start = process.hrtime.bigint();
    const sealed = sealNewRecords(
      plan.records.map((record) => ({ v: 1 as const, kind: record.kind, resource: record.resource })),
      author,
    );
    const sealMs = ms(start);
    start = process.hrtime.bigint();
    await createRecords(database.db, userId, sealed);
    importTimes.push({ plan: planMs, seal: sealMs, store: ms(start) });
  }
  const best = importTimes.reduce((a, b) => (a.plan + a.seal + a.store <= b.plan + b.seal + b.store ? a : b));

  const template = new Uint8Array(chunkSize).map((_, index) => (index * 131 + 7) & 0xff);
  const chunks = Array.from({ length: fileMiB }, () => template);
  const blobs = databaseBlobStore(database.db);
  const blobId = randomUUID();
  await blobs.create({ id: blobId, ownerId: userId, chunkSize, chunkCount: fileMiB });
  let start = process.hrtime.bigint();
  const encryptor = createFileEncryptor(generateFileKey(), { recordId: randomUUID(), version: 1, keyVersion: 1 }, chunkSize);
  for (let index = 0; index < fileMiB; index++) {
    await blobs.putChunk({ blobId, index, data: encryptor.encryptChunk(chunks[index]!, index === fileMiB - 1) });
  }
  const uploadMs = ms(start);
  start = process.hrtime.bigint();
  const encryptOnly = createFileEncryptor(generateFileKey(), { recordId: "x", version: 1, keyVersion: 1 }, chunkSize);
  for (let index = 0; index < fileMiB; index++) encryptOnly.encryptChunk(chunks[index]!, index === fileMiB - 1);
  const encryptMs = ms(start);
  start = process.hrtime.bigint();
  rawSecretstreamEncrypt(generateFileKey(), chunks);
  const rawMs = ms(start);
  const rate = (millis: number) => (fileMiB / (millis / 1000)).toFixed(1);
  const memory = process.memoryUsage();

  console.log(`records benchmark (Node ${process.version}, embedded PGlite in memory)`);
  console.log(`IPS import, ${planImport(ips).records.length} records (best of 5): ${(best.plan + best.seal + best.store).toFixed(1)} ms total`);
  console.log(`  plan ${best.plan.toFixed(1)} ms · pad+encrypt+sign+wrap ${best.seal.toFixed(1)} ms · store ${best.store.toFixed(1)} ms`);
  console.log(`large file, ${fileMiB} MiB in 1 MiB chunks:`);
  console.log(`  encrypt + store each chunk (database blob store): ${rate(uploadMs)} MiB/s`);
  console.log(`  encrypt only (crypto/ file encryptor):           ${rate(encryptMs)} MiB/s`);
  console.log(`  raw libsodium secretstream:                      ${rate(rawMs)} MiB/s`);
  console.log(`  resident memory after the run: ${(memory.rss / 1024 / 1024).toFixed(0)} MiB (heap ${(memory.heapUsed / 1024 / 1024).toFixed(0)} MiB)`);
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
