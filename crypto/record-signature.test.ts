import { beforeAll, describe, expect, it } from "vitest";
import { generateIdentityKeyPair } from "./keys";
import { signRecordVersion, verifyRecordVersion } from "./record-signature";
import { hashBytes } from "./signature";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";
import { deriveOwnerRecordKey, generateVaultKey } from "./vault";

beforeAll(cryptoReady);

describe("record version signatures", () => {
  it("verify only the exact record, versions, author and ciphertext digests", () => {
    const author = generateIdentityKeyPair();
    const statement = {
      recordId: "r1",
      version: 2,
      keyVersion: 1,
      authorId: "u1",
      contentHash: hashBytes(new Uint8Array([1])),
      fileHash: new Uint8Array(0),
    };
    const signature = signRecordVersion(statement, author.secretKey);
    verifyRecordVersion(statement, signature, author.publicKey);
    for (const changed of [
      { ...statement, recordId: "r2" },
      { ...statement, version: 1 },
      { ...statement, keyVersion: 2 },
      { ...statement, authorId: "u2" },
      { ...statement, contentHash: hashBytes(new Uint8Array([2])) },
      { ...statement, fileHash: hashBytes(new Uint8Array([3])) },
    ]) {
      expectCryptoError(() => verifyRecordVersion(changed, signature, author.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyRecordVersion(statement, signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });
});

describe("owner record key", () => {
  it("is derived from the vault key, stable, and not the vault key itself", () => {
    const vaultKey = generateVaultKey();
    expect(deriveOwnerRecordKey(vaultKey)).toEqual(deriveOwnerRecordKey(vaultKey));
    expect(deriveOwnerRecordKey(vaultKey)).not.toEqual(vaultKey);
    expect(deriveOwnerRecordKey(generateVaultKey())).not.toEqual(deriveOwnerRecordKey(vaultKey));
  });
});
