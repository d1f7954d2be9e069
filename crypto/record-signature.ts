import { assertKey } from "./envelope";
import { signCanonical, verifyCanonical } from "./signature";

/**
 * What the author of a record version signs: the record, the version number, the author,
 * and the hiding commitment to the version's document (record-body.ts). The statement
 * names no key version and no ciphertext, so moving a version to a new record key (after a
 * revoke) re-encrypts it without touching the signature: who wrote a version never changes,
 * and nobody but its author can make a statement that verifies for other content.
 */
export interface RecordVersionStatement {
  recordId: string;
  version: number;
  authorId: string;
  /** 32 bytes: commitRecordDocument(commitmentKey, {recordId, version}, document). */
  commitment: Uint8Array;
}

const label = "hsc/v1/record-version-statement";

function fields(statement: RecordVersionStatement) {
  assertKey(statement.commitment, 32);
  return [statement.recordId, statement.version, statement.authorId, statement.commitment];
}

/**
 * Ed25519 over canonical `hsc/v1/record-version-statement` [recordId, version, authorId, commitment].
 * Returns the 64-byte detached signature.
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes or a commitment that is not 32; CryptoError("invalid-argument") for a version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signRecordVersion(statement: RecordVersionStatement, identitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), identitySecretKey);
}

/**
 * Checks the author's signature over exactly this statement.
 * @throws CryptoError("authentication-failed") unless the author signed exactly this statement; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a public key or commitment that is not 32 bytes; CryptoError("invalid-argument") for a version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyRecordVersion(statement: RecordVersionStatement, signature: Uint8Array, authorIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, authorIdentityPublicKey);
}
