import { CryptoError } from "./errors";
import { assertKey } from "./envelope";
import { signCanonical, verifyCanonical } from "./signature";

/**
 * A deployment administrator's signed word about a clinician's directory entry: either that
 * they checked the clinician's licence or registry number ("verify"), or that they withdraw
 * such a check ("revoke"). Patients' browsers verify it under administrator keys they pinned;
 * the server only stores and serves it.
 *
 * The statement binds the clinician's identity key and the entry exactly as the patient sees
 * it (name, specialty, organization): if the server swaps the key or the clinician's entry
 * changes, the statement no longer verifies for that entry.
 */
export interface DirectoryVerificationStatement {
  action: "verify" | "revoke";
  /** A fresh id per statement (uuid), so two statements never sign the same bytes. */
  statementId: string;
  clinicianId: string;
  clinicianIdentityPublicKey: Uint8Array;
  displayName: string;
  specialty: string;
  organization: string;
  /** The licence or registry number the administrator checked ("" in a revocation). */
  licenceNumber: string;
  adminId: string;
  /** How the administrator names themself to patients ("A. Admin, registrar"). */
  adminName: string;
  /** Milliseconds since the Unix epoch. */
  issuedAt: number;
}

const labels = { verify: "hsc/v1/directory-verification", revoke: "hsc/v1/directory-verification-revocation" } as const;

function fields(statement: DirectoryVerificationStatement) {
  if (statement.action !== "verify" && statement.action !== "revoke") throw new CryptoError("invalid-argument");
  assertKey(statement.clinicianIdentityPublicKey);
  return [
    statement.statementId,
    statement.clinicianId,
    statement.clinicianIdentityPublicKey,
    statement.displayName,
    statement.specialty,
    statement.organization,
    statement.licenceNumber,
    statement.adminId,
    statement.adminName,
    statement.issuedAt,
  ];
}

/**
 * The administrator's Ed25519 signature (64 bytes) over canonical `hsc/v1/directory-verification`
 * (or `hsc/v1/directory-verification-revocation` for a revocation) [statementId, clinicianId,
 * clinician identity pk, displayName, specialty, organization, licenceNumber, adminId, adminName, issuedAt ms].
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes or a clinician key that is not 32; CryptoError("invalid-argument") for an unknown action or an issuedAt that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signDirectoryVerification(statement: DirectoryVerificationStatement, adminIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(labels[statement.action], fields(statement), adminIdentitySecretKey);
}

/**
 * Checks the administrator's signature over exactly this statement (a verification's
 * signature never verifies as a revocation, nor the other way round).
 * @throws CryptoError("authentication-failed") unless the key signed exactly this statement; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") as signDirectoryVerification; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyDirectoryVerification(statement: DirectoryVerificationStatement, signature: Uint8Array, adminIdentityPublicKey: Uint8Array): void {
  verifyCanonical(labels[statement.action], fields(statement), signature, adminIdentityPublicKey);
}
