import { lib } from "./sodium";

/**
 * BLAKE2b-256 of a file's plaintext, fed chunk by chunk so memory stays at one chunk. A
 * record's signed document carries this digest, so a file re-encrypted under a new key (or
 * swapped for another) is checked against what its author wrote.
 */
export interface FileDigest {
  update(chunk: Uint8Array): void;
  /** The 32-byte digest; the digest cannot be updated afterwards. */
  finish(): Uint8Array;
}

/**
 * Starts a BLAKE2b-256 digest; feed it chunks, then finish() once for the 32 bytes.
 * @throws CryptoError("not-ready") before cryptoReady() has resolved. Calling finish() twice throws libsodium's own Error ("invalid usage"), not a CryptoError
 */
export function createFileDigest(): FileDigest {
  const sodium = lib();
  const state = sodium.crypto_generichash_init(null, 32);
  return {
    update: (chunk) => sodium.crypto_generichash_update(state, chunk),
    finish: () => sodium.crypto_generichash_final(state, 32),
  };
}
