import { encodeCanonical } from "./canonical";
import { CryptoError } from "./errors";
import { signCanonical, verifyCanonical } from "./signature";

/**
 * The patient's signed statement of an emergency contact: a grant with a gate. Signed under its
 * own label (`hsc/v1/emergency-grant`), so it can never verify as an ordinary grant statement
 * (`hsc/v1/grant`) nor the other way round: a server cannot pass an emergency grant off as an
 * ordinary share (which has no wait), and a contact's browser knows the keys it opens were
 * prepared for an emergency. The record-key wraps under its share key name its grant id like
 * any grant's (crypto/record-key-wrap.ts), and that grant id is bound here to this kind.
 */
export interface EmergencyStatement {
  grantId: string;
  patientId: string;
  contactId: string;
  /** BLAKE2b fingerprint of the contact's certified encryption key the share key was sealed to. */
  contactKeyFingerprint: Uint8Array;
  /** The wait the patient chose, in seconds (0 for none); the server may scale it for tests, the statement keeps the choice. */
  waitSeconds: number;
  /** The records of the emergency set, in any order: sorted before signing. */
  recordIds: string[];
  /** wrapsDigest (crypto/grant-statement.ts) of the wraps sent with this revision. */
  wrapsDigest: Uint8Array;
  /** 1 when named, one more at each change the patient signs (records joining the set). */
  revision: number;
}

const label = "hsc/v1/emergency-grant";

const fields = (statement: EmergencyStatement) => {
  if (!Number.isSafeInteger(statement.revision) || statement.revision < 1) throw new CryptoError("invalid-argument");
  return [
    statement.grantId,
    statement.patientId,
    statement.contactId,
    statement.contactKeyFingerprint,
    statement.waitSeconds,
    encodeCanonical("hsc/v1/emergency-records", [...statement.recordIds].sort()),
    statement.wrapsDigest,
    statement.revision,
  ];
};

/**
 * The patient's Ed25519 signature (64 bytes) over canonical `hsc/v1/emergency-grant` [grant id,
 * patient id, contact id, key fingerprint, wait seconds, sorted record ids, wraps digest, revision].
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes; CryptoError("invalid-argument") for a revision below 1 or a wait that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signEmergencyGrant(statement: EmergencyStatement, patientIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), patientIdentitySecretKey);
}

/**
 * Checks the patient's signature over exactly this emergency statement.
 * @throws CryptoError("authentication-failed") unless the key signed exactly this statement (an ordinary grant's signature never verifies here); CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a public key that is not 32 bytes; CryptoError("invalid-argument") as signEmergencyGrant; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyEmergencyGrant(statement: EmergencyStatement, signature: Uint8Array, patientIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, patientIdentityPublicKey);
}
