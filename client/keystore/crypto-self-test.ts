import { cryptoReady, decryptRecordContent, encryptRecordContent, generateRecordKey } from "@/crypto";

export interface CryptoSelfTestResult {
  /** Milliseconds from start to a verified round trip, WebAssembly compilation included. */
  elapsedMs: number;
}

/**
 * Loads libsodium and round-trips a small envelope, so the page knows encryption works
 * here (WebAssembly allowed by the CSP, a working random source) before anyone relies on it.
 */
export async function runCryptoSelfTest(): Promise<CryptoSelfTestResult> {
  const started = performance.now();
  await cryptoReady();
  const key = generateRecordKey();
  const context = { recordId: "00000000-0000-4000-8000-000000000000", version: 1, keyVersion: 1 };
  const probe = new TextEncoder().encode("self-test");
  const opened = decryptRecordContent(encryptRecordContent(probe, key, context), key, context);
  if (new TextDecoder().decode(opened) !== "self-test") throw new Error("encryption self-test mismatch");
  return { elapsedMs: Math.round(performance.now() - started) };
}
