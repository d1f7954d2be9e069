import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { nonceBytes } from "./envelope";
import { generateRecordKey } from "./record-content";
import { unwrapRecordKey, wrapRecordKey, wrapRecordKeyWithNonce, wrapRecordKeys } from "./record-key-wrap";
import { generateShareKey } from "./share-key";
import { cryptoReady } from "./sodium";
import { anyKey, bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

beforeAll(cryptoReady);

const wrap = { recordId: "rec-1", keyVersion: 1, grantId: "grant-1" };

describe("record-key wrap", () => {
  it("round-trips, singly and in a batch", () => {
    const shareKey = generateShareKey();
    const recordKey = generateRecordKey();
    expect(unwrapRecordKey(wrapRecordKey(recordKey, shareKey, wrap), shareKey, wrap)).toEqual(recordKey);
    const items = Array.from({ length: 20 }, (_, index) => ({ recordKey: generateRecordKey(), recordId: `rec-${index}`, keyVersion: index + 1 }));
    const wraps = wrapRecordKeys(items, shareKey, { grantId: "grant-9" });
    wraps.forEach((envelope, index) => {
      const item = items[index]!;
      expect(unwrapRecordKey(envelope, shareKey, { recordId: item.recordId, keyVersion: item.keyVersion, grantId: "grant-9" })).toEqual(item.recordKey);
    });
  });

  it("fails on any flipped bit, truncation or wrong share key", () => {
    const shareKey = generateShareKey();
    const envelope = wrapRecordKey(generateRecordKey(), shareKey, wrap);
    expectEveryByteTamperFails(envelope, (tampered) => unwrapRecordKey(tampered, shareKey, wrap));
    expectTruncationFails(envelope, (truncated) => unwrapRecordKey(truncated, shareKey, wrap));
    expectCryptoError(() => unwrapRecordKey(envelope, generateShareKey(), wrap), "authentication-failed");
  });

  it.each([
    ["another record (a wrap re-used on another record)", { ...wrap, recordId: "rec-2" }],
    ["another key version", { ...wrap, keyVersion: 2 }],
    ["another grant", { ...wrap, grantId: "grant-2" }],
    ["the owner's slot", { ...wrap, grantId: "owner" }],
  ])("does not open for %s", (_label, wrong) => {
    const shareKey = generateShareKey();
    const envelope = wrapRecordKey(generateRecordKey(), shareKey, wrap);
    expectCryptoError(() => unwrapRecordKey(envelope, shareKey, wrong), "authentication-failed");
  });

  it("gives each wrap in a batch its own nonce, across 100,000 wraps", () => {
    const shareKey = generateShareKey();
    const recordKey = generateRecordKey();
    const items = Array.from({ length: 100_000 }, (_, index) => ({ recordKey, recordId: "r", keyVersion: index }));
    const nonces = new Set(wrapRecordKeys(items, shareKey, { grantId: "g" }).map((envelope) => toHex(envelope.subarray(2, 2 + nonceBytes))));
    expect(nonces.size).toBe(100_000);
    // A generous limit: this is a correctness check, and a busy 2-core machine is slow at 100,000 AEAD seals.
  }, 60_000);

  it("gives fixed bytes for fixed keys and nonce (known answer)", () => {
    expect(toHex(wrapRecordKeyWithNonce(anyKey(bytesFrom(10, 32)), anyKey(bytesFrom(11, 32)), wrap, bytesFrom(12, 24)))).toBe(KAT_RECORD_KEY_WRAP);
  });
});

const KAT_RECORD_KEY_WRAP =
  "01040c2b4a6988a7c6e504234261809fbeddfc1b3a597897b6d5fb5302472f92d8ad8a96dcd6ea56c8688ec54ab9c667" + "a8020db4e3fe44cfa90eef4ae2715d723794941ef4988d7075a7";
