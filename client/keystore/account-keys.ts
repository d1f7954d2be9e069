import {
  cryptoReady,
  deriveKeyEncryptionKey,
  deriveRecoveryKeyEncryptionKey,
  deriveRecoverySigningKeyPair,
  encodeRecoveryKey,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  generateRecoveryKey,
  generateVaultKey,
  randomBytes,
  encryptPrivateBundle,
  signKeyCertificate,
  toBase64url,
  wrapVaultKey,
  type RecoveryKey,
  type VaultKey,
} from "@/crypto";
import type { NewPasskeyWrap, VaultWrap } from "@/contract/account";
import type { AccountKeys } from "@/contract/auth";
import type { DeviceWrap } from "@/contract/me";
import type { AccountRole } from "@/contract/common";
import { createDeviceKey, wrapWithDeviceKey } from "./device-key";
import type { PinnedContact, UnlockedKeys, VaultProfile } from "./vault-store";

export interface NewAccountKeys {
  /** What the server stores: public keys, a signed certificate and ciphertext only. */
  payload: AccountKeys;
  keys: UnlockedKeys;
  /** Shown to the person once; never sent. */
  recoveryKeyText: string;
}

export const vaultKekPurpose = "vault-key";

export function encodeProfile(profile: VaultProfile): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      v: 1,
      displayName: profile.displayName,
      contacts: profile.contacts ?? {},
      auditHead: profile.auditHead,
      shownNames: profile.shownNames,
      teamKeys: profile.teamKeys,
      sequence: profile.sequence ?? 0,
    }),
  );
}

const isPinnedContact = (value: unknown): value is PinnedContact => {
  const contact = value as Partial<PinnedContact> | null;
  return (
    typeof contact?.identityPublicKey === "string" &&
    typeof contact.encryptionKeyFingerprint === "string" &&
    typeof contact.verified === "boolean" &&
    typeof contact.pinnedAt === "string"
  );
};

/** A pin with its optional name and way to reach kept only where they are text. */
function withTextDetails(contact: PinnedContact): PinnedContact {
  const { name, reach, ...pin } = contact;
  return { ...pin, ...(typeof name === "string" && name ? { name } : {}), ...(typeof reach === "string" && reach ? { reach } : {}) };
}

const stringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(typeof value === "object" && value !== null ? value : {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );

export function decodeProfile(bytes: Uint8Array | undefined): VaultProfile {
  if (!bytes || bytes.length === 0) return { displayName: "", contacts: {} };
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as {
    displayName?: unknown;
    contacts?: unknown;
    auditHead?: unknown;
    shownNames?: unknown;
    teamKeys?: unknown;
    sequence?: unknown;
  };
  const contacts = Object.fromEntries(
    Object.entries(typeof parsed.contacts === "object" && parsed.contacts !== null ? parsed.contacts : {}).flatMap(([id, contact]: [string, unknown]) =>
      isPinnedContact(contact) ? [[id, withTextDetails(contact)]] : [],
    ),
  ) as Record<string, PinnedContact>;
  const head = parsed.auditHead as VaultProfile["auditHead"] | undefined;
  const auditHead =
    head && Number.isInteger(head.seq) && typeof head.hash === "string" && Number.isInteger(head.seenSeq)
      ? { seq: head.seq, hash: head.hash, seenSeq: head.seenSeq }
      : undefined;
  const sequence = Number.isSafeInteger(parsed.sequence) && (parsed.sequence as number) >= 0 ? (parsed.sequence as number) : 0;
  const shown = parsed.shownNames as { patients?: unknown; records?: unknown } | undefined;
  const shownNames = shown && typeof shown === "object" ? { patients: stringMap(shown.patients), records: stringMap(shown.records) } : undefined;
  const teamKeys = Object.fromEntries(
    Object.entries(typeof parsed.teamKeys === "object" && parsed.teamKeys !== null ? parsed.teamKeys : {}).flatMap(([id, value]: [string, unknown]) => {
      const fingerprints = Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
      return fingerprints.length > 0 ? [[id, fingerprints]] : [];
    }),
  ) as Record<string, string[]>;
  return {
    displayName: typeof parsed.displayName === "string" ? parsed.displayName : "",
    contacts,
    ...(auditHead ? { auditHead } : {}),
    ...(shownNames ? { shownNames } : {}),
    ...(Object.keys(teamKeys).length > 0 ? { teamKeys } : {}),
    sequence,
  };
}

/** Wraps the vault key under a passkey's PRF output (HKDF with a fresh per-credential salt). */
export async function wrapForPasskey(userId: string, credentialId: string, prfOutput: Uint8Array, vaultKey: VaultKey): Promise<NewPasskeyWrap> {
  const salt = randomBytes(32);
  const kek = await deriveKeyEncryptionKey(prfOutput, salt, vaultKekPurpose);
  const wrappedKey = wrapVaultKey(vaultKey, kek, { userId, methodId: credentialId });
  kek.fill(0);
  return { method: "prf", methodId: credentialId, salt: toBase64url(salt), wrappedKey: toBase64url(wrappedKey) };
}

/** Wraps the vault key under a new non-extractable key kept on this device. */
export async function wrapForThisDevice(userId: string, vaultKey: VaultKey): Promise<DeviceWrap> {
  const device = await createDeviceKey(userId);
  const { iv, wrapped } = await wrapWithDeviceKey(device, vaultKey);
  return { method: "device", methodId: device.deviceId, salt: toBase64url(iv), wrappedKey: toBase64url(wrapped) };
}

export function wrapForRecoveryKey(userId: string, recoveryKey: RecoveryKey, vaultKey: VaultKey) {
  const kek = deriveRecoveryKeyEncryptionKey(recoveryKey);
  const wrappedKey = wrapVaultKey(vaultKey, kek, { userId, methodId: "recovery" });
  kek.fill(0);
  const signing = deriveRecoverySigningKeyPair(recoveryKey);
  signing.secretKey.fill(0);
  return {
    wrap: { method: "recovery", methodId: "recovery", salt: "", wrappedKey: toBase64url(wrappedKey) } satisfies VaultWrap,
    recoveryPublicKey: toBase64url(signing.publicKey),
  };
}

/**
 * Creates everything a new account needs, in the browser: identity and encryption keys,
 * the certificate binding them, the vault key and the sealed private bundle, the vault
 * key's wraps (passkey PRF or this device, and the recovery key), and the recovery key.
 */
export async function createAccountKeys(input: {
  userId: string;
  role: AccountRole;
  credentialId: string;
  prfOutput: Uint8Array | null;
  profile: VaultProfile;
}): Promise<NewAccountKeys> {
  await cryptoReady();
  const identity = generateIdentityKeyPair();
  const encryption = generateEncryptionKeyPair();
  const certificate = signKeyCertificate(
    { userId: input.userId, role: input.role, encryptionPublicKey: encryption.publicKey, createdAt: Date.now() },
    identity.secretKey,
  );
  const vaultKey = generateVaultKey();
  const bundle = encryptPrivateBundle(
    { identitySecretKey: identity.secretKey, encryptionSecretKey: encryption.secretKey, extra: encodeProfile(input.profile) },
    vaultKey,
    { userId: input.userId },
  );
  const unlockWrap = input.prfOutput
    ? await wrapForPasskey(input.userId, input.credentialId, input.prfOutput, vaultKey)
    : await wrapForThisDevice(input.userId, vaultKey);
  const recoveryKey = generateRecoveryKey();
  const recovery = wrapForRecoveryKey(input.userId, recoveryKey, vaultKey);
  const recoveryKeyText = encodeRecoveryKey(recoveryKey);
  recoveryKey.fill(0);
  return {
    payload: {
      identityPublicKey: toBase64url(identity.publicKey),
      certificate: toBase64url(certificate),
      bundle: toBase64url(bundle),
      recoveryPublicKey: recovery.recoveryPublicKey,
      vaultWraps: [unlockWrap, recovery.wrap],
    },
    keys: {
      identitySecretKey: identity.secretKey,
      identityPublicKey: identity.publicKey,
      encryptionSecretKey: encryption.secretKey,
      encryptionPublicKey: encryption.publicKey,
      vaultKey,
    },
    recoveryKeyText,
  };
}
