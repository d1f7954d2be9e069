import { encodeCanonical } from "./canonical";
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
  /** Digest of the record-key wraps the grant was created with (wrapsDigest). */
  wrapsDigest: Uint8Array;
}

const label = "hsc/v1/grant";

const fields = (statement: GrantStatement) => [
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

/** A digest over (recordId, keyVersion, wrap) triples, independent of their order. */
export function wrapsDigest(wraps: ReadonlyArray<{ recordId: string; keyVersion: number; wrappedKey: Uint8Array }>): Uint8Array {
  const sorted = [...wraps].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : a.keyVersion - b.keyVersion));
  return hashBytes(encodeCanonical("hsc/v1/grant-wraps", sorted.flatMap((wrap) => [wrap.recordId, wrap.keyVersion, wrap.wrappedKey])));
}

export function signGrant(statement: GrantStatement, patientIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), patientIdentitySecretKey);
}

export function verifyGrant(statement: GrantStatement, signature: Uint8Array, patientIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, patientIdentityPublicKey);
}
