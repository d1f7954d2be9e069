import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { hashBytes, signCanonical, verifyCanonical } from "./signature";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

describe("canonical signatures", () => {
  it("verify exactly the signed label and fields", () => {
    const identity = generateIdentityKeyPair();
    const fields = ["record-1", 2, hashBytes(new Uint8Array([1, 2, 3]))];
    const signature = signCanonical("hsc/v1/record-version", fields, identity.secretKey);
    verifyCanonical("hsc/v1/record-version", fields, signature, identity.publicKey);
    expectCryptoError(() => verifyCanonical("hsc/v1/grant", fields, signature, identity.publicKey), "authentication-failed");
    expectCryptoError(() => verifyCanonical("hsc/v1/record-version", ["record-1", 3, fields[2]!], signature, identity.publicKey), "authentication-failed");
    expectCryptoError(() => verifyCanonical("hsc/v1/record-version", fields, signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });

  it("fail on any flipped bit of the signature", () => {
    const identity = generateIdentityKeyPair();
    const signature = signCanonical("label", ["x"], identity.secretKey);
    for (let bit = 0; bit < signature.length * 8; bit++) {
      const tampered = signature.slice();
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      expectCryptoError(() => verifyCanonical("label", ["x"], tampered, identity.publicKey));
    }
    expectCryptoError(() => verifyCanonical("label", ["x"], signature.slice(0, 63), identity.publicKey), "malformed");
  });

  it("never verifies a changed field list (property)", () => {
    const identity = generateIdentityKeyPair();
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 5 }), fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 5 }), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const signature = signCanonical("p", a, identity.secretKey);
        expectCryptoError(() => verifyCanonical("p", b, signature, identity.publicKey));
      }),
      { numRuns: 50 },
    );
  });

  it("are deterministic (Ed25519) for a fixed key (known answer)", () => {
    const identity = identityKeyPairFromSeed(bytesFrom(40, 32));
    expect(toHex(signCanonical("hsc/v1/kat", ["a", 1], identity.secretKey))).toBe(KAT_SIGNATURE);
    expect(toHex(hashBytes(new TextEncoder().encode("abc")))).toBe(
      // BLAKE2b-256("abc"), from the BLAKE2 reference implementation's test vectors.
      "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
    );
  });
});

const KAT_SIGNATURE = "7022b7954d49edfabc931f8dddafd38ba7cdd2ca8dbefcd5ac2e080b4574a5f296e945d4719864ba4eb9cc1e0c142fd4" + "17ecfcd2a227fb60eb34ff5b4c74b406";
