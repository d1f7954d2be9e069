import { fromBase64url, openPrivateBundle, sealPrivateBundle, toBase64url } from "@/crypto";
import { decodeProfile, encodeProfile } from "./account-keys";
import { api, ApiError } from "./api";
import { guardVault } from "./rollback-guard";
import type { VaultMaterial } from "./unlock";
import { useVault, type VaultProfile } from "./vault-store";

/**
 * Changes what the encrypted vault holds besides the keys (pinned contacts, the last audit
 * head seen): the private bundle is re-read, re-sealed with the change and replaced on the
 * server only if no other device changed it meanwhile; otherwise it is re-read and tried again.
 */
export async function updateVaultProfile(change: (profile: VaultProfile) => VaultProfile): Promise<VaultProfile> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const vault = useVault.getState().vault;
    if (vault.status !== "unlocked") throw new Error("The vault is locked.");
    const material = await api.get<VaultMaterial>("/api/me/vault");
    const bundle = openPrivateBundle(fromBase64url(material.bundle), vault.keys.vaultKey, { userId: vault.userId });
    const stored = decodeProfile(bundle.extra);
    // A rolled-back copy must not be edited and written back: that would make the loss permanent.
    guardVault(vault.userId, stored.sequence ?? 0);
    const profile = { ...change(stored), sequence: (stored.sequence ?? 0) + 1 };
    const sealed = sealPrivateBundle({ ...bundle, extra: encodeProfile(profile) }, vault.keys.vaultKey, { userId: vault.userId });
    bundle.identitySecretKey.fill(0);
    bundle.encryptionSecretKey.fill(0);
    try {
      await api.put("/api/me/vault/bundle", { bundle: toBase64url(sealed), revision: material.bundleRevision });
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) continue;
      throw caught;
    }
    guardVault(vault.userId, profile.sequence);
    const current = useVault.getState().vault;
    if (current.status === "unlocked") useVault.setState({ vault: { ...current, profile } });
    return profile;
  }
  throw new Error("Your vault kept changing on another device. Please try again.");
}
