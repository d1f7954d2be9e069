import { CryptoError } from "./errors";
import { guarded, lib } from "./sodium";

/**
 * SMART Health Link passcodes (flag P) as the server keeps them: only a slow hash, never the
 * passcode. The hash is libsodium's `crypto_pwhash_str` (Argon2id, a random 16-byte salt, the
 * "interactive" limits: 2 passes over 64 MiB), in the PHC string form
 * `$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>` that carries its own parameters, so a
 * later change of limits still verifies older hashes. Passcodes are 6 to 64 characters
 * (the link API's bounds); they are hashed as their UTF-8 bytes, without normalisation.
 */
export const shlPasscodeLength = { min: 6, max: 64 } as const;

/** The longest hash string `hashShlPasscode` returns (crypto_pwhash_STRBYTES minus its NUL). */
export const shlPasscodeHashMaxLength = 127;

/**
 * Hashes a link passcode for storage.
 * @returns the PHC string (at most `shlPasscodeHashMaxLength` ASCII characters)
 * @throws CryptoError("invalid-argument") for a passcode shorter than 6 or longer than 64 characters; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function hashShlPasscode(passcode: string): string {
  if (typeof passcode !== "string" || passcode.length < shlPasscodeLength.min || passcode.length > shlPasscodeLength.max) {
    throw new CryptoError("invalid-argument");
  }
  const sodium = lib();
  return guarded("invalid-argument", () =>
    sodium.crypto_pwhash_str(passcode, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE),
  );
}

/**
 * Whether `passcode` is the one `hash` (from hashShlPasscode) was made from. A passcode outside
 * the 6–64 character bounds, or a hash that is not an Argon2id PHC string, is simply not a
 * match. Takes as long as the hash's parameters ask (about the time hashing took).
 * @throws CryptoError("not-ready") before cryptoReady() has resolved; nothing else
 */
export function verifyShlPasscode(hash: string, passcode: string): boolean {
  const sodium = lib();
  if (typeof passcode !== "string" || passcode.length < shlPasscodeLength.min || passcode.length > shlPasscodeLength.max) return false;
  if (typeof hash !== "string" || !hash.startsWith("$argon2id$") || hash.length > shlPasscodeHashMaxLength) return false;
  try {
    return sodium.crypto_pwhash_str_verify(hash, passcode);
  } catch {
    // libsodium throws on a string it cannot parse: that is a failed match, not an error to surface.
    return false;
  }
}
