import { cryptoReady, fromBase64url, isCryptoError, keyFingerprint, toBase64url, verifyDirectoryVerification, verifyKeyCertificate } from "@/crypto";
import { routes } from "@/contract/routes";
import type { DirectoryStatement } from "@/contract/directory";
import type { DirectoryEntry } from "@/contract/sharing";
import { updateVaultProfile } from "../keystore/vault-profile";
import type { PinnedContact, UnlockedVault } from "../keystore/vault-store";
import type { Transport } from "../transport/api";

/**
 * Verified directory entries, checked in the browser. The deployment publishes its
 * administrators' certified identity keys; the browser pins each the first time it sees it,
 * like any contact, and from then on trusts only the pinned key for that administrator. An
 * entry is "verified" only when its latest statement verifies under a pinned administrator
 * key, over this clinician's identity key and the entry exactly as shown. The server's own
 * `verified` flag is never trusted.
 */

/** What the patient is told about an entry. `reason` says why a statement was not accepted. */
export type EntryVerification =
  | { state: "verified"; licenceNumber: string; adminName: string; issuedAt: number }
  | { state: "revoked"; adminName: string; issuedAt: number }
  | { state: "unverified" }
  | { state: "not-verified"; reason: string };

/** The administrator keys this browser trusts: administrator id to Ed25519 public key. */
export type TrustedAdmins = ReadonlyMap<string, Uint8Array>;

const pinnedAdmins = (vault: UnlockedVault) => Object.entries(vault.profile.contacts ?? {}).filter(([, pin]) => pin.role === "admin");

/**
 * The administrator keys to check statements against: those pinned in the vault, plus any
 * the deployment now publishes for the first time (pinned now). A published key whose
 * certificate does not verify, whose role is not "admin", or that differs from the key pinned
 * for that administrator is not trusted (an administrator the server stops listing stays
 * trusted under the key pinned).
 * @throws ApiError from the request; IntegrityError when the vault cannot be rewritten safely.
 */
export async function trustedAdmins(vault: UnlockedVault, transport: Transport): Promise<TrustedAdmins> {
  await cryptoReady();
  const { admins } = await transport.call(routes.directoryVerification.admins, {});
  const trusted = new Map(pinnedAdmins(vault).map(([userId, pin]) => [userId, fromBase64url(pin.identityPublicKey)]));
  const newPins: Record<string, PinnedContact> = {};
  for (const admin of admins) {
    if (trusted.has(admin.userId) || vault.profile.contacts?.[admin.userId]) continue;
    try {
      const identityPublicKey = fromBase64url(admin.identityPublicKey);
      const certificate = verifyKeyCertificate(fromBase64url(admin.certificate), identityPublicKey, { userId: admin.userId });
      if (certificate.role !== "admin") continue;
      newPins[admin.userId] = {
        identityPublicKey: admin.identityPublicKey,
        encryptionKeyFingerprint: toBase64url(keyFingerprint(certificate.encryptionPublicKey)),
        verified: false,
        pinnedAt: new Date().toISOString(),
        role: "admin",
      };
      trusted.set(admin.userId, identityPublicKey);
    } catch (error) {
      // A published key that is not a certified administrator key is simply not trusted.
      if (!isCryptoError(error)) throw error;
    }
  }
  if (Object.keys(newPins).length > 0) {
    await updateVaultProfile(vault, (profile) => ({ ...profile, contacts: { ...newPins, ...profile.contacts } }), transport);
  }
  return trusted;
}

/**
 * Checks an entry's latest statement (does not throw: every failure is a `not-verified` with why).
 * @param clinicianIdentityPublicKey the key the browser will share to (from the certified keys, checked against the pin), not one the search served
 */
export function checkEntryVerification(
  entry: Pick<DirectoryEntry, "userId" | "displayName" | "specialty" | "organization" | "verification">,
  clinicianIdentityPublicKey: Uint8Array,
  admins: TrustedAdmins,
): EntryVerification {
  const statement: DirectoryStatement | null = entry.verification;
  if (!statement) return { state: "unverified" };
  const adminKey = admins.get(statement.adminId);
  if (!adminKey) return { state: "not-verified", reason: "it is signed by a key that is not one of this deployment's administrator keys your browser trusts" };
  try {
    verifyDirectoryVerification(
      {
        action: statement.action,
        statementId: statement.id,
        clinicianId: entry.userId,
        clinicianIdentityPublicKey,
        displayName: entry.displayName,
        specialty: entry.specialty,
        organization: entry.organization,
        licenceNumber: statement.licenceNumber,
        adminId: statement.adminId,
        adminName: statement.adminName,
        issuedAt: statement.issuedAt,
      },
      fromBase64url(statement.signature),
      adminKey,
    );
  } catch (error) {
    if (!isCryptoError(error)) throw error;
    return {
      state: "not-verified",
      reason: "its signature does not match this entry: it was altered, or the entry or the clinician's key changed since it was verified",
    };
  }
  return statement.action === "verify"
    ? { state: "verified", licenceNumber: statement.licenceNumber, adminName: statement.adminName, issuedAt: statement.issuedAt }
    : { state: "revoked", adminName: statement.adminName, issuedAt: statement.issuedAt };
}

/** Folds a name for comparison: case, spacing, accents and look-alike forms (NFKC) do not tell two names apart. */
const foldedName = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/** How many of `entries` share each entry's name (folded), by user id: 1 for a name nobody else has. Does not throw. */
export function sameNameCounts(entries: ReadonlyArray<Pick<DirectoryEntry, "userId" | "displayName">>): Map<string, number> {
  const byName = new Map<string, number>();
  for (const entry of entries) byName.set(foldedName(entry.displayName), (byName.get(foldedName(entry.displayName)) ?? 0) + 1);
  return new Map(entries.map((entry) => [entry.userId, byName.get(foldedName(entry.displayName)) ?? 1]));
}
