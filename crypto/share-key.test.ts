import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { encryptionKeyPairFromSeed, generateEncryptionKeyPair } from "./keys";
import { toHex } from "./encoding";
import { deriveShareKey, generateShareKey, openRecordKeySealedToOwner, openShareKey, sealRecordKeyToOwner, sealShareKey } from "./share-key";
import { cryptoReady } from "./sodium";
import { anyKey, bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

beforeAll(cryptoReady);

describe("sealed share key", () => {
  it("opens only for the recipient and the grant it was sealed for", () => {
    const clinician = generateEncryptionKeyPair();
    const shareKey = generateShareKey();
    const sealed = sealShareKey(shareKey, clinician.publicKey, { grantId: "grant-1" });
    expect(openShareKey(sealed, clinician, { grantId: "grant-1" })).toEqual(shareKey);
    expectCryptoError(() => openShareKey(sealed, generateEncryptionKeyPair(), { grantId: "grant-1" }), "authentication-failed");
    expectCryptoError(() => openShareKey(sealed, clinician, { grantId: "grant-2" }), "authentication-failed");
  });

  it("fails on any flipped bit or truncation", () => {
    const clinician = generateEncryptionKeyPair();
    const sealed = sealShareKey(generateShareKey(), clinician.publicKey, { grantId: "grant-1" });
    expectEveryByteTamperFails(sealed, (tampered) => openShareKey(tampered, clinician, { grantId: "grant-1" }));
    expectTruncationFails(sealed, (truncated) => openShareKey(truncated, clinician, { grantId: "grant-1" }));
  });

  it("is randomised (an ephemeral key per seal) yet deterministic to open", () => {
    const clinician = encryptionKeyPairFromSeed(bytesFrom(20, 32));
    const shareKey = bytesFrom(21, 32);
    const a = sealShareKey(anyKey(shareKey), clinician.publicKey, { grantId: "g" });
    const b = sealShareKey(anyKey(shareKey), clinician.publicKey, { grantId: "g" });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(openShareKey(a, clinician, { grantId: "g" })).toEqual(openShareKey(b, clinician, { grantId: "g" }));
  });

  it("throws only CryptoError on arbitrary bytes", () => {
    const clinician = generateEncryptionKeyPair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => openShareKey(bytes, clinician, { grantId: "g" })).toThrow(CryptoError);
      }),
    );
  });
});

describe("record key sealed to the chart owner", () => {
  it("opens only for the owner and the record and key version it was sealed for", () => {
    const owner = generateEncryptionKeyPair();
    const recordKey = generateShareKey();
    const sealed = sealRecordKeyToOwner(anyKey(recordKey), owner.publicKey, { recordId: "r1", keyVersion: 1 });
    expect(openRecordKeySealedToOwner(sealed, owner, { recordId: "r1", keyVersion: 1 })).toEqual(recordKey);
    expectCryptoError(() => openRecordKeySealedToOwner(sealed, owner, { recordId: "r2", keyVersion: 1 }), "authentication-failed");
    expectCryptoError(() => openRecordKeySealedToOwner(sealed, owner, { recordId: "r1", keyVersion: 2 }), "authentication-failed");
    expectCryptoError(() => openRecordKeySealedToOwner(sealed, generateEncryptionKeyPair(), { recordId: "r1", keyVersion: 1 }), "authentication-failed");
  });

  it("is not interchangeable with a sealed share key", () => {
    const owner = generateEncryptionKeyPair();
    const asShareKey = sealShareKey(generateShareKey(), owner.publicKey, { grantId: "r1" });
    expectCryptoError(() => openRecordKeySealedToOwner(asShareKey, owner, { recordId: "r1", keyVersion: 1 }), "malformed");
    const relabelled = asShareKey.slice();
    relabelled[1] = 8;
    expect(() => openRecordKeySealedToOwner(relabelled, owner, { recordId: "r1", keyVersion: 1 })).toThrow(CryptoError);
  });

  it("fails on any flipped bit or truncation", () => {
    const owner = generateEncryptionKeyPair();
    const sealed = sealRecordKeyToOwner(anyKey(generateShareKey()), owner.publicKey, { recordId: "r1", keyVersion: 3 });
    expectEveryByteTamperFails(sealed, (tampered) => openRecordKeySealedToOwner(tampered, owner, { recordId: "r1", keyVersion: 3 }));
    expectTruncationFails(sealed, (truncated) => openRecordKeySealedToOwner(truncated, owner, { recordId: "r1", keyVersion: 3 }));
  });
});

describe("share key derived from the vault key", () => {
  it("gives fixed bytes for a fixed vault key and grant (known answer)", () => {
    expect(toHex(deriveShareKey(anyKey(bytesFrom(30, 32)), { grantId: "6f1c1b7e-0000-4000-8000-000000000001" }))).toBe(KAT_DERIVED_SHARE_KEY);
  });

  it("differs per grant and per vault key", () => {
    const vaultKey = bytesFrom(31, 32);
    const a = toHex(deriveShareKey(anyKey(vaultKey), { grantId: "a" }));
    expect(toHex(deriveShareKey(anyKey(vaultKey), { grantId: "a" }))).toBe(a);
    expect(toHex(deriveShareKey(anyKey(vaultKey), { grantId: "b" }))).not.toBe(a);
    expect(toHex(deriveShareKey(anyKey(bytesFrom(32, 32)), { grantId: "a" }))).not.toBe(a);
  });

  it("rejects a vault key of the wrong length", () => {
    expectCryptoError(() => deriveShareKey(anyKey(new Uint8Array(16)), { grantId: "a" }), "invalid-key");
  });
});

// Computed independently with Python: hashlib.blake2b(encodeCanonical(label, [grantId]), key=vaultKey, digest_size=32).
const KAT_DERIVED_SHARE_KEY = "98bb02210df7107a593d67b70203c55aa9b1bd5d803c1ecafb2e04effabd624d";
