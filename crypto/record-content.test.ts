import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { EnvelopeKind, nonceBytes, encryptEnvelopeWithNonce } from "./envelope";
import { CryptoError } from "./errors";
import { decryptRecordContent, encryptRecordContent, encryptRecordContentWithNonce, generateRecordKey } from "./record-content";
import { randomChunks } from "./random";
import { cryptoReady, lib } from "./sodium";
import { anyKey, bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

beforeAll(cryptoReady);

const record = { recordId: "0b3b8f7e-9c1a-4e55-8f00-3a1d2c4b5e6f", version: 3, keyVersion: 2 };

describe("record content", () => {
  it("round-trips any content", () => {
    const key = generateRecordKey();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (content) => {
        expect(decryptRecordContent(encryptRecordContent(content, key, record), key, record)).toEqual(content);
      }),
      { numRuns: 50 },
    );
  });

  it("fails on any flipped bit, truncation or wrong key", () => {
    const key = generateRecordKey();
    const envelope = encryptRecordContent(new TextEncoder().encode("Penicillin allergy"), key, record);
    expectEveryByteTamperFails(envelope, (tampered) => decryptRecordContent(tampered, key, record));
    expectTruncationFails(envelope, (truncated) => decryptRecordContent(truncated, key, record));
    expectCryptoError(() => decryptRecordContent(envelope, generateRecordKey(), record), "authentication-failed");
  });

  it.each([
    ["record id", { ...record, recordId: "another-record" }],
    ["version", { ...record, version: 2 }],
    ["key version", { ...record, keyVersion: 1 }],
  ])("fails with the wrong %s as associated data", (_label, wrong) => {
    const key = generateRecordKey();
    const envelope = encryptRecordContent(new Uint8Array([1, 2, 3]), key, record);
    expectCryptoError(() => decryptRecordContent(envelope, key, wrong), "authentication-failed");
  });

  it("refuses a lowered or unknown version and another envelope kind", () => {
    const key = generateRecordKey();
    const envelope = encryptRecordContent(new Uint8Array([1]), key, record);
    for (const version of [0, 2, 255]) {
      const changed = envelope.slice();
      changed[0] = version;
      expectCryptoError(() => decryptRecordContent(changed, key, record), "unsupported-version");
    }
    const otherKind = envelope.slice();
    otherKind[1] = 4;
    expectCryptoError(() => decryptRecordContent(otherKind, key, record), "malformed");
  });

  it("throws only CryptoError on arbitrary bytes", () => {
    const key = generateRecordKey();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(() => decryptRecordContent(bytes, key, record)).toThrow(CryptoError);
      }),
    );
  });

  it("never puts key material in an error", () => {
    const key = generateRecordKey();
    const envelope = encryptRecordContent(new Uint8Array([9]), key, record);
    const error = expectCryptoError(() => decryptRecordContent(envelope, generateRecordKey(), record));
    const text = `${String(error)} ${error.message} ${JSON.stringify(error)} ${error.stack ?? ""}`;
    expect(text).not.toContain(toHex(key));
    expect(text).not.toContain(Buffer.from(key).toString("base64"));
  });

  it("draws 100,000 distinct nonces", () => {
    const nonces = randomChunks(100_000, nonceBytes);
    expect(new Set(nonces.map((nonce) => Buffer.from(nonce).toString("hex"))).size).toBe(100_000);
  });

  it("uses a fresh nonce for every envelope", () => {
    const key = generateRecordKey();
    const seen = new Set<string>();
    for (let index = 0; index < 2000; index++) {
      seen.add(toHex(encryptRecordContent(new Uint8Array(0), key, record).subarray(2, 2 + nonceBytes)));
    }
    expect(seen.size).toBe(2000);
  });

  it("gives fixed bytes for a fixed key and nonce (known answer)", () => {
    const envelope = encryptRecordContentWithNonce(new TextEncoder().encode("known answer"), anyKey(bytesFrom(8, 32)), record, bytesFrom(9, 24));
    expect(envelope.length).toBe(2 + 24 + 256 + 16);
    expect(toHex(envelope.subarray(0, 64))).toBe(KAT_RECORD_CONTENT_START);
    expect(toHex(lib().crypto_generichash(32, envelope, null))).toBe(KAT_RECORD_CONTENT_BLAKE2B);
  });

  it("pads inside: contents of different lengths within a bucket have one size", () => {
    const key = generateRecordKey();
    const sizes = [0, 1, 12, 200, 255].map((length) => encryptRecordContent(new Uint8Array(length).fill(7), key, record).length);
    expect(new Set(sizes)).toEqual(new Set([256 + 42]));
    expect(encryptRecordContent(new Uint8Array(256), key, record).length).toBe(512 + 42);
  });

  it("refuses content sealed without its padding", () => {
    const key = generateRecordKey();
    const unpadded = encryptEnvelopeWithNonce(
      EnvelopeKind.recordContent,
      key,
      new Uint8Array(300),
      [record.recordId, record.version, record.keyVersion],
      bytesFrom(9, 24),
    );
    expectCryptoError(() => decryptRecordContent(unpadded, key, record), "malformed");
  });
});

// The 298-byte envelope (a 256-byte bucket): its first 64 bytes and the BLAKE2b-256 of all of them.
const KAT_RECORD_CONTENT_START =
  "01030928476685a4c3e201203f5e7d9cbbdaf91837567594b3d2bff00bf21d8830b6d95078b630a67e404d254309f7271081a044d9184b7b3c49ee62448f8878";
const KAT_RECORD_CONTENT_BLAKE2B = "9e57b6ba6a87d0fad6d2ba18de6d15b3cbf59e14228d2ac2b05cad15985a8963";
