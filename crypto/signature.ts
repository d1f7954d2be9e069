import { encodeCanonical, type CanonicalField } from "./canonical";
import { assertKey } from "./envelope";
import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/** Ed25519 over the canonical encoding of a labelled field list; never over JSON text. */
export function signCanonical(label: string, fields: readonly CanonicalField[], identitySecretKey: Uint8Array): Uint8Array {
  assertKey(identitySecretKey, 64);
  const message = encodeCanonical(label, fields);
  return guarded("invalid-key", () => lib().crypto_sign_detached(message, identitySecretKey));
}

/** Throws CryptoError("authentication-failed") unless the signature is valid for exactly these fields. */
export function verifyCanonical(
  label: string,
  fields: readonly CanonicalField[],
  signature: Uint8Array,
  identityPublicKey: Uint8Array,
): void {
  assertKey(identityPublicKey);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new CryptoError("malformed");
  const message = encodeCanonical(label, fields);
  const valid = guarded("authentication-failed", () =>
    lib().crypto_sign_verify_detached(signature, message, identityPublicKey),
  );
  if (!valid) throw new CryptoError("authentication-failed");
}

/** BLAKE2b-256, for putting ciphertexts into signed statements by digest. */
export function hashBytes(data: Uint8Array): Uint8Array {
  return lib().crypto_generichash(32, data, null);
}
