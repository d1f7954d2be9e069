import { beforeAll, describe, expect, it } from "vitest";
import { fromBase64 } from "./encoding";
import { hashShlPasscode, shlPasscodeHashMaxLength, verifyShlPasscode } from "./shl-passcode";
import { cryptoReady, lib } from "./sodium";
import { expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

/** PHC strings drop base64 padding; libsodium's decoder wants the standard alphabet padded. */
const phcBytes = (text: string) => fromBase64(text + "=".repeat((4 - (text.length % 4)) % 4));

describe("SMART Health Link passcode hashing", () => {
  it("hashes with Argon2id at the interactive limits, a fresh salt each time, and verifies", () => {
    const first = hashShlPasscode("correct horse");
    const second = hashShlPasscode("correct horse");
    expect(first).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first.length).toBeLessThanOrEqual(shlPasscodeHashMaxLength);
    expect(second).not.toBe(first);
    expect(verifyShlPasscode(first, "correct horse")).toBe(true);
    expect(verifyShlPasscode(second, "correct horse")).toBe(true);
  });

  it("is the raw Argon2id output for the string's own salt and limits (libsodium crypto_pwhash)", () => {
    const sodium = lib();
    const hash = hashShlPasscode("123456");
    const [, , , , salt, digest] = hash.split("$");
    const raw = sodium.crypto_pwhash(32, "123456", phcBytes(salt!), 2, 65536 * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13);
    expect(raw).toEqual(phcBytes(digest!));
  });

  it("does not match another passcode, a changed hash or a hash of another kind", () => {
    const hash = hashShlPasscode("open sesame");
    expect(verifyShlPasscode(hash, "open sesamE")).toBe(false);
    expect(verifyShlPasscode(hash, "open sesame ")).toBe(false);
    const last = hash.at(-1) === "A" ? "B" : "A";
    expect(verifyShlPasscode(hash.slice(0, -1) + last, "open sesame")).toBe(false);
    expect(verifyShlPasscode(hash.replace("$argon2id$", "$argon2i$"), "open sesame")).toBe(false);
    expect(verifyShlPasscode("not a hash", "open sesame")).toBe(false);
    expect(verifyShlPasscode("", "open sesame")).toBe(false);
  });

  it("refuses to hash a passcode outside 6–64 characters, and never matches one", () => {
    expectCryptoError(() => hashShlPasscode("12345"), "invalid-argument");
    expectCryptoError(() => hashShlPasscode("x".repeat(65)), "invalid-argument");
    const hash = hashShlPasscode("x".repeat(64));
    expect(verifyShlPasscode(hash, "x".repeat(64))).toBe(true);
    expect(verifyShlPasscode(hash, "x".repeat(65))).toBe(false);
    expect(verifyShlPasscode(hash, "")).toBe(false);
  });

  it("hashes non-ASCII passcodes as their UTF-8 bytes", () => {
    const hash = hashShlPasscode("pässwörd€");
    expect(verifyShlPasscode(hash, "pässwörd€")).toBe(true);
    expect(verifyShlPasscode(hash, "passwords")).toBe(false);
  });
});
