import { encodeCanonical, type CanonicalField } from "./canonical";
import { assertKey } from "./envelope";
import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/**
 * Ed25519 over the canonical encoding of a labelled field list; never over JSON text.
 * @returns the 64-byte detached signature
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes; CryptoError("invalid-argument") for a field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signCanonical(label: string, fields: readonly CanonicalField[], identitySecretKey: Uint8Array): Uint8Array {
  assertKey(identitySecretKey, 64);
  const message = encodeCanonical(label, fields);
  return guarded("invalid-key", () => lib().crypto_sign_detached(message, identitySecretKey));
}

/**
 * Checks an Ed25519 signature over the canonical encoding of exactly these fields.
 * @throws CryptoError("authentication-failed") unless the signature is valid for exactly these fields; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a public key that is not 32 bytes; CryptoError("invalid-argument") for a field the canonical encoding cannot hold; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyCanonical(label: string, fields: readonly CanonicalField[], signature: Uint8Array, identityPublicKey: Uint8Array): void {
  assertKey(identityPublicKey);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new CryptoError("malformed");
  const message = encodeCanonical(label, fields);
  const valid = guarded("authentication-failed", () => lib().crypto_sign_verify_detached(signature, message, identityPublicKey));
  if (!valid) throw new CryptoError("authentication-failed");
}

/**
 * BLAKE2b-256, for putting ciphertexts into signed statements by digest.
 * @returns 32 bytes
 * @throws CryptoError("not-ready") before cryptoReady() has resolved
 */
export function hashBytes(data: Uint8Array): Uint8Array {
  return lib().crypto_generichash(32, data, null);
}
