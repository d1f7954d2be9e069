import { decodeCanonical, encodeCanonical } from "./canonical";
import { equalBytes } from "./encoding";
import { assertKey } from "./envelope";
import { CryptoError } from "./errors";
import { randomBytes } from "./random";
import { lib } from "./sodium";

/**
 * The plaintext inside a record-content envelope (before padding):
 *
 *   canonical `hsc/v1/record-body` [commitmentKey (32 bytes), document (bytes), access (bytes)]
 *
 * `document` is what the author signs, by commitment: the record as the reader sees it,
 * including a file's size and plaintext digest. `access` is how to reach the version's file
 * (blob id, file key, stream header) and may change when the record moves to a new key,
 * which is why it sits outside the commitment; a file reached through it must match the
 * digest in `document`. Empty when the record has no file.
 */
export interface RecordBody {
  commitmentKey: Uint8Array;
  document: Uint8Array;
  access: Uint8Array;
}

const bodyLabel = "hsc/v1/record-body";
const commitmentLabel = "hsc/v1/record-commitment";
export const commitmentBytes = 32;

/**
 * A fresh commitment key: 32 random bytes, one per record version.
 * @throws CryptoError("not-ready") only where WebCrypto's getRandomValues is missing
 */
export function generateCommitmentKey(): Uint8Array {
  return randomBytes(32);
}

/**
 * Encodes a body as canonical `hsc/v1/record-body` [commitmentKey, document, access].
 * @throws CryptoError("invalid-key") when the commitment key is not 32 bytes
 */
export function encodeRecordBody(body: RecordBody): Uint8Array {
  assertKey(body.commitmentKey);
  return encodeCanonical(bodyLabel, [body.commitmentKey, body.document, body.access]);
}

/**
 * Strict inverse of encodeRecordBody.
 * @throws CryptoError("malformed") for anything but an encoded body (another label, field count or type, a commitment key that is not 32 bytes)
 */
export function decodeRecordBody(bytes: Uint8Array): RecordBody {
  const { label, fields } = decodeCanonical(bytes);
  const [commitmentKey, document, access] = fields;
  if (
    label !== bodyLabel ||
    fields.length !== 3 ||
    !(commitmentKey instanceof Uint8Array) ||
    commitmentKey.length !== 32 ||
    !(document instanceof Uint8Array) ||
    !(access instanceof Uint8Array)
  ) {
    throw new CryptoError("malformed");
  }
  return { commitmentKey, document, access };
}

/**
 * Hiding, binding commitment to a version's document: BLAKE2b-256 keyed by the version's
 * commitment key over canonical `hsc/v1/record-commitment` [recordId, version, document].
 * The server stores it beside the signature and learns nothing from it (the key is secret
 * and random); finding other content with the same commitment means a BLAKE2b collision.
 * @returns 32 bytes
 * @throws CryptoError("invalid-key") for a commitment key that is not 32 bytes; CryptoError("invalid-argument") for a version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function commitRecordDocument(commitmentKey: Uint8Array, context: { recordId: string; version: number }, document: Uint8Array): Uint8Array {
  assertKey(commitmentKey);
  return lib().crypto_generichash(commitmentBytes, encodeCanonical(commitmentLabel, [context.recordId, context.version, document]), commitmentKey);
}

/**
 * Decodes a body and checks its document against the commitment its author signed (for
 * record `context`).
 * @throws CryptoError("malformed") for anything but a body; CryptoError("authentication-failed") when the document is not the one committed to; CryptoError("invalid-argument") for a version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyRecordBody(bytes: Uint8Array, commitment: Uint8Array, context: { recordId: string; version: number }): RecordBody {
  const body = decodeRecordBody(bytes);
  if (!equalBytes(commitRecordDocument(body.commitmentKey, context, body.document), commitment)) throw new CryptoError("authentication-failed");
  return body;
}
