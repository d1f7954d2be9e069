import { signCanonical, verifyCanonical } from "./signature";

/**
 * What a recovery key's signing key (deriveRecoverySigningKeyPair) signs. The server holds
 * only its public half, and checks these; the recovery key never leaves the browser.
 */

const signInLabel = "hsc/v1/recovery-sign-in";
const replacementLabel = "hsc/v1/recovery-key-replacement";

/** A recovery sign-in: the server's one-time challenge and the app's origin, so a proof is good for one ceremony on one site. */
export interface RecoverySignIn {
  challenge: string;
  origin: string;
}

/**
 * Signs a recovery sign-in: Ed25519 over canonical `hsc/v1/recovery-sign-in` [challenge, origin].
 * @returns the 64-byte detached signature
 * @throws CryptoError "invalid-key" for a secret key that is not 64 bytes
 */
export function signRecoverySignIn(proof: RecoverySignIn, recoverySigningSecretKey: Uint8Array): Uint8Array {
  return signCanonical(signInLabel, [proof.challenge, proof.origin], recoverySigningSecretKey);
}

/**
 * Checks a recovery sign-in signature.
 * @throws CryptoError "authentication-failed" unless the key signed exactly this challenge and origin, "malformed" for a signature that is not 64 bytes, "invalid-key" for a public key that is not 32 bytes
 */
export function verifyRecoverySignIn(proof: RecoverySignIn, signature: Uint8Array, recoveryPublicKey: Uint8Array): void {
  verifyCanonical(signInLabel, [proof.challenge, proof.origin], signature, recoveryPublicKey);
}

/**
 * The replacement of an account's recovery key, signed by the new key's signing key: the
 * account, the key replaced (so a key changed meanwhile elsewhere makes the server refuse
 * it), the new key, the vault-key wrap under the new key, and the app's origin.
 */
export interface RecoveryKeyReplacementStatement {
  userId: string;
  previousRecoveryPublicKey: Uint8Array;
  recoveryPublicKey: Uint8Array;
  /** The vault key wrapped under the new recovery key's key-encryption key (envelope kind 1). */
  wrappedVaultKey: Uint8Array;
  origin: string;
}

const replacementFields = (statement: RecoveryKeyReplacementStatement) => [
  statement.userId,
  statement.previousRecoveryPublicKey,
  statement.recoveryPublicKey,
  statement.wrappedVaultKey,
  statement.origin,
];

/**
 * Signs a recovery-key replacement: Ed25519 over canonical `hsc/v1/recovery-key-replacement`
 * [userId, previous public key, new public key, wrapped vault key, origin].
 * @returns the 64-byte detached signature
 * @throws CryptoError "invalid-key" for a secret key that is not 64 bytes
 */
export function signRecoveryKeyReplacement(statement: RecoveryKeyReplacementStatement, newRecoverySigningSecretKey: Uint8Array): Uint8Array {
  return signCanonical(replacementLabel, replacementFields(statement), newRecoverySigningSecretKey);
}

/**
 * Checks that the new recovery key signed exactly this replacement (verified under
 * `statement.recoveryPublicKey`).
 * @throws CryptoError "authentication-failed" for any other statement or key, "malformed" for a signature that is not 64 bytes, "invalid-key" for a public key that is not 32 bytes
 */
export function verifyRecoveryKeyReplacement(statement: RecoveryKeyReplacementStatement, signature: Uint8Array): void {
  verifyCanonical(replacementLabel, replacementFields(statement), signature, statement.recoveryPublicKey);
}
