import { encodeCanonical } from "./canonical";
import { assertKey } from "./envelope";
import { CryptoError } from "./errors";
import { identityKeyPairFromSeed, type KeyPair } from "./keys";
import { randomBytes } from "./random";
import { lib } from "./sodium";
import { brandKey, type KeyEncryptionKey, type RecoveryKey } from "./key-types";

/**
 * The recovery key: 32 random bytes, written as Crockford base32 of the key and a 3-byte
 * BLAKE2b checksum (35 bytes, 56 characters), in 14 dash-separated groups of four.
 * Reading forgives case, spaces, dashes and the look-alikes I, L (1) and O (0).
 */
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const keyLength = 32;
const checksumLength = 3;
const characters = 56;

function checksum(key: Uint8Array): Uint8Array {
  return lib()
    .crypto_generichash(16, encodeCanonical("hsc/v1/recovery-key-checksum", [key]), null)
    .subarray(0, checksumLength);
}

/**
 * A fresh recovery key: 32 random bytes.
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateRecoveryKey(): RecoveryKey {
  return brandKey<RecoveryKey>(randomBytes(keyLength));
}

/**
 * The 56-character Crockford base32 text of the key and its checksum, in 14 dash-separated groups of four.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function encodeRecoveryKey(key: RecoveryKey): string {
  assertKey(key, keyLength);
  const bytes = new Uint8Array(keyLength + checksumLength);
  bytes.set(key);
  bytes.set(checksum(key), keyLength);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)!.join("-");
}

/**
 * Reads a recovery key as a person types it (case, spaces, dashes and look-alikes forgiven).
 * @throws CryptoError("malformed") for text that is not 56 base32 characters once normalised; CryptoError("checksum-mismatch") when the checksum does not match (a mistyped character); CryptoError("not-ready") before cryptoReady() has resolved
 */
export function decodeRecoveryKey(text: string): RecoveryKey {
  if (typeof text !== "string") throw new CryptoError("malformed");
  const normalized = text.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  if (normalized.length !== characters) throw new CryptoError("malformed");
  const bytes = new Uint8Array(keyLength + checksumLength);
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const character of normalized) {
    const digit = alphabet.indexOf(character);
    if (digit < 0) throw new CryptoError("malformed");
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  const key = bytes.slice(0, keyLength);
  if (!lib().memcmp(checksum(key), bytes.subarray(keyLength))) throw new CryptoError("checksum-mismatch");
  return brandKey<RecoveryKey>(key);
}

function derive(recoveryKey: RecoveryKey, purpose: string): Uint8Array {
  assertKey(recoveryKey, keyLength);
  return lib().crypto_generichash(32, encodeCanonical("hsc/v1/recovery-derive", [purpose]), recoveryKey);
}

/**
 * The Ed25519 key whose public half lets the server accept a recovery sign-in.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function deriveRecoverySigningKeyPair(recoveryKey: RecoveryKey): KeyPair {
  const seed = derive(recoveryKey, "signing");
  try {
    return identityKeyPairFromSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/**
 * The key that wraps the vault key for recovery.
 * @throws CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function deriveRecoveryKeyEncryptionKey(recoveryKey: RecoveryKey): KeyEncryptionKey {
  return brandKey<KeyEncryptionKey>(derive(recoveryKey, "vault-key-wrap"));
}
