import { beforeAll, describe, expect, it } from "vitest";
import {
  cryptoReady,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  generateVaultKey,
  maxPrivateBundleBytes,
  decryptPrivateBundle,
  encryptPrivateBundle,
} from "@/crypto";
import { decodeProfile, encodeProfile } from "./account-keys";
import type { PinnedContact, VaultProfile } from "./vault-store";

beforeAll(cryptoReady);

const userId = "0b6f1d7e-4c1a-4b8e-9a51-6f2d3c4b5a69";
const uuid = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
const contact = (): PinnedContact => ({
  identityPublicKey: "A".repeat(43),
  encryptionKeyFingerprint: "B".repeat(43),
  verified: true,
  pinnedAt: new Date(Date.UTC(2026, 10, 29, 12)).toISOString(),
});

/** The sealed vault a browser stores for this profile, as sign-up and every vault rewrite make it. */
function sealedVault(profile: VaultProfile): Uint8Array {
  const keys = { identitySecretKey: generateIdentityKeyPair().secretKey, encryptionSecretKey: generateEncryptionKeyPair().secretKey };
  return encryptPrivateBundle({ ...keys, extra: encodeProfile(profile) }, generateVaultKey(), { userId });
}

describe("the sealed vault's size", () => {
  it("is the same for a short and a long name, and for none or three pinned clinicians", () => {
    const contacts = Object.fromEntries([1, 2, 3].map((index) => [uuid(index), contact()]));
    const vaults = [
      { displayName: "Al", contacts: {}, sequence: 1 },
      { displayName: "Maximiliane Anneliese Theodora von Habsburg-Lothringen-Wittelsbach", contacts: {}, sequence: 1 },
      { displayName: "Al", contacts, sequence: 7 },
      {
        displayName: "Maximiliane Anneliese Theodora von Habsburg-Lothringen-Wittelsbach",
        contacts,
        auditHead: { seq: 120, hash: "C".repeat(43), seenSeq: 120 },
        sequence: 42,
      },
    ].map(sealedVault);
    expect(new Set(vaults.map((vault) => vault.length))).toEqual(new Set([4096 + 42]));
  });

  it("keeps a clinician's remembered names at their limits within the largest bucket", () => {
    const name = "N".repeat(80);
    const profile: VaultProfile = {
      displayName: "Dr Example",
      contacts: {},
      shownNames: {
        patients: Object.fromEntries(Array.from({ length: 500 }, (_, index) => [uuid(index), name])),
        records: Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [uuid(10_000 + index), name])),
      },
      sequence: 1,
    };
    const vault = sealedVault(profile);
    expect(vault.length).toBeLessThanOrEqual(maxPrivateBundleBytes);
  });

  it("round-trips the profile through the padded vault", () => {
    const keys = { identitySecretKey: generateIdentityKeyPair().secretKey, encryptionSecretKey: generateEncryptionKeyPair().secretKey };
    const vaultKey = generateVaultKey();
    const profile = { displayName: "Ana", contacts: { [uuid(1)]: contact() }, teamKeys: { [uuid(2)]: ["a-team-key-fingerprint"] }, sequence: 3 };
    const opened = decryptPrivateBundle(encryptPrivateBundle({ ...keys, extra: encodeProfile(profile) }, vaultKey, { userId }), vaultKey, { userId });
    expect(decodeProfile(opened.extra)).toEqual(profile);
  });

  it("keeps a pinned contact's name and way to reach them only where they are text", () => {
    const named = { ...contact(), name: "Ann Carter", reach: "+44 161 496 0000" };
    const odd = { ...contact(), name: 42, reach: { phone: "1" } } as unknown as ReturnType<typeof contact>;
    const decoded = decodeProfile(encodeProfile({ displayName: "Ana", contacts: { [uuid(1)]: named, [uuid(2)]: odd }, sequence: 1 }));
    expect(decoded.contacts?.[uuid(1)]).toEqual(named);
    expect(decoded.contacts?.[uuid(2)]).toEqual(contact());
  });

  it("keeps confirmed team keys only as lists of text", () => {
    const odd = { [uuid(1)]: ["kept", 7], [uuid(2)]: "not a list", [uuid(3)]: [] } as unknown as Record<string, string[]>;
    const decoded = decodeProfile(encodeProfile({ displayName: "Ana", contacts: {}, teamKeys: odd, sequence: 1 }));
    expect(decoded.teamKeys).toEqual({ [uuid(1)]: ["kept"] });
  });
});
