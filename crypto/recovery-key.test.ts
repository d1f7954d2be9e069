import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { decodeRecoveryKey, deriveRecoveryKeyEncryptionKey, deriveRecoverySigningKeyPair, encodeRecoveryKey, generateRecoveryKey } from "./recovery-key";
import { cryptoReady } from "./sodium";
import { anyKey, bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("recovery key", () => {
  it("reads back whatever it writes, in 14 groups of 4", () => {
    fc.assert(
      fc.property(key32, (key) => {
        const text = encodeRecoveryKey(anyKey(key));
        expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/);
        expect(decodeRecoveryKey(text)).toEqual(key);
      }),
    );
  });

  it("forgives case, spacing and look-alike letters", () => {
    const key = generateRecoveryKey();
    const text = encodeRecoveryKey(key);
    expect(decodeRecoveryKey(text.toLowerCase().replaceAll("-", " "))).toEqual(key);
    expect(decodeRecoveryKey(`  ${text.replaceAll("-", "")}  `)).toEqual(key);
    expect(decodeRecoveryKey(text.replaceAll("1", "l").replaceAll("0", "O"))).toEqual(key);
  });

  it("catches any single mistyped character", () => {
    fc.assert(
      fc.property(key32, fc.nat(55), fc.nat(30), (key, position, shift) => {
        const characters = encodeRecoveryKey(anyKey(key)).replaceAll("-", "").split("");
        const original = alphabet.indexOf(characters[position]!);
        characters[position] = alphabet[(original + 1 + shift) % 32]!;
        expectCryptoError(() => decodeRecoveryKey(characters.join("")), "checksum-mismatch");
      }),
    );
  });

  it("says malformed for the wrong length or characters outside the alphabet", () => {
    const text = encodeRecoveryKey(generateRecoveryKey());
    expectCryptoError(() => decodeRecoveryKey(text.slice(0, -1)), "malformed");
    expectCryptoError(() => decodeRecoveryKey(`${text}A`), "malformed");
    expectCryptoError(() => decodeRecoveryKey(`U${text.slice(1)}`), "malformed");
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (input) => {
        try {
          decodeRecoveryKey(input);
        } catch (error) {
          expect((error as Error).name).toBe("CryptoError");
        }
      }),
    );
  });

  it("derives a signing key and a key-encryption key that differ and are stable (known answer)", () => {
    const key = bytesFrom(70, 32);
    const signing = deriveRecoverySigningKeyPair(anyKey(key));
    const kek = deriveRecoveryKeyEncryptionKey(anyKey(key));
    expect(toHex(signing.publicKey)).toBe(toHex(deriveRecoverySigningKeyPair(anyKey(key)).publicKey));
    expect(toHex(kek)).not.toBe(toHex(signing.secretKey.subarray(0, 32)));
    expect(encodeRecoveryKey(anyKey(key))).toBe(KAT_RECOVERY_TEXT);
    expect(toHex(signing.publicKey)).toBe(KAT_RECOVERY_SIGNING);
    expect(toHex(kek)).toBe(KAT_RECOVERY_KEK);
  });
});

const KAT_RECOVERY_TEXT = "8SJR-98Y2-W401-YFJX-FJDV-NPFR-2WV5-AX4K-PB8Z-03SE-9NP8-QAP9-X03W-ZG7G";
const KAT_RECOVERY_SIGNING = "42eb207c9610495deeac14c07fa05f7e01e3eb0c9b444624ba57ab42a93a77ea";
const KAT_RECOVERY_KEK = "12e2cc93520b54cd9096897af84fccad1ae4661d027419ffa875932ce8a2062f";
