import { encodeCanonical } from "./canonical";
import { CryptoError } from "./errors";
import { toHex } from "./encoding";
import { randomBytes } from "./random";
import { guarded, lib } from "./sodium";

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * Ed25519: the user's long-term identity, used only to sign.
 * @returns a 32-byte public key and a 64-byte secret key
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function generateIdentityKeyPair(): KeyPair {
  const seed = randomBytes(32);
  try {
    return identityKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * The Ed25519 key pair of a 32-byte seed (32-byte public key, 64-byte secret key).
 * @throws CryptoError("invalid-key") for a seed that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function identityKeyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new CryptoError("invalid-key");
  const { publicKey, privateKey } = guarded("invalid-key", () => lib().crypto_sign_seed_keypair(seed));
  return { publicKey, secretKey: privateKey };
}

/**
 * X25519: receives sealed share keys. Published only inside a signed key certificate.
 * @returns a 32-byte public key and a 32-byte secret key
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function generateEncryptionKeyPair(): KeyPair {
  const seed = randomBytes(32);
  try {
    return encryptionKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * The X25519 key pair of a 32-byte seed (32-byte public and secret keys).
 * @throws CryptoError("invalid-key") for a seed that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encryptionKeyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new CryptoError("invalid-key");
  const { publicKey, privateKey } = guarded("invalid-key", () => lib().crypto_box_seed_keypair(seed));
  return { publicKey, secretKey: privateKey };
}

/**
 * BLAKE2b-256 over a labelled encoding of a public key; what key pinning compares.
 * @returns 32 bytes
 * @throws CryptoError("invalid-key") for a public key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function keyFingerprint(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new CryptoError("invalid-key");
  return lib().crypto_generichash(32, encodeCanonical("hsc/v1/key-fingerprint", [publicKey]), null);
}

/**
 * The first 80 bits of a fingerprint as hex in groups of four, for display.
 * @throws CryptoError("invalid-key") for a public key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function shortFingerprint(publicKey: Uint8Array): string {
  return toHex(keyFingerprint(publicKey).subarray(0, 10)).match(/.{4}/g)!.join(" ");
}
