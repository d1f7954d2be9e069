import { cryptoReady, equalBytes, fromBase64url, keyFingerprint, safetyCode, shareCode, toBase64url, verifyKeyCertificate } from "@/crypto";
import { api } from "../transport/api";
import { updateVaultProfile } from "../keystore/vault-profile";
import { unlockedVault, useVault, type PinnedContact } from "../keystore/vault-store";

export interface DirectoryEntry {
  userId: string;
  role: "doctor" | "nurse";
  displayName: string;
  specialty: string;
  organization: string;
  verified: boolean;
}

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

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

/** A user's certified keys and directory entry; a certificate that does not verify is never used. */
export async function certifiedKeys(userId: string) {
  await cryptoReady();
  const keys = await api.get<{ identityPublicKey: string; certificate: string; directory: DirectoryEntry | null }>(`/api/users/${userId}/keys`);
  const identityPublicKey = fromBase64url(keys.identityPublicKey);
  const certificate = verifyKeyCertificate(fromBase64url(keys.certificate), identityPublicKey, { userId });
  return {
    userId,
    identityPublicKey,
    certificate,
    directory: keys.directory,
    safetyCode: safetyCode(identityPublicKey, userId),
    shareCode: shareCode(identityPublicKey, userId),
  };
}

export type CertifiedKeys = Awaited<ReturnType<typeof certifiedKeys>>;

const pinOf = (keys: CertifiedKeys, verified: boolean): PinnedContact => ({
  identityPublicKey: toBase64url(keys.identityPublicKey),
  encryptionKeyFingerprint: toBase64url(keyFingerprint(keys.certificate.encryptionPublicKey)),
  verified,
  pinnedAt: new Date().toISOString(),
});

const samePin = (pin: PinnedContact, keys: CertifiedKeys) =>
  equalBytes(fromBase64url(pin.identityPublicKey), keys.identityPublicKey) &&
  equalBytes(fromBase64url(pin.encryptionKeyFingerprint), keyFingerprint(keys.certificate.encryptionPublicKey));

export const pinnedContact = (userId: string): PinnedContact | undefined => unlocked().profile.contacts?.[userId];

/**
 * A contact's certified keys, checked against the pin in the vault. Throws KeyChangedError
 * if the server now presents different keys for someone already pinned.
 */
export async function checkedContact(userId: string): Promise<CertifiedKeys & { pin: PinnedContact | undefined }> {
  const keys = await certifiedKeys(userId);
  const pin = pinnedContact(userId);
  if (pin && !samePin(pin, keys)) throw new KeyChangedError(userId, pin);
  return { ...keys, pin };
}

/** Pins (or re-pins, after the person re-verified) a contact's keys in the encrypted vault. */
export async function pinContact(keys: CertifiedKeys, verified: boolean): Promise<void> {
  await updateVaultProfile(unlockedVault(), (profile) => ({ ...profile, contacts: { ...profile.contacts, [keys.userId]: pinOf(keys, verified) } }));
}
