/**
 * Suite "crypto" of npm run bench (alone: npm run bench -- crypto) — prints figures, asserts nothing.
 *  1. File encryption (crypto/ createFileEncryptor) against raw libsodium secretstream on
 *     the same data in the same run, MiB/s and their ratio (target: ≥ 0.9).
 *  2. Sealing one share key to an X25519 key (median).
 *  3. Wrapping 1,000 record keys under a share key (median; target: well under 100 ms).
 */
import {
  createFileEncryptor,
  cryptoReady,
  generateEncryptionKeyPair,
  generateFileKey,
  generateRecordKey,
  generateShareKey,
  sealShareKey,
  wrapRecordKeys,
} from "../crypto";
import { rawSecretstreamEncrypt } from "../crypto/raw-secretstream-baseline";
import { quickMode, reportFigure } from "./figures";

const chunkSize = 64 * 1024;
const totalMiB = Number(process.env.BENCH_MIB ?? (quickMode() ? 32 : 256));
const rounds = 3;

function makeChunks(): Uint8Array[] {
  // Deterministic filler: the cipher's speed does not depend on the plaintext.
  const template = new Uint8Array(chunkSize).map((_, index) => (index * 131 + 7) & 0xff);
  return Array.from({ length: (totalMiB * 1024 * 1024) / chunkSize }, () => template);
}

function timeMs(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  await cryptoReady();
  const chunks = makeChunks();
  const key = generateFileKey();
  const context = { recordId: "bench-record", version: 1, keyVersion: 1 };

  const encryptWithCryptoModule = () => {
    const encryptor = createFileEncryptor(key, context, chunkSize);
    for (let index = 0; index < chunks.length; index++) encryptor.encryptChunk(chunks[index]!, index === chunks.length - 1);
  };
  const encryptRaw = () => rawSecretstreamEncrypt(key, chunks);

  // Warm up both paths (JIT, WebAssembly memory growth) before measuring.
  encryptWithCryptoModule();
  encryptRaw();
  const moduleTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    rawTimes.push(timeMs(encryptRaw));
    moduleTimes.push(timeMs(encryptWithCryptoModule));
  }
  const mibPerSecond = (ms: number) => totalMiB / (ms / 1000);
  const moduleRate = mibPerSecond(Math.min(...moduleTimes));
  const rawRate = mibPerSecond(Math.min(...rawTimes));
  const ratio = moduleRate / rawRate;

  const clinician = generateEncryptionKeyPair();
  const shareKey = generateShareKey();
  const sealTimes = Array.from({ length: 200 }, (_, index) => timeMs(() => sealShareKey(shareKey, clinician.publicKey, { grantId: `grant-${index}` })));
  const items = Array.from({ length: 1000 }, (_, index) => ({ recordKey: generateRecordKey(), recordId: `record-${index}`, keyVersion: 1 }));
  wrapRecordKeys(items, shareKey, { grantId: "warm-up" });
  const wrapTimes = Array.from({ length: 15 }, () => timeMs(() => wrapRecordKeys(items, shareKey, { grantId: "bench-grant" })));

  const verdict = (ok: boolean) => (ok ? "OK" : "BELOW TARGET");
  console.log(`crypto benchmark (Node ${process.version}, ${totalMiB} MiB in ${chunkSize / 1024} KiB chunks, best of ${rounds})`);
  console.log(`file encryption (crypto/):      ${moduleRate.toFixed(1)} MiB/s`);
  console.log(`raw libsodium secretstream:     ${rawRate.toFixed(1)} MiB/s`);
  console.log(`ratio crypto/ / raw:            ${ratio.toFixed(3)}  (target >= 0.9: ${verdict(ratio >= 0.9)})`);
  console.log(`seal one share key (median):    ${median(sealTimes).toFixed(3)} ms`);
  console.log(`wrap 1,000 record keys (median): ${median(wrapTimes).toFixed(2)} ms  (target well under 100 ms: ${verdict(median(wrapTimes) < 50)})`);
  reportFigure("crypto_file_encrypt_ratio", ratio, { note: `${totalMiB} MiB` });
  reportFigure("crypto_seal_share_key_ms", median(sealTimes));
  reportFigure("crypto_wrap_1000_record_keys_ms", median(wrapTimes));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
