import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toBase64url } from "./encoding";
import { generateIdentityKeyPair, identityKeyPairFromSeed, keyFingerprint, shortFingerprint } from "./keys";
import { parseSafetyCodePayload, parseShareCode, safetyCode, safetyCodeMatches, shareCode, shareCodeMatches } from "./safety-code";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const userId = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";

describe("safety code", () => {
  it("is 60 digits in 12 groups of 5 and a QR payload naming user and key", () => {
    const identity = generateIdentityKeyPair();
    const code = safetyCode(identity.publicKey, userId);
    expect(code.digits).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(parseSafetyCodePayload(code.qrPayload)).toEqual({ userId, identityPublicKey: identity.publicKey });
    expect(safetyCodeMatches(code.qrPayload, identity.publicKey, userId)).toBe(true);
  });

  it("changes with the key and with the user", () => {
    const a = generateIdentityKeyPair().publicKey;
    const b = generateIdentityKeyPair().publicKey;
    expect(safetyCode(a, userId).digits).not.toBe(safetyCode(b, userId).digits);
    expect(safetyCode(a, userId).digits).not.toBe(safetyCode(a, "another-user").digits);
    expect(safetyCodeMatches(safetyCode(a, userId).qrPayload, b, userId)).toBe(false);
    expect(safetyCodeMatches(safetyCode(a, userId).qrPayload, a, "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0d")).toBe(false);
  });

  it("is stable for a fixed key (known answer)", () => {
    const identity = identityKeyPairFromSeed(bytesFrom(50, 32));
    expect(safetyCode(identity.publicKey, userId).digits).toBe(KAT_DIGITS);
    expect(shortFingerprint(identity.publicKey)).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    expect(keyFingerprint(identity.publicKey)).toHaveLength(32);
  });

  it("parses only well-formed payloads (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        try {
          const parsed = parseSafetyCodePayload(text);
          expect(`hsc-sc:1:${parsed.userId}:${toBase64url(parsed.identityPublicKey)}`).toBe(text);
        } catch (error) {
          expect((error as Error).name).toBe("CryptoError");
        }
      }),
    );
    const key = toBase64url(new Uint8Array(32));
    for (const bad of [
      `hsc-sc:2:${userId}:${key}`,
      `hsc-sc:1:${userId.toUpperCase()}:${key}`,
      `hsc-sc:1:${userId}:${key}=`,
      `hsc-sc:1:${userId}:${key.slice(1)}`,
    ]) {
      expectCryptoError(() => parseSafetyCodePayload(bad), "malformed");
    }
  });
});

describe("share code", () => {
  const userId = "6f1c1b7e-0000-4000-8000-000000000001";

  it("gives fixed text for a fixed key and user (known answer, computed independently with Python's hashlib)", () => {
    expect(shareCode(bytesFrom(50, 32), userId)).toBe("hsc1.bxwbfgAAQACAAAAAAAAAAQ.cWo9nM7seko20DqnRG4hhA");
  });

  it("round-trips any user id and matches only its own key and user", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uint8Array({ minLength: 32, maxLength: 32 }), (id, key) => {
        const code = shareCode(key, id);
        expect(parseShareCode(code).userId).toBe(id);
        expect(shareCodeMatches(code, key, id)).toBe(true);
        const other = key.slice();
        other[0] = other[0]! ^ 1;
        expect(shareCodeMatches(code, other, id)).toBe(false);
      }),
      { numRuns: 50 },
    );
    expect(shareCodeMatches(shareCode(bytesFrom(50, 32), userId), bytesFrom(50, 32), "6f1c1b7e-0000-4000-8000-000000000002")).toBe(false);
  });

  it("rejects anything that is not a share code", () => {
    for (const text of [
      "",
      "hsc1.",
      "hsc2.bxwbfgAAQACAAAAAAAAAAQ.cWo9nM7seko20DqnRG4hhA",
      "hsc1.bxwbfgAAQACAAAAAAAAAAQ.cWo9nM7seko20DqnRG4hh",
      "hsc1.bxwbfgAAQACAAAAAAAAAAQ.cWo9nM7seko20DqnRG4hhB",
    ]) {
      expect(() => parseShareCode(text)).toThrow();
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(shareCodeMatches(text, bytesFrom(50, 32), userId)).toBe(false);
      }),
    );
  });
});

const KAT_DIGITS = "06752 89875 75915 90589 34149 54925 53967 47208 82437 81991 51614 72695";
