import { encodeCanonical } from "./canonical";
import { CryptoError } from "./errors";
import { toHex } from "./encoding";
import { randomBytes } from "./random";
import { guarded, lib } from "./sodium";

export interface KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** Ed25519: the user's long-term identity, used only to sign. */
export function generateIdentityKeyPair(): KeyPair {
  const seed = randomBytes(32);
  try {
    return identityKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

export function identityKeyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new CryptoError("invalid-key");
  const { publicKey, privateKey } = guarded("invalid-key", () => lib().crypto_sign_seed_keypair(seed));
  return { publicKey, secretKey: privateKey };
}

/** X25519: receives sealed share keys. Published only inside a signed key certificate. */
export function generateEncryptionKeyPair(): KeyPair {
  const seed = randomBytes(32);
  try {
    return encryptionKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

export function encryptionKeyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new CryptoError("invalid-key");
  const { publicKey, privateKey } = guarded("invalid-key", () => lib().crypto_box_seed_keypair(seed));
  return { publicKey, secretKey: privateKey };
}

/** BLAKE2b-256 over a labelled encoding of a public key; what key pinning compares. */
export function keyFingerprint(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new CryptoError("invalid-key");
  return lib().crypto_generichash(32, encodeCanonical("hsc/v1/key-fingerprint", [publicKey]), null);
}

/** The first 80 bits of a fingerprint as hex in groups of four, for display. */
export function shortFingerprint(publicKey: Uint8Array): string {
  return toHex(keyFingerprint(publicKey).subarray(0, 10)).match(/.{4}/g)!.join(" ");
}
