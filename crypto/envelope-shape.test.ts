import { beforeAll, describe, expect, it } from "vitest";
import { EnvelopeKind, envelopeKindOf } from "./envelope";
import { generateRecordKey, isPaddedRecordContentSize } from "./record-content";
import { ownerGrantId, unwrapRecordKey, wrapRecordKeyWithNonce } from "./record-key-wrap";
import { generateShareKey, sealShareKey } from "./share-key";
import { cryptoReady, lib } from "./sodium";
import { anyKey, bytesFrom } from "./test-helpers";
import { generateVaultKey, isVaultKeyWrap, wrapVaultKey } from "./vault";
import { generateEncryptionKeyPair } from "./keys";

beforeAll(cryptoReady);

describe("envelopeKindOf", () => {
  it("reads the kind byte of every kind of this version (bytes written by hand)", () => {
    for (let kind = 1; kind <= 12; kind += 1) expect(envelopeKindOf(Uint8Array.of(1, kind, 0xaa))).toBe(kind);
    expect(envelopeKindOf(Uint8Array.of(1, 8))).toBe(EnvelopeKind.sealedRecordKey);
  });

  it.each([
    ["no bytes", new Uint8Array(0)],
    ["a version byte only", Uint8Array.of(1)],
    ["another version", Uint8Array.of(2, 8, 0)],
    ["version 0", Uint8Array.of(0, 1, 0)],
    ["an unknown kind", Uint8Array.of(1, 13, 0)],
    ["kind 0", Uint8Array.of(1, 0, 0)],
  ])("gives undefined for %s", (_name, bytes) => {
    expect(envelopeKindOf(bytes)).toBeUndefined();
  });

  it("agrees with what the sealing functions write", () => {
    expect(envelopeKindOf(sealShareKey(generateShareKey(), generateEncryptionKeyPair().publicKey, { grantId: "g" }))).toBe(5);
    expect(envelopeKindOf(wrapVaultKey(generateVaultKey(), anyKey(generateVaultKey()), { userId: "u", methodId: "m" }))).toBe(1);
  });
});

describe("isVaultKeyWrap", () => {
  it("accepts a real wrap and exactly that shape", () => {
    const wrap = wrapVaultKey(generateVaultKey(), anyKey(generateVaultKey()), { userId: "u", methodId: "recovery" });
    expect(wrap.length).toBe(74);
    expect(isVaultKeyWrap(wrap)).toBe(true);
    expect(isVaultKeyWrap(Uint8Array.from([1, 1, ...new Uint8Array(72)]))).toBe(true);
  });

  it.each([
    ["one byte short", Uint8Array.from([1, 1, ...new Uint8Array(71)])],
    ["one byte long", Uint8Array.from([1, 1, ...new Uint8Array(73)])],
    ["another kind", Uint8Array.from([1, 4, ...new Uint8Array(72)])],
    ["another version", Uint8Array.from([2, 1, ...new Uint8Array(72)])],
  ])("refuses %s", (_name, bytes) => {
    expect(isVaultKeyWrap(bytes)).toBe(false);
  });
});

describe("isPaddedRecordContentSize", () => {
  it.each([
    [42 + 256, true],
    [42 + 512, true],
    [42 + 1024 * 1024, true],
    [42 + 128, false],
    [42 + 257, false],
    [42 + 384, false],
    [256, false],
    [0, false],
  ])("%i bytes: %s", (length, expected) => {
    expect(isPaddedRecordContentSize(new Uint8Array(length))).toBe(expected);
  });
});

describe("ownerGrantId", () => {
  it("binds the owner's wrap to the associated data stored wraps carry (known answer)", () => {
    expect(ownerGrantId).toBe("owner");
    const wrappingKey = bytesFrom(3, 32);
    const recordKey = generateRecordKey();
    const nonce = bytesFrom(4, 24);
    const envelope = wrapRecordKeyWithNonce(recordKey, anyKey(wrappingKey), { recordId: "rec-1", keyVersion: 3, grantId: ownerGrantId }, nonce);
    // canonical "hsc/v1/record-key-wrap" [1, 4, "rec-1", 3, "owner"], written out with Python's struct module.
    const ad = Buffer.from(
      "014843000000166873632f76312f7265636f72642d6b65792d777261700000000503000000000000000103000000000000000402000000057265632d3103000000000000000302000000056f776e6572",
      "hex",
    );
    const opened = lib().crypto_aead_xchacha20poly1305_ietf_decrypt(null, envelope.subarray(26), Uint8Array.from(ad), nonce, wrappingKey);
    expect(Buffer.from(opened).equals(Buffer.from(recordKey))).toBe(true);
    expect(unwrapRecordKey(envelope, anyKey(wrappingKey), { recordId: "rec-1", keyVersion: 3, grantId: "owner" })).toEqual(recordKey);
  });
});
