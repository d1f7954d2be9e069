import { lib } from "./sodium";

/**
 * Benchmark baseline only (not part of the public API): libsodium's secretstream push
 * loop with nothing around it, so bench/ can compare without importing libsodium.
 * @returns the total ciphertext bytes
 * @throws CryptoError("not-ready") before cryptoReady() has resolved; a key that is not 32 bytes fails with libsodium's own TypeError (nothing here is guarded)
 */
export function rawSecretstreamEncrypt(key: Uint8Array, chunks: readonly Uint8Array[]): number {
  const sodium = lib();
  const { state } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  let total = 0;
  for (let index = 0; index < chunks.length; index++) {
    const tag = index === chunks.length - 1 ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    total += sodium.crypto_secretstream_xchacha20poly1305_push(state, chunks[index]!, null, tag).length;
  }
  return total;
}
