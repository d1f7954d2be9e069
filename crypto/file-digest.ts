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

export function createFileDigest(): FileDigest {
  const sodium = lib();
  const state = sodium.crypto_generichash_init(null, 32);
  return {
    update: (chunk) => sodium.crypto_generichash_update(state, chunk),
    finish: () => sodium.crypto_generichash_final(state, 32),
  };
}
