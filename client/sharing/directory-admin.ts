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

/** A licence or registry number as registers compare them: case, spaces, dots and dashes do not matter ("gmc 765-4321" is "GMC7654321"). */
export const licenceKey = (number: string): string =>
  number
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s.\-/]/g, "");

/** A display name as people confuse them: case and spacing do not matter. */
const nameKey = (name: string): string => name.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

/** How many listed entries carry each entry's name (by `nameKey`), by user id: more than 1 is a namesake to tell apart. */
export function namesakeCounts(entries: readonly AdminDirectoryEntry[]): Map<string, number> {
  const byName = new Map<string, number>();
  for (const entry of entries) byName.set(nameKey(entry.displayName), (byName.get(nameKey(entry.displayName)) ?? 0) + 1);
  return new Map(entries.map((entry) => [entry.userId, byName.get(nameKey(entry.displayName))!]));
}

/**
 * The other entries whose current verification names `licenceNumber` (by `licenceKey`): an
 * administrator about to verify a second account under one number is most likely verifying
 * an impostor who copied the real clinician's name and number.
 */
export function verifiedElsewhere(entries: readonly AdminDirectoryEntry[], userId: string, licenceNumber: string): AdminDirectoryEntry[] {
  const key = licenceKey(licenceNumber);
  if (key === "") return [];
  return entries.filter((other) => other.userId !== userId && other.verification?.action === "verify" && licenceKey(other.verification.licenceNumber) === key);
}

/** The short form of an account id an administrator can tell entries apart by (its first 8 hex digits). */
export const shortAccountId = (userId: string): string => userId.slice(0, 8);
