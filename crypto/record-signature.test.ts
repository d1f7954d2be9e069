import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "./encoding";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { commitRecordDocument } from "./record-body";
import { signRecordVersion, verifyRecordVersion } from "./record-signature";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";
import { deriveOwnerWrappingKey, generateVaultKey } from "./vault";

beforeAll(cryptoReady);

const recordId = "0b3b8f7e-9c1a-4e55-8f00-3a1d2c4b5e6f";
const commitmentKey = Uint8Array.from({ length: 32 }, (_, index) => index);

describe("record version signatures", () => {
  it("verify only the exact record, version, author and commitment", () => {
    const author = generateIdentityKeyPair();
    const statement = {
      recordId: "r1",
      version: 2,
      authorId: "u1",
      commitment: commitRecordDocument(commitmentKey, { recordId: "r1", version: 2 }, utf8("a")),
    };
    const signature = signRecordVersion(statement, author.secretKey);
    verifyRecordVersion(statement, signature, author.publicKey);
    for (const changed of [
      { ...statement, recordId: "r2" },
      { ...statement, version: 1 },
      { ...statement, authorId: "u2" },
      { ...statement, commitment: commitRecordDocument(commitmentKey, { recordId: "r1", version: 2 }, utf8("b")) },
    ]) {
      expectCryptoError(() => verifyRecordVersion(changed, signature, author.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyRecordVersion(statement, signature, generateIdentityKeyPair().publicKey), "authentication-failed");
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    expectCryptoError(() => verifyRecordVersion(statement, flipped, author.publicKey), "authentication-failed");
    expectCryptoError(() => verifyRecordVersion(statement, signature.subarray(0, 63), author.publicKey), "malformed");
    expectCryptoError(() => verifyRecordVersion({ ...statement, commitment: new Uint8Array(31) }, signature, author.publicKey), "invalid-key");
  });

  // Expected values computed independently: the commitment with Python's hashlib.blake2b
  // (key, digest_size=32) and the signature with OpenSSL's Ed25519 (Node's crypto.sign)
  // over the canonical encoding written out by hand.
  it("matches the known answer", () => {
    const commitment = commitRecordDocument(commitmentKey, { recordId, version: 2 }, utf8('{"v":1,"kind":"note"}'));
    expect(toHex(commitment)).toBe("a76c0f862208e6cf16342151dd53aa67ad56c83ef8e7e3543bd2d0f4e27c5c2f");
    const author = identityKeyPairFromSeed(new Uint8Array(32).fill(7));
    expect(toHex(author.publicKey)).toBe("ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c");
    const statement = { recordId, version: 2, authorId: "5f0c2a8e-1111-4c3b-9d2e-222233334444", commitment };
    const signature = signRecordVersion(statement, author.secretKey);
    expect(toHex(signature)).toBe(
      "f2194ce81f4599b52cca8dbf2679ab5733a98148d79633bdf0ec69cbb23524e66400f164f3f6e9759e88205f8f4e2f05e09b8b425e31444ef1bb90e78b170002",
    );
    verifyRecordVersion(statement, fromHex(toHex(signature)), author.publicKey);
  });
});

describe("owner record key", () => {
  it("is derived from the vault key, stable, and not the vault key itself", () => {
    const vaultKey = generateVaultKey();
    expect(deriveOwnerWrappingKey(vaultKey)).toEqual(deriveOwnerWrappingKey(vaultKey));
    expect(deriveOwnerWrappingKey(vaultKey)).not.toEqual(vaultKey);
    expect(deriveOwnerWrappingKey(generateVaultKey())).not.toEqual(deriveOwnerWrappingKey(vaultKey));
  });
});
