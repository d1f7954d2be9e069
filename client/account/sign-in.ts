import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { decodeRecoveryKey } from "@/crypto";
import { wrapForThisDevice } from "../keystore/account-keys";
import { api } from "../transport/api";
import { getPasskeyAssertion } from "./passkeys";
import { openVault, type UnlockSecret, type VaultMaterial } from "../keystore/unlock";
import { useVault } from "../keystore/vault-store";

export type UnlockOutcome = "unlocked" | "needs-recovery-key";

async function unlockWith(material: VaultMaterial, secrets: UnlockSecret[]): Promise<UnlockOutcome> {
  for (const secret of secrets) {
    const opened = await openVault(material, secret);
    if (opened) {
      useVault.getState().unlock({ status: "unlocked", userId: material.userId, role: material.role, ...opened });
      return "unlocked";
    }
  }
  return "needs-recovery-key";
}

/** Usernameless passkey sign-in, then the vault unlocks by PRF or this device's key when it can. */
export async function signIn({ autofill = false, onAsserted }: { autofill?: boolean; onAsserted?: () => void } = {}): Promise<UnlockOutcome> {
  const options = await api.post<PublicKeyCredentialRequestOptionsJSON>("/api/auth/sign-in/options");
  const assertion = await getPasskeyAssertion(options, { autofill });
  onAsserted?.();
  await api.post("/api/auth/sign-in/verify", { credential: assertion.response });
  const material = await api.get<VaultMaterial>("/api/me/vault");
  const secrets: UnlockSecret[] = [];
  if (assertion.prfOutput) secrets.push({ kind: "prf", credentialId: assertion.credentialId, prfOutput: assertion.prfOutput });
  secrets.push({ kind: "device" });
  try {
    return await unlockWith(material, secrets);
  } finally {
    assertion.prfOutput?.fill(0);
  }
}

/** For a signed-in page whose vault is locked (a reload): this device's key, if it has one. */
export async function unlockOnThisDevice(): Promise<UnlockOutcome> {
  const material = await api.get<VaultMaterial>("/api/me/vault");
  return unlockWith(material, [{ kind: "device" }]);
}

/**
 * Unlocks with the recovery key typed by the person, then remembers this device (a new
 * device-key wrap) so the next sign-in here needs no recovery key.
 */
export async function unlockWithRecoveryKey(recoveryKeyText: string): Promise<void> {
  const recoveryKey = decodeRecoveryKey(recoveryKeyText);
  const material = await api.get<VaultMaterial>("/api/me/vault");
  try {
    const outcome = await unlockWith(material, [{ kind: "recovery", recoveryKey }]);
    if (outcome !== "unlocked") throw new Error("no recovery wrap");
  } finally {
    recoveryKey.fill(0);
  }
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") return;
  const wrap = await wrapForThisDevice(vault.userId, vault.keys.vaultKey);
  await api.post("/api/me/vault/device-wraps", wrap);
}

/** Ends the session on the server and wipes every key from memory. */
export async function signOut(): Promise<void> {
  useVault.getState().lock("signed-out");
  await api.post("/api/auth/sign-out");
}
