import { cryptoReady, equalBytes, fromBase64url, keyFingerprint, safetyCode, shareCode, toBase64url, verifyKeyCertificate } from "@/crypto";
import { routes } from "@/contract/routes";
import type { DirectoryEntry, PublishedKeys } from "@/contract/sharing";
import { verified } from "../integrity";
import type { Transport } from "../transport/api";
import { updateVaultProfile } from "../keystore/vault-profile";
import type { PinnedContact, UnlockedVault } from "../keystore/vault-store";

export type { DirectoryEntry };

/** The server presented keys for a pinned contact that differ from the ones pinned: sharing with them stops. */
export class KeyChangedError extends Error {
  override readonly name = "KeyChangedError";
  constructor(
    readonly userId: string,
    readonly pinned: PinnedContact,
  ) {
    super("This contact's keys changed since you first shared with them.");
  }
}

/**
 * A user's certified keys and directory entry; a certificate that does not verify is never used.
 * @throws IntegrityError("signature") when the certificate does not verify under the served identity key
 *   (or "shape"/"wrong-key" for bytes that are not a certificate or a key); ApiError from the request.
 */
export async function certifiedKeys(userId: string, transport: Transport) {
  await cryptoReady();
  return certifiedFrom(await transport.call(routes.directory.userKeys, { params: { id: userId } }), userId);
}

/**
 * Published keys as served, once the certificate verifies under the served identity key for `userId`.
 * @throws IntegrityError("signature") when it does not (or "shape"/"wrong-key" for bytes that are not a certificate or a key)
 */
export function certifiedFrom(keys: PublishedKeys, userId: string) {
  const identityPublicKey = fromBase64url(keys.identityPublicKey);
  const certificate = verified("signature", () => verifyKeyCertificate(fromBase64url(keys.certificate), identityPublicKey, { userId }));
  return {
    userId,
    identityPublicKey,
    certificate,
    directory: keys.directory,
    safetyCode: safetyCode(identityPublicKey, userId),
    shareCode: shareCode(identityPublicKey, userId),
  };
}

export type CertifiedKeys = ReturnType<typeof certifiedFrom>;

const pinOf = (keys: CertifiedKeys, verified: boolean): PinnedContact => ({
  identityPublicKey: toBase64url(keys.identityPublicKey),
  encryptionKeyFingerprint: toBase64url(keyFingerprint(keys.certificate.encryptionPublicKey)),
  verified,
  pinnedAt: new Date().toISOString(),
});

/** Whether certified keys are the ones pinned: the same identity key and the same encryption key (by fingerprint). */
export const samePin = (pin: PinnedContact, keys: CertifiedKeys) =>
  equalBytes(fromBase64url(pin.identityPublicKey), keys.identityPublicKey) &&
  equalBytes(fromBase64url(pin.encryptionKeyFingerprint), keyFingerprint(keys.certificate.encryptionPublicKey));

/** The keys pinned in the vault for a contact, if any. */
export const pinnedContact = (userId: string, vault: UnlockedVault): PinnedContact | undefined => vault.profile.contacts?.[userId];

/**
 * A contact's certified keys, checked against the pin in the vault.
 * @throws KeyChangedError if the server now presents different keys for someone already pinned;
 *   what `certifiedKeys` throws.
 */
export async function checkedContact(userId: string, vault: UnlockedVault, transport: Transport): Promise<CertifiedKeys & { pin: PinnedContact | undefined }> {
  return checkedAgainstPin(await certifiedKeys(userId, transport), vault);
}

/**
 * Certified keys checked against the pin in the vault.
 * @throws KeyChangedError if they differ from the keys pinned for that person
 */
export function checkedAgainstPin(keys: CertifiedKeys, vault: UnlockedVault): CertifiedKeys & { pin: PinnedContact | undefined } {
  const userId = keys.userId;
  const pin = pinnedContact(userId, vault);
  if (pin && !samePin(pin, keys)) throw new KeyChangedError(userId, pin);
  return { ...keys, pin };
}

/** What a person calls a contact and how to reach them, kept inside the vault's pin (the server never sees them). */
export interface ContactDetails {
  name?: string;
  reach?: string;
}

/** The most characters of a contact's name and of how to reach them. */
export const contactDetailLimits = { name: 200, reach: 200 } as const;

/** Details trimmed, cut to their limits, and left out when blank. */
function tidyDetails(details: ContactDetails): ContactDetails {
  const name = details.name?.trim().slice(0, contactDetailLimits.name);
  const reach = details.reach?.trim().slice(0, contactDetailLimits.reach);
  return { ...(name ? { name } : {}), ...(reach ? { reach } : {}) };
}

/**
 * Pins (or re-pins, after the person re-verified) a contact's keys in the encrypted vault. The
 * name and way to reach them already pinned are kept; `details`, when given, replace them.
 */
export async function pinContact(vault: UnlockedVault, keys: CertifiedKeys, verified: boolean, transport?: Transport, details?: ContactDetails): Promise<void> {
  await updateVaultProfile(
    vault,
    (profile) => {
      const before = profile.contacts?.[keys.userId];
      const kept = details ? tidyDetails(details) : { ...(before?.name ? { name: before.name } : {}), ...(before?.reach ? { reach: before.reach } : {}) };
      return { ...profile, contacts: { ...profile.contacts, [keys.userId]: { ...pinOf(keys, verified), ...kept } } };
    },
    transport,
  );
}

/**
 * Replaces the name and way to reach a pinned contact, in the encrypted vault; the keys pinned stay as they are.
 * @throws Error when the contact is not pinned (a programming error: only pinned contacts are listed to name); what updateVaultProfile throws
 */
export async function nameContact(vault: UnlockedVault, userId: string, details: ContactDetails, transport?: Transport): Promise<void> {
  await updateVaultProfile(
    vault,
    (profile) => {
      const pin = profile.contacts?.[userId];
      if (!pin) throw new Error("Only a pinned contact can be named.");
      const { name: _name, reach: _reach, ...keysOnly } = pin;
      return { ...profile, contacts: { ...profile.contacts, [userId]: { ...keysOnly, ...tidyDetails(details) } } };
    },
    transport,
  );
}
