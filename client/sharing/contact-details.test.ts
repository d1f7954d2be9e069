import { beforeAll, describe, expect, it } from "vitest";
import {
  cryptoReady,
  decryptPrivateBundle,
  encryptPrivateBundle,
  fromBase64url,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  keyFingerprint,
  safetyCode,
  shareCode,
  toBase64url,
  vaultKeyFromBytes,
} from "@/crypto";
import { routes } from "@/contract/routes";
import { decodeProfile, encodeProfile } from "../keystore/account-keys";
import type { UnlockedVault, VaultProfile } from "../keystore/vault-store";
import { fakeTransport } from "../transport/fake-transport";
import { nameContact, pinContact, type CertifiedKeys } from "./contacts";

const userId = "6f1c1b7e-0000-4000-8000-000000000001";
const contactId = "6f1c1b7e-0000-4000-8000-000000000002";

beforeAll(() => cryptoReady());

/** A vault and the vault routes over its one sealed bundle: returns the profile the server now holds (decrypted). */
function storedVault(profile: VaultProfile) {
  const vault: UnlockedVault = {
    status: "unlocked",
    userId,
    role: "patient",
    keys: {
      identitySecretKey: new Uint8Array(64),
      identityPublicKey: new Uint8Array(32),
      encryptionSecretKey: new Uint8Array(32),
      encryptionPublicKey: new Uint8Array(32),
      vaultKey: vaultKeyFromBytes(new Uint8Array(32).fill(7)),
    },
    profile,
  };
  let revision = 1;
  let sealed = encryptPrivateBundle(
    { identitySecretKey: new Uint8Array(64), encryptionSecretKey: new Uint8Array(32), extra: encodeProfile(profile) },
    vault.keys.vaultKey,
    { userId },
  );
  const transport = fakeTransport()
    .on(routes.vault.get, () => ({
      userId,
      role: "patient" as const,
      identityPublicKey: toBase64url(new Uint8Array(32)),
      certificate: toBase64url(new Uint8Array(100)),
      bundle: toBase64url(sealed),
      bundleRevision: revision,
      wraps: [],
    }))
    .on(routes.vault.putBundle, ({ body }) => {
      sealed = fromBase64url(body!.bundle);
      revision += 1;
      return { revision };
    });
  return { vault, transport, held: () => decodeProfile(decryptPrivateBundle(sealed, vault.keys.vaultKey, { userId }).extra) };
}

/** Certified keys for the contact, as certifiedFrom would give them (the certificate's fields that pinning reads). */
function keysOf(): CertifiedKeys {
  const identityPublicKey = generateIdentityKeyPair().publicKey;
  const encryptionPublicKey = generateEncryptionKeyPair().publicKey;
  return {
    userId: contactId,
    identityPublicKey,
    certificate: { encryptionPublicKey } as CertifiedKeys["certificate"],
    directory: null,
    safetyCode: safetyCode(identityPublicKey, contactId),
    shareCode: shareCode(identityPublicKey, contactId),
  } as CertifiedKeys;
}

describe("a contact's name and way to reach them, in the vault only", () => {
  it("are pinned with the keys, kept when the keys are pinned again, and replaced (trimmed, blanks dropped) when named", async () => {
    const { vault, transport, held } = storedVault({ displayName: "Pat", contacts: {} });
    const keys = keysOf();
    await pinContact(vault, keys, true, transport, { name: "  Ann Carter ", reach: "+44 161 496 0000" });
    expect(held().contacts?.[contactId]).toMatchObject({ name: "Ann Carter", reach: "+44 161 496 0000", verified: true });
    expect(held().contacts?.[contactId]?.encryptionKeyFingerprint).toBe(toBase64url(keyFingerprint(keys.certificate.encryptionPublicKey)));

    // Re-verifying the same person keeps what the patient calls them.
    await pinContact(vault, keys, true, transport);
    expect(held().contacts?.[contactId]).toMatchObject({ name: "Ann Carter", reach: "+44 161 496 0000" });

    await nameContact(vault, contactId, { name: "Ann Carter-Jones", reach: "  " }, transport);
    const pin = held().contacts?.[contactId];
    expect(pin?.name).toBe("Ann Carter-Jones");
    expect(pin && "reach" in pin).toBe(false);
    expect(pin?.identityPublicKey).toBe(toBase64url(keys.identityPublicKey));
  });

  it("cannot be given to someone not pinned", async () => {
    const { vault, transport } = storedVault({ displayName: "Pat", contacts: {} });
    await expect(nameContact(vault, contactId, { name: "Nobody" }, transport)).rejects.toThrow("Only a pinned contact can be named.");
  });
});
