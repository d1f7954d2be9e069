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
import { passkeyNameSchema } from "@/contract/account";
import type { PasskeySummary, RecoveryKeyReplacement, SessionSummary, StorageUsage } from "@/contract/me";
import { routes } from "@/contract/routes";
import { ApiError, httpTransport, type Transport } from "../transport/api";
import { createPasskey } from "./passkeys";
import { withFreshProof } from "./fresh-proof";
import type { UnlockedVault } from "../keystore/vault-store";

export type { PasskeySummary, SessionSummary };
export { passkeyNameMaxLength } from "@/contract/account";

/** The account's passkeys, oldest first. @throws ApiError, IntegrityError("shape"). */
export const listPasskeys = (transport: Transport = httpTransport) => transport.call(routes.security.passkeys, {});

/** Renames one of the account's passkeys; returns the name as the person will see it (the contract's normal form). Throws ApiError. */
export async function renamePasskey(id: string, name: string, transport: Transport = httpTransport): Promise<string> {
  await transport.call(routes.security.renamePasskey, { params: { id }, body: { name } });
  return passkeyNameSchema.parse(name);
}

/** Why a rename was refused, in words for the person (the server's reason for the name itself where it gave one). */
export function renameFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const field = error.fields.find((issue) => issue.path === "name");
    return field ? `The name ${field.message}.` : error.message;
  }
  return "The passkey could not be renamed. Please try again.";
}
/** Removes one of the account's passkeys, asking for a passkey tap first when the server wants a fresh proof. Throws ApiError, FreshProofNotGivenError. */
export const removePasskey = (id: string, transport: Transport = httpTransport) =>
  withFreshProof(() => transport.call(routes.security.removePasskey, { params: { id } }), transport);
export const listSessions = (transport: Transport = httpTransport) => transport.call(routes.security.sessions, {});
export const signOutOtherSessions = (transport: Transport = httpTransport) => transport.call(routes.security.endOtherSessions, {});

/**
 * Registers another passkey and wraps the unlocked vault key for it (or for this device).
 * Returns the id and the name the server gave it (its authenticator's model where known,
 * else this browser's description of it), for the person to keep or change.
 */
export async function addPasskey(vault: UnlockedVault, transport: Transport = httpTransport): Promise<{ prf: boolean; id: string; name: string }> {
  const { options } = await transport.call(routes.security.addPasskeyOptions, {});
  const passkey = await createPasskey(options, vault.profile.displayName || "Health Safe Cloud account");
  const vaultWrap = passkey.prfOutput
    ? await wrapForPasskey(vault.userId, passkey.credentialId, passkey.prfOutput, vault.keys.vaultKey)
    : await wrapForThisDevice(vault.userId, vault.keys.vaultKey);
  passkey.prfOutput?.fill(0);
  const stored = await transport.call(routes.security.addPasskey, { body: { name: passkey.description, credential: passkey.response, vaultWrap } });
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
  replacement: RecoveryKeyReplacement;
}

/**
 * Makes a new recovery key with its vault-key wrap and signing public key, and signs the
 * replacement of the account's current key (named by its public key, so a key changed
 * meanwhile in another window makes the server refuse this one). Sends nothing but the
 * request for the current key's public half. Throws if the vault is locked or the API fails.
 */
export async function prepareRecoveryKeyReplacement(vault: UnlockedVault, transport: Transport = httpTransport): Promise<PreparedRecoveryKey> {
  const { recoveryPublicKey: previousRecoveryPublicKey } = await transport.call(routes.security.recoveryKey, {});
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
 * on only the new key recovers the account. Asks for a passkey tap first when the server wants a
 * fresh proof. Throws ApiError (conflict when the key was changed elsewhere meanwhile),
 * FreshProofNotGivenError; on any failure the current key still works.
 */
export async function commitRecoveryKeyReplacement(prepared: PreparedRecoveryKey, transport: Transport = httpTransport): Promise<void> {
  await withFreshProof(() => transport.call(routes.security.replaceRecoveryKey, { body: prepared.replacement }), transport);
}

/** This account's own safety code, to read out to the people it shares with. */
export function ownSafetyCode(vault: UnlockedVault) {
  return safetyCode(vault.keys.identityPublicKey, vault.userId);
}

/** The account's storage use and limits, in bytes (lib/blobs/storage-quota.ts). */
export type StorageSummary = StorageUsage;

export const myStorage = (transport: Transport = httpTransport) => transport.call(routes.security.storage, {});
