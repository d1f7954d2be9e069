import { decodeCanonical, encodeCanonical } from "./canonical";
import { CryptoError } from "./errors";
import { hashBytes, signCanonical, verifyCanonical } from "./signature";

/**
 * The patient's signed statement of a grant. Clients trust a grant only if this verifies
 * under the patient's identity key; the server enforces its own copy of the same facts.
 */
export interface GrantStatement {
  grantId: string;
  patientId: string;
  clinicianId: string;
  /** BLAKE2b fingerprint of the clinician's certified encryption key the share key was sealed to. */
  clinicianKeyFingerprint: Uint8Array;
  scope: "records" | "all";
  permission: "read" | "contribute";
  /** Milliseconds since the epoch, or 0 for no end date. */
  expiresAt: number;
  /** The records listed (empty for "all"), in any order: they are sorted before signing. */
  recordIds: string[];
  /**
   * Digest of the record-key wraps sent with this statement (wrapsDigest): all of them when
   * the grant is made, the ones for added records when it is changed.
   */
  wrapsDigest: Uint8Array;
  /**
   * 1 for the grant as first made, one more at each change the patient signs. A clinician's
   * browser refuses a lower revision than it has seen, so an older statement cannot be replayed.
   * Left out means 1.
   */
  revision?: number;
}

const label = "hsc/v1/grant";

function revisionOf(statement: GrantStatement): number {
  const revision = statement.revision ?? 1;
  if (!Number.isSafeInteger(revision) || revision < 1) throw new CryptoError("invalid-argument");
  return revision;
}

// Revision 1 is signed over exactly the fields grants had before they could be changed, so
// those grants still verify; a changed grant appends its revision (a longer canonical list,
// so it can never be read as a first revision or the other way round).
const fields = (statement: GrantStatement) => {
  const revision = revisionOf(statement);
  return revision === 1 ? firstFields(statement) : [...firstFields(statement), revision];
};

const firstFields = (statement: GrantStatement) => [
  statement.grantId,
  statement.patientId,
  statement.clinicianId,
  statement.clinicianKeyFingerprint,
  statement.scope,
  statement.permission,
  statement.expiresAt,
  encodeCanonical("hsc/v1/grant-records", [...statement.recordIds].sort()),
  statement.wrapsDigest,
];

/**
 * A digest over (recordId, keyVersion, wrap) triples, independent of their order.
 * @returns 32 bytes (BLAKE2b-256)
 * @throws CryptoError("invalid-argument") for a key version that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function wrapsDigest(wraps: ReadonlyArray<{ recordId: string; keyVersion: number; wrappedKey: Uint8Array }>): Uint8Array {
  const sorted = [...wraps].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.keyVersion - b.keyVersion));
  return hashBytes(
    encodeCanonical(
      "hsc/v1/grant-wraps",
      sorted.flatMap((wrap) => [wrap.recordId, wrap.keyVersion, wrap.wrappedKey]),
    ),
  );
}

/**
 * The patient's Ed25519 signature (64 bytes) over canonical `hsc/v1/grant` [the statement's fields, and its revision when above 1].
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes; CryptoError("invalid-argument") for a revision that is not an integer of at least 1, or an expiry the canonical encoding cannot hold (not a non-negative safe integer); CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signGrant(statement: GrantStatement, patientIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), patientIdentitySecretKey);
}

/**
 * Checks the patient's signature over exactly this statement.
 * @throws CryptoError("authentication-failed") unless the key signed exactly this statement; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a public key that is not 32 bytes; CryptoError("invalid-argument") as signGrant; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyGrant(statement: GrantStatement, signature: Uint8Array, patientIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, patientIdentityPublicKey);
}

/**
 * The signed facts of a grant the server keeps no column for, stored beside the signature
 * so the clinician can rebuild the statement and verify it: the fingerprint of the key the
 * share key was sealed to, the wraps digest, and the listed record ids (empty for "all").
 */
export interface GrantStatementFacts {
  clinicianKeyFingerprint: Uint8Array;
  wrapsDigest: Uint8Array;
  recordIds: string[];
}

const factsLabel = "hsc/v1/grant-statement";

/**
 * Encodes the facts as canonical `hsc/v1/grant-statement` [fingerprint, wraps digest, record ids…].
 * @throws CryptoError "invalid-argument" for a field the canonical encoding cannot hold
 */
export function encodeGrantStatementFacts(facts: GrantStatementFacts): Uint8Array {
  return encodeCanonical(factsLabel, [facts.clinicianKeyFingerprint, facts.wrapsDigest, ...facts.recordIds]);
}

/**
 * Strict inverse of encodeGrantStatementFacts. Decoding proves nothing: verifyGrant over
 * the rebuilt statement does.
 * @throws CryptoError "malformed" for any other bytes (another label, a field of the wrong type)
 */
export function decodeGrantStatementFacts(bytes: Uint8Array): GrantStatementFacts {
  const { label, fields } = decodeCanonical(bytes);
  const [clinicianKeyFingerprint, digest, ...recordIds] = fields;
  if (
    label !== factsLabel ||
    !(clinicianKeyFingerprint instanceof Uint8Array) ||
    !(digest instanceof Uint8Array) ||
    !recordIds.every((id): id is string => typeof id === "string")
  ) {
    throw new CryptoError("malformed");
  }
  return { clinicianKeyFingerprint, wrapsDigest: digest, recordIds };
}
