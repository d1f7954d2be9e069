/**
 * The in-page baseline of the browser figures, bundled for the browser by bench/browser-bench.ts
 * (esbuild) and loaded into a blank page of the same browser: libsodium's raw secretstream
 * (crypto/'s baseline, the same libsodium build the app bundles) over a file chosen in that
 * page, read in 1 MiB slices as the app reads it. Exposed as globalThis.hscBaseline.
 */
import { cryptoReady, generateFileKey } from "../../crypto";
import { rawSecretstreamPuller, rawSecretstreamPusher } from "../../crypto/raw-secretstream-baseline";

const sliceSize = 1024 * 1024;

/** Reads `file` in 1 MiB slices and pushes each through secretstream; returns the milliseconds it took. */
async function pushFile(file: Blob): Promise<number> {
  await cryptoReady();
  const started = performance.now();
  const pusher = rawSecretstreamPusher(generateFileKey());
  for (let offset = 0; offset < file.size; offset += sliceSize) {
    const slice = new Uint8Array(await file.slice(offset, offset + sliceSize).arrayBuffer());
    pusher.push(slice, offset + sliceSize >= file.size);
  }
  return performance.now() - started;
}

/** Pulls `chunks` 1 MiB chunks (made by push, untimed) through secretstream; returns the milliseconds of the pulls alone. */
async function pullChunks(chunks: number): Promise<number> {
  await cryptoReady();
  const key = generateFileKey();
  const pusher = rawSecretstreamPusher(key);
  const puller = rawSecretstreamPuller(key, pusher.header);
  const plain = new Uint8Array(sliceSize).map((_, index) => (index * 131 + 7) & 0xff);
  let pulling = 0;
  for (let index = 0; index < chunks; index++) {
    const ciphertext = pusher.push(plain, index === chunks - 1);
    const started = performance.now();
    puller.pull(ciphertext);
    pulling += performance.now() - started;
  }
  return pulling;
}

(globalThis as unknown as { hscBaseline: unknown }).hscBaseline = { pushFile, pullChunks };
