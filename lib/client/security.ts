import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
import { encodeRecoveryKey, generateRecoveryKey, safetyCode } from "@/crypto";
import { wrapForPasskey, wrapForRecoveryKey, wrapForThisDevice } from "./account-keys";
import { api } from "./api";
import { createPasskey } from "./passkeys";
import { useVault } from "./vault-store";

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  prfCapable: boolean;
}

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

function unlockedVault() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

export const listPasskeys = () => api.get<{ passkeys: PasskeySummary[] }>("/api/me/passkeys");
export const renamePasskey = (id: string, name: string) => api.patch(`/api/me/passkeys/${encodeURIComponent(id)}`, { name });
export const removePasskey = (id: string) => api.delete(`/api/me/passkeys/${encodeURIComponent(id)}`);
export const listSessions = () => api.get<{ sessions: SessionSummary[] }>("/api/me/sessions");
export const signOutOtherSessions = () => api.post<{ ended: number }>("/api/me/sessions/end-others");

/** Registers another passkey and wraps the unlocked vault key for it (or for this device). */
export async function addPasskey(name: string): Promise<{ prf: boolean }> {
  const vault = unlockedVault();
  const { options } = await api.post<{ options: PublicKeyCredentialCreationOptionsJSON }>("/api/me/passkeys/options");
  const passkey = await createPasskey(options, vault.profile.displayName || "Health Safe Cloud account");
  const vaultWrap = passkey.prfOutput
    ? await wrapForPasskey(vault.userId, passkey.credentialId, passkey.prfOutput, vault.keys.vaultKey)
    : await wrapForThisDevice(vault.userId, vault.keys.vaultKey);
  passkey.prfOutput?.fill(0);
  await api.post("/api/me/passkeys", { name, credential: passkey.response, vaultWrap });
  return { prf: passkey.prfEnabled };
}

/** Makes a new recovery key; the old one stops working as soon as the server stores this. */
export async function regenerateRecoveryKey(): Promise<string> {
  const vault = unlockedVault();
  const recoveryKey = generateRecoveryKey();
  try {
    const { wrap, recoveryPublicKey } = wrapForRecoveryKey(vault.userId, recoveryKey, vault.keys.vaultKey);
    await api.put("/api/me/recovery-key", { recoveryPublicKey, wrappedKey: wrap.wrappedKey });
    return encodeRecoveryKey(recoveryKey);
  } finally {
    recoveryKey.fill(0);
  }
}

export function ownSafetyCode() {
  const vault = unlockedVault();
  return safetyCode(vault.keys.identityPublicKey, vault.userId);
}
