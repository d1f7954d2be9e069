import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { CryptoError } from "./errors";
import { openGrantProfile, sealGrantProfile } from "./grant-profile";
import { generateShareKey } from "./share-key";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

beforeAll(cryptoReady);

describe("grant profile", () => {
  it("round-trips any reasonable name, trimmed", () => {
    const shareKey = generateShareKey();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }).filter((name) => name.trim().length > 0), (name) => {
        expect(openGrantProfile(sealGrantProfile({ displayName: name }, shareKey, { grantId: "g" }), shareKey, { grantId: "g" })).toEqual({ displayName: name.trim() });
      }),
      { numRuns: 50 },
    );
  });

  it("hides the name's length inside a padded bucket", () => {
    const shareKey = generateShareKey();
    const short = sealGrantProfile({ displayName: "Al" }, shareKey, { grantId: "g" });
    const long = sealGrantProfile({ displayName: "Maximiliane Anneliese von Habsburg-Lothringen" }, shareKey, { grantId: "g" });
    expect(short.length).toBe(long.length);
  });

  it("fails on tampering, truncation, another grant or another key", () => {
    const shareKey = generateShareKey();
    const sealed = sealGrantProfile({ displayName: "Ana" }, shareKey, { grantId: "g1" });
    expectEveryByteTamperFails(sealed, (tampered) => openGrantProfile(tampered, shareKey, { grantId: "g1" }));
    expectTruncationFails(sealed, (truncated) => openGrantProfile(truncated, shareKey, { grantId: "g1" }));
    expectCryptoError(() => openGrantProfile(sealed, shareKey, { grantId: "g2" }), "authentication-failed");
    expectCryptoError(() => openGrantProfile(sealed, generateShareKey(), { grantId: "g1" }), "authentication-failed");
  });

  it("refuses an empty or overlong name", () => {
    expect(() => sealGrantProfile({ displayName: "  " }, generateShareKey(), { grantId: "g" })).toThrow(CryptoError);
    expect(() => sealGrantProfile({ displayName: "x".repeat(201) }, generateShareKey(), { grantId: "g" })).toThrow(CryptoError);
  });

  it("gives fixed bytes for a fixed key and nonce (known answer)", () => {
    const sealed = sealGrantProfile({ displayName: "Ana" }, bytesFrom(40, 32), { grantId: "g" }, bytesFrom(41, 24));
    expect(toHex(sealed)).toBe(KAT_GRANT_PROFILE);
    expect(sealed.length).toBe(2 + 24 + 256 + 16);
  });
});

const KAT_GRANT_PROFILE =
  "010929486786a5c4e30221405f7e9dbcdbfa1938577695b4d3f2bb717ae4960b7414c31fe350104c7c2656f91f9203e87ff932251ff312ffb1b3adf577550e0ca7678fc023e99fcd282adc07399abfd4f1213a9d6e2745b4a7ac421a399c0054e9f864ad8531fdeb5b75e8335ed43ad968e1c8e02645f6b87a4fa3b36ec2947b66503c25155e69d7e0d6b74e2bfbb8fbc8b4723125b8aedf42b57b8bb6a468f5b49335c7bfdb0d8286074ecd269271d22f3300061ef5ddce7667b2f1a5ab58e4cc61493de3d1d6353d099164a8a0716522d4b1ddf6e0dbada83827775ab4f51e93c9c69c0907d16f080ab7b7671885d721a76c6ef75972a416da2cb2b3ab55c5b389ddce6ef3eb5e39d0482cf8f03f31d943cb48ef4103e648d800e789a70bfebea2c56de8a9a38cec70";
