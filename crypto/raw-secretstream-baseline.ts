import { CryptoError } from "./errors";
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

/**
 * Benchmark baseline only: libsodium's secretstream, one push at a time, so a benchmark can
 * feed a file's slices as it reads them (in the browser, where the whole file would not fit).
 * `push(chunk, last)` returns the chunk's ciphertext (17 bytes longer).
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function rawSecretstreamPusher(key: Uint8Array): { header: Uint8Array; push(chunk: Uint8Array, last: boolean): Uint8Array } {
  const sodium = lib();
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  return {
    header,
    push: (chunk, last) =>
      sodium.crypto_secretstream_xchacha20poly1305_push(
        state,
        chunk,
        null,
        last ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      ),
  };
}

/**
 * Benchmark baseline only: libsodium's secretstream pull with nothing around it, the
 * decrypting side of `rawSecretstreamPusher`. `pull` returns the plaintext.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved; CryptoError("authentication-failed") for a chunk that does not authenticate
 */
export function rawSecretstreamPuller(key: Uint8Array, header: Uint8Array): { pull(ciphertext: Uint8Array): Uint8Array } {
  const sodium = lib();
  const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
  return {
    pull: (ciphertext) => {
      const result = sodium.crypto_secretstream_xchacha20poly1305_pull(state, ciphertext, null);
      if (!result) throw new CryptoError("authentication-failed");
      return result.message;
    },
  };
}
