import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { generateEncryptionKeyPair, generateIdentityKeyPair } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";
import {
  generateVaultKey,
  openPrivateBundle,
  sealPrivateBundle,
  sealPrivateBundleWithNonce,
  unwrapVaultKey,
  wrapVaultKey,
  wrapVaultKeyWithNonce,
} from "./vault";

beforeAll(cryptoReady);

const context = { userId: "5f0c6c1e-2f38-4d0b-9f5e-0d7a4a3b2c10", methodId: "credential-abc" };

describe("vault-key wrap", () => {
  it("round-trips", () => {
    const vaultKey = generateVaultKey();
    const kek = generateVaultKey();
    expect(unwrapVaultKey(wrapVaultKey(vaultKey, kek, context), kek, context)).toEqual(vaultKey);
  });

  it("fails on any flipped bit, truncation, wrong key or wrong context", () => {
    const kek = generateVaultKey();
    const envelope = wrapVaultKey(generateVaultKey(), kek, context);
    expectEveryByteTamperFails(envelope, (tampered) => unwrapVaultKey(tampered, kek, context));
    expectTruncationFails(envelope, (truncated) => unwrapVaultKey(truncated, kek, context));
    expectCryptoError(() => unwrapVaultKey(envelope, generateVaultKey(), context), "authentication-failed");
    expectCryptoError(() => unwrapVaultKey(envelope, kek, { ...context, userId: "someone-else" }), "authentication-failed");
    expectCryptoError(() => unwrapVaultKey(envelope, kek, { ...context, methodId: "recovery" }), "authentication-failed");
  });

  it("refuses keys of the wrong length", () => {
    expectCryptoError(() => wrapVaultKey(new Uint8Array(31), generateVaultKey(), context), "invalid-key");
    expectCryptoError(() => wrapVaultKey(generateVaultKey(), new Uint8Array(16), context), "invalid-key");
  });

  it("gives fixed bytes for a fixed key and nonce (known answer)", () => {
    const envelope = wrapVaultKeyWithNonce(bytesFrom(1, 32), bytesFrom(2, 32), context, bytesFrom(3, 24));
    expect(toHex(envelope)).toBe(KAT_VAULT_WRAP);
  });
});

describe("private bundle", () => {
  it("round-trips the private keys and the extra vault content", () => {
    const vaultKey = generateVaultKey();
    const bundle = {
      identitySecretKey: generateIdentityKeyPair().secretKey,
      encryptionSecretKey: generateEncryptionKeyPair().secretKey,
      extra: new TextEncoder().encode('{"displayName":"Ada"}'),
    };
    expect(openPrivateBundle(sealPrivateBundle(bundle, vaultKey, context), vaultKey, context)).toEqual(bundle);
  });

  it("fails on any flipped bit, truncation, wrong key or wrong user", () => {
    const vaultKey = generateVaultKey();
    const bundle = { identitySecretKey: bytesFrom(4, 64), encryptionSecretKey: bytesFrom(5, 32) };
    const envelope = sealPrivateBundle(bundle, vaultKey, context);
    expectEveryByteTamperFails(envelope, (tampered) => openPrivateBundle(tampered, vaultKey, context));
    expectTruncationFails(envelope, (truncated) => openPrivateBundle(truncated, vaultKey, context));
    expectCryptoError(() => openPrivateBundle(envelope, generateVaultKey(), context), "authentication-failed");
    expectCryptoError(() => openPrivateBundle(envelope, vaultKey, { userId: "other" }), "authentication-failed");
  });

  it("gives fixed bytes for fixed keys and nonce (known answer)", () => {
    const envelope = sealPrivateBundleWithNonce(
      { identitySecretKey: bytesFrom(4, 64), encryptionSecretKey: bytesFrom(5, 32) },
      bytesFrom(6, 32),
      context,
      bytesFrom(7, 24),
    );
    expect(toHex(envelope)).toBe(KAT_PRIVATE_BUNDLE);
  });
});

const KAT_VAULT_WRAP =
  "0101032241607f9ebddcfb1a39587796b5d4f31231506f8eadccb0a2cafb462dd6740c7a39cac2e213536ff24b68d24c" +
  "e4b93d83013bf559dc46aacb4d9e58755e8be767b1140c34b4d6";
const KAT_PRIVATE_BUNDLE =
  "01020726456483a2c1e0ff1e3d5c7b9ab9d8f71635547392b1d0e507c0f561fe442579bf663ede7eea09d92351985e8a" +
  "58c286092e37100328fe3f80b5d9c99afd403b304958e60b110cc22bbd2074be08ad23b3ca292af8febc83ec411db8d1" +
  "3ba9ed5f777edbb989e0f39b847eea6b6359ff8eec55e597f59136093ecb911eec3c08800abab89b8db276b6074abf00" +
  "a8db8c2968cffa8122df1c0cabc9ef173064c43c4d2ba24c78ae83a73a26f709c0fc63cb8b48ea919d32cf3309e5";
