import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CryptoError } from "./errors";
import { encryptionKeyPairFromSeed, generateEncryptionKeyPair } from "./keys";
import { generateShareKey, openShareKey, sealShareKey } from "./share-key";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

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
    const a = sealShareKey(shareKey, clinician.publicKey, { grantId: "g" });
    const b = sealShareKey(shareKey, clinician.publicKey, { grantId: "g" });
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
