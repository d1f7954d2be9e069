import { fromBase64url, decryptPrivateBundle, encryptPrivateBundle, toBase64url } from "@/crypto";
import { decodeProfile, encodeProfile } from "./account-keys";
import { routes } from "@/contract/routes";
import { verified } from "../integrity";
import { ApiError, httpTransport, type Transport } from "../transport/api";
import { guardVault } from "./rollback-guard";
import { useVault, type ShownNames, type UnlockedVault, type VaultProfile } from "./vault-store";

/**
 * Changes what the encrypted vault holds besides the keys (pinned contacts, the last audit
 * head seen): the private bundle is re-read, re-sealed with the change and replaced on the
 * server only if no other device changed it meanwhile; otherwise it is re-read and tried again.
 * The open vault in this tab (if it is still `vault`'s) then holds the new profile.
 * @throws IntegrityError when the stored bundle does not decrypt or is a rollback; ApiError.
 */
export async function updateVaultProfile(
  vault: UnlockedVault,
  change: (profile: VaultProfile) => VaultProfile,
  transport: Transport = httpTransport,
): Promise<VaultProfile> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const material = await transport.call(routes.vault.get, {});
    const bundle = verified("decrypt", () => decryptPrivateBundle(fromBase64url(material.bundle), vault.keys.vaultKey, { userId: vault.userId }));
    const stored = decodeProfile(bundle.extra);
    // A rolled-back copy must not be edited and written back: that would make the loss permanent.
    guardVault(vault.userId, stored.sequence ?? 0);
    const profile = { ...change(stored), sequence: (stored.sequence ?? 0) + 1 };
    const sealed = encryptPrivateBundle({ ...bundle, extra: encodeProfile(profile) }, vault.keys.vaultKey, { userId: vault.userId });
    bundle.identitySecretKey.fill(0);
    bundle.encryptionSecretKey.fill(0);
    try {
      await transport.call(routes.vault.putBundle, { body: { bundle: toBase64url(sealed), revision: material.bundleRevision } });
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) continue;
      throw caught;
    }
    guardVault(vault.userId, profile.sequence);
    const current = useVault.getState().vault;
    if (current.status === "unlocked" && current.userId === vault.userId) useVault.setState({ vault: { ...current, profile } });
    return profile;
  }
  throw new Error("Your vault kept changing on another device. Please try again.");
}

/** How many names the vault keeps of each kind; the oldest go first (the vault has a size limit). */
const shownNamesLimit = { patients: 500, records: 1000 } as const;
const titleLength = 80;

/**
 * Remembers, in the clinician's encrypted vault, the names their browser has just shown them
 * (patients' revealed names, record titles by id), so their own access history can keep
 * naming them once the access ends. Rewrites the vault only when something is new or renamed.
 * @param shown patient id to revealed name, and record id to title, as shown on the page
 */
export async function rememberShownNames(
  vault: UnlockedVault,
  shown: { patients: Record<string, string>; records: Record<string, string> },
  transport: Transport = httpTransport,
): Promise<void> {
  const trimmed = {
    patients: Object.fromEntries(Object.entries(shown.patients).map(([id, name]) => [id, name.slice(0, titleLength)])),
    records: Object.fromEntries(Object.entries(shown.records).map(([id, title]) => [id, title.slice(0, titleLength)])),
  };
  const isNew = (known: ShownNames | undefined) =>
    (["patients", "records"] as const).some((kind) => Object.entries(trimmed[kind]).some(([id, name]) => known?.[kind][id] !== name));
  if (!isNew(vault.profile.shownNames)) return;
  const merge = (known: Record<string, string>, added: Record<string, string>, limit: number) => {
    // Re-inserted names move to the end, so the oldest-shown are the ones dropped.
    const entries = [...Object.entries(known).filter(([id]) => !(id in added)), ...Object.entries(added)];
    return Object.fromEntries(entries.slice(Math.max(0, entries.length - limit)));
  };
  await updateVaultProfile(
    vault,
    (profile) =>
      isNew(profile.shownNames)
        ? {
            ...profile,
            shownNames: {
              patients: merge(profile.shownNames?.patients ?? {}, trimmed.patients, shownNamesLimit.patients),
              records: merge(profile.shownNames?.records ?? {}, trimmed.records, shownNamesLimit.records),
            },
          }
        : profile,
    transport,
  );
}
