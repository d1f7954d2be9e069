import { assertKey } from "./envelope";
import { signCanonical, verifyCanonical } from "./signature";

/**
 * A deployment administrator's signed word that an account administers an organization: the
 * first link of a care team's chain of trust (deployment administrator → organization
 * administrator → team key certificate). The administrator's browser signs it when they create
 * the organization and name its administrators; patients' browsers verify it under the
 * administrator keys they pinned, then the team key certificate under the organization
 * administrator's identity key it binds. The server only stores and serves it.
 */
export interface OrganizationAdminStatement {
  /** A fresh id per statement (uuid), so two statements never sign the same bytes. */
  statementId: string;
  organizationId: string;
  /** The organization's name as patients are shown it. */
  organizationName: string;
  /** The organization administrator's account id. */
  adminId: string;
  /** The organization administrator's Ed25519 identity public key (32 bytes). */
  adminIdentityPublicKey: Uint8Array;
  /** The deployment administrator who signs. */
  signerId: string;
  /** How the deployment administrator names themself to patients ("A. Admin, registrar"). */
  signerName: string;
  /** Milliseconds since the Unix epoch. */
  issuedAt: number;
}

const label = "hsc/v1/organization-admin";

function fields(statement: OrganizationAdminStatement) {
  assertKey(statement.adminIdentityPublicKey);
  return [
    statement.statementId,
    statement.organizationId,
    statement.organizationName,
    statement.adminId,
    statement.adminIdentityPublicKey,
    statement.signerId,
    statement.signerName,
    statement.issuedAt,
  ];
}

/**
 * The deployment administrator's Ed25519 signature (64 bytes) over canonical
 * `hsc/v1/organization-admin` [statementId, organizationId, organizationName, adminId,
 * admin identity pk, signerId, signerName, issuedAt ms].
 * @throws CryptoError("invalid-key") for a secret key that is not 64 bytes or an administrator key that is not 32; CryptoError("invalid-argument") for an issuedAt that is not a non-negative safe integer; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function signOrganizationAdmin(statement: OrganizationAdminStatement, signerIdentitySecretKey: Uint8Array): Uint8Array {
  return signCanonical(label, fields(statement), signerIdentitySecretKey);
}

/**
 * Checks the deployment administrator's signature over exactly this statement.
 * @throws CryptoError("authentication-failed") unless the key signed exactly this statement; CryptoError("malformed") for a signature that is not 64 bytes; CryptoError("invalid-key") for a key that is not 32 bytes; CryptoError("invalid-argument") as signOrganizationAdmin; CryptoError("not-ready") before cryptoReady() has resolved
 */
export function verifyOrganizationAdmin(statement: OrganizationAdminStatement, signature: Uint8Array, signerIdentityPublicKey: Uint8Array): void {
  verifyCanonical(label, fields(statement), signature, signerIdentityPublicKey);
}
