import {
  isCryptoError,
  cryptoReady,
  deriveKeyEncryptionKey,
  deriveRecoveryKeyEncryptionKey,
  fromBase64url,
  decryptPrivateBundle,
  unwrapVaultKey,
  verifyKeyCertificate,
  type RecoveryKey,
  type VaultKey,
} from "@/crypto";
import { decodeProfile, vaultKekPurpose } from "./account-keys";
import { loadDeviceKey, unwrapWithDeviceKey } from "./device-key";
import { guardVault } from "./rollback-guard";
import type { UnlockedKeys, VaultProfile } from "./vault-store";
import type { VaultMaterial } from "@/contract/account";
import { IntegrityError, verified } from "../integrity";

export type UnlockSecret = { kind: "prf"; credentialId: string; prfOutput: Uint8Array } | { kind: "device" } | { kind: "recovery"; recoveryKey: RecoveryKey };

/** A recovery key that does not open this vault's recovery wrap (a key of another account, or an old one). */
export class RecoveryKeyRefusedError extends Error {
  override readonly name = "RecoveryKeyRefusedError";
  constructor() {
    super("That recovery key does not unlock this account. Check it and try again.");
  }
}

/** A wrap this secret cannot open: libsodium's refusal, or Web Crypto's for a device-key wrap. */
const isWrongSecret = (error: unknown) =>
  (isCryptoError(error) && (error.code === "authentication-failed" || error.code === "malformed" || error.code === "truncated")) ||
  (error instanceof DOMException && error.name === "OperationError");

/**
 * A PRF output or device key that does not open its wrap (a passkey synced to a platform
 * with a different PRF, a browser profile reset) just means "not this way": the caller
 * tries the next method. Only the recovery key's failure is reported as such.
 */
async function vaultKeyFrom(material: VaultMaterial, secret: UnlockSecret): Promise<VaultKey | null> {
  if (secret.kind === "recovery") return recoveryVaultKey(material, secret.recoveryKey);
  try {
    return await passkeyOrDeviceVaultKey(material, secret);
  } catch (error) {
    if (isWrongSecret(error)) return null;
    throw error;
  }
}

async function passkeyOrDeviceVaultKey(material: VaultMaterial, secret: Exclude<UnlockSecret, { kind: "recovery" }>) {
  if (secret.kind === "prf") {
    const wrap = material.wraps.find((candidate) => candidate.method === "prf" && candidate.methodId === secret.credentialId);
    if (!wrap) return null;
    const kek = await deriveKeyEncryptionKey(secret.prfOutput, fromBase64url(wrap.salt), vaultKekPurpose);
    try {
      return unwrapVaultKey(fromBase64url(wrap.wrappedKey), kek, { userId: material.userId, methodId: wrap.methodId });
    } finally {
      kek.fill(0);
    }
  }
  const device = await loadDeviceKey(material.userId);
  const wrap = device && material.wraps.find((candidate) => candidate.method === "device" && candidate.methodId === device.deviceId);
  if (!device || !wrap) return null;
  return unwrapWithDeviceKey(device, fromBase64url(wrap.salt), fromBase64url(wrap.wrappedKey));
}

function recoveryVaultKey(material: VaultMaterial, recoveryKey: RecoveryKey): VaultKey | null {
  const wrap = material.wraps.find((candidate) => candidate.method === "recovery");
  if (!wrap) return null;
  const kek = deriveRecoveryKeyEncryptionKey(recoveryKey);
  try {
    return unwrapVaultKey(fromBase64url(wrap.wrappedKey), kek, { userId: material.userId, methodId: "recovery" });
  } catch (error) {
    // The person's key or the server's wrap: the browser cannot tell, and says the key does not unlock.
    if (isWrongSecret(error)) throw new RecoveryKeyRefusedError();
    throw error;
  } finally {
    kek.fill(0);
  }
}

/**
 * Opens the vault with one unlock secret. Returns null when this secret cannot open it
 * here (so the caller can try the next method).
 * @throws RecoveryKeyRefusedError when the recovery key does not open its wrap;
 *   IntegrityError when the bundle does not decrypt ("decrypt"), holds another identity
 *   ("wrong-key") or the certificate does not verify ("signature"), or is a rollback.
 */
export async function openVault(material: VaultMaterial, secret: UnlockSecret): Promise<{ keys: UnlockedKeys; profile: VaultProfile } | null> {
  await cryptoReady();
  const vaultKey = await vaultKeyFrom(material, secret);
  if (!vaultKey) return null;
  const bundle = verified("decrypt", () => decryptPrivateBundle(fromBase64url(material.bundle), vaultKey, { userId: material.userId }));
  const identityPublicKey = fromBase64url(material.identityPublicKey);
  // An Ed25519 secret key carries its public half: it must be the identity the server named.
  const ownIdentity = bundle.identitySecretKey.slice(32);
  if (ownIdentity.length !== identityPublicKey.length || !ownIdentity.every((byte, index) => byte === identityPublicKey[index])) {
    bundle.identitySecretKey.fill(0);
    bundle.encryptionSecretKey.fill(0);
    vaultKey.fill(0);
    throw new IntegrityError("wrong-key");
  }
  const certificate = verified("signature", () => verifyKeyCertificate(fromBase64url(material.certificate), identityPublicKey, { userId: material.userId }));
  const profile = decodeProfile(bundle.extra);
  try {
    guardVault(material.userId, profile.sequence ?? 0);
  } catch (caught) {
    bundle.identitySecretKey.fill(0);
    bundle.encryptionSecretKey.fill(0);
    vaultKey.fill(0);
    throw caught;
  }
  return {
    keys: {
      identitySecretKey: bundle.identitySecretKey,
      identityPublicKey,
      encryptionSecretKey: bundle.encryptionSecretKey,
      encryptionPublicKey: certificate.encryptionPublicKey,
      vaultKey,
    },
    profile,
  };
}
