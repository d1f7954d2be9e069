import { signCanonical, verifyCanonical } from "./signature";

/**
 * What the author of a record version signs: the record, its versions, the author, and
 * BLAKE2b-256 digests of the ciphertexts (content envelope, and file header and body
 * when the record carries a file). The server cannot swap, replay across records or
 * roll back a version without the signature failing in the reader's browser.
 */
export interface RecordVersionStatement {
  recordId: string;
  version: number;
  keyVersion: number;
  authorId: string;
  contentHash: Uint8Array;
  /** Digest of the file header and chunk digests; empty when there is no file. */
  fileHash: Uint8Array;
}

const label = "hsc/v1/record-version";

const fields = (statement: RecordVersionStatement) => [
  statement.recordId,
  statement.version,
  statement.keyVersion,
  statement.authorId,
  statement.contentHash,
  statement.fileHash,
];

export function signRecordVersion(statement: RecordVersionStatement, identitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), identitySecretKey);
}

/** Throws CryptoError("authentication-failed") unless the author signed exactly this. */
export function verifyRecordVersion(statement: RecordVersionStatement, signature: Uint8Array, authorIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, authorIdentityPublicKey);
}
