import { cryptoReady, fromBase64url, signDirectoryVerification, toBase64url } from "@/crypto";
import { routes } from "@/contract/routes";
import type { AdminDirectoryEntry } from "@/contract/directory";
import { withFreshProof } from "../account/fresh-proof";
import type { UnlockedVault } from "../keystore/vault-store";
import { httpTransport, type Transport } from "../transport/api";

/** The clinicians' entries as an administrator's page lists them. @throws ApiError (403 for anyone but an administrator). */
export async function loadAdminDirectory(transport: Transport = httpTransport) {
  return transport.call(routes.directoryVerification.list, {});
}

/**
 * Signs, with the administrator's identity key (in this browser only), a verification or a
 * revocation of `entry` exactly as listed (name, specialty, organization, the clinician's
 * current identity key) and sends it; asks for a passkey tap when the server wants fresh proof.
 * @throws ApiError (409 when the entry changed meanwhile, 403 without fresh proof); FreshProofNotGivenError
 */
export async function signDirectoryStatement(
  vault: UnlockedVault,
  entry: AdminDirectoryEntry,
  statement: { action: "verify" | "revoke"; licenceNumber: string; adminName: string },
  transport: Transport = httpTransport,
): Promise<void> {
  await cryptoReady();
  const unsigned = {
    id: crypto.randomUUID(),
    action: statement.action,
    displayName: entry.displayName,
    specialty: entry.specialty,
    organization: entry.organization,
    licenceNumber: statement.action === "verify" ? statement.licenceNumber.trim() : "",
    adminName: statement.adminName.trim(),
    issuedAt: Date.now(),
  };
  const signature = signDirectoryVerification(
    {
      ...unsigned,
      statementId: unsigned.id,
      clinicianId: entry.userId,
      clinicianIdentityPublicKey: fromBase64url(entry.identityPublicKey),
      adminId: vault.userId,
    },
    vault.keys.identitySecretKey,
  );
  const body = { ...unsigned, signature: toBase64url(signature) };
  await withFreshProof(() => transport.call(routes.directoryVerification.record, { params: { id: entry.userId }, body }), transport);
}
