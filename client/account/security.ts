import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
import {
  cryptoReady,
  deriveRecoverySigningKeyPair,
  encodeRecoveryKey,
  fromBase64url,
  generateRecoveryKey,
  safetyCode,
  signRecoveryKeyReplacement,
  toBase64url,
} from "@/crypto";
import { wrapForPasskey, wrapForRecoveryKey, wrapForThisDevice } from "../keystore/account-keys";
import type { StorageUsage } from "@/contract/me";
import { routes } from "@/contract/routes";
import { api, ApiError, httpTransport, type Transport } from "../transport/api";
import { createPasskey } from "./passkeys";
import { useVault } from "../keystore/vault-store";

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
/** Longest passkey name the server takes (lib/auth/schemas.ts). */
export const passkeyNameMaxLength = 64;

/** Renames one of the account's passkeys; returns the name as the person will see it. Throws ApiError. */
export async function renamePasskey(id: string, name: string): Promise<string> {
  await api.patch(`/api/me/passkeys/${encodeURIComponent(id)}`, { name });
  return name.normalize("NFC").trim();
}

/** Why a rename was refused, in words for the person (the server's reason for the name itself where it gave one). */
export function renameFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const field = error.fields.find((issue) => issue.path === "name");
    return field ? `The name ${field.message}.` : error.message;
  }
  return "The passkey could not be renamed. Please try again.";
}
export const removePasskey = (id: string) => api.delete(`/api/me/passkeys/${encodeURIComponent(id)}`);
export const listSessions = () => api.get<{ sessions: SessionSummary[] }>("/api/me/sessions");
export const signOutOtherSessions = () => api.post<{ ended: number }>("/api/me/sessions/end-others");

/**
 * Registers another passkey and wraps the unlocked vault key for it (or for this device).
 * Returns the id and the name the server gave it (its authenticator's model where known,
 * else this browser's description of it), for the person to keep or change.
 */
export async function addPasskey(): Promise<{ prf: boolean; id: string; name: string }> {
  const vault = unlockedVault();
  const { options } = await api.post<{ options: PublicKeyCredentialCreationOptionsJSON }>("/api/me/passkeys/options");
  const passkey = await createPasskey(options, vault.profile.displayName || "Health Safe Cloud account");
  const vaultWrap = passkey.prfOutput
    ? await wrapForPasskey(vault.userId, passkey.credentialId, passkey.prfOutput, vault.keys.vaultKey)
    : await wrapForThisDevice(vault.userId, vault.keys.vaultKey);
  passkey.prfOutput?.fill(0);
  const stored = await api.post<{ id: string; name: string }>("/api/me/passkeys", { name: passkey.description, credential: passkey.response, vaultWrap });
  return { prf: passkey.prfEnabled, ...stored };
}

/**
 * A new recovery key made in this browser and not yet sent: the text to show the person,
 * and what the server needs to swap it for the current key once they confirm they saved
 * it. Until then the server knows nothing of it, so closing the page leaves the current
 * key working.
 */
export interface PreparedRecoveryKey {
  recoveryKeyText: string;
  replacement: { previousRecoveryPublicKey: string; recoveryPublicKey: string; wrappedKey: string; signature: string };
}

/**
 * Makes a new recovery key with its vault-key wrap and signing public key, and signs the
 * replacement of the account's current key (named by its public key, so a key changed
 * meanwhile in another window makes the server refuse this one). Sends nothing but the
 * request for the current key's public half. Throws if the vault is locked or the API fails.
 */
export async function prepareRecoveryKeyReplacement(): Promise<PreparedRecoveryKey> {
  const vault = unlockedVault();
  const { recoveryPublicKey: previousRecoveryPublicKey } = await api.get<{ recoveryPublicKey: string }>("/api/me/recovery-key");
  await cryptoReady();
  const recoveryKey = generateRecoveryKey();
  const signing = deriveRecoverySigningKeyPair(recoveryKey);
  try {
    const { wrap, recoveryPublicKey } = wrapForRecoveryKey(vault.userId, recoveryKey, vault.keys.vaultKey);
    const signature = signRecoveryKeyReplacement(
      {
        userId: vault.userId,
        previousRecoveryPublicKey: fromBase64url(previousRecoveryPublicKey),
        recoveryPublicKey: fromBase64url(recoveryPublicKey),
        wrappedVaultKey: fromBase64url(wrap.wrappedKey),
        origin: window.location.origin,
      },
      signing.secretKey,
    );
    return {
      recoveryKeyText: encodeRecoveryKey(recoveryKey),
      replacement: { previousRecoveryPublicKey, recoveryPublicKey, wrappedKey: wrap.wrappedKey, signature: toBase64url(signature) },
    };
  } finally {
    signing.secretKey.fill(0);
    recoveryKey.fill(0);
  }
}

/**
 * Swaps the current recovery key for a prepared one, in one step on the server: from then
 * on only the new key recovers the account. Throws ApiError (conflict when the key was
 * changed elsewhere meanwhile); on any failure the current key still works.
 */
export async function commitRecoveryKeyReplacement(prepared: PreparedRecoveryKey): Promise<void> {
  await api.put("/api/me/recovery-key", prepared.replacement);
}

export function ownSafetyCode() {
  const vault = unlockedVault();
  return safetyCode(vault.keys.identityPublicKey, vault.userId);
}

/** The account's storage use and limits, in bytes (lib/blobs/storage-quota.ts). */
export type StorageSummary = StorageUsage;

export const myStorage = (transport: Transport = httpTransport) => transport.call(routes.security.storage, {});
