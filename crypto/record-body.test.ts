import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "./canonical";
import { toHex, utf8 } from "./encoding";
import { commitRecordDocument, decodeRecordBody, encodeRecordBody, generateCommitmentKey, verifyRecordBody } from "./record-body";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const context = { recordId: "0b3b8f7e-9c1a-4e55-8f00-3a1d2c4b5e6f", version: 2 };

describe("record body", () => {
  it("round-trips any document and access bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 200 }), (document, access) => {
        const commitmentKey = generateCommitmentKey();
        expect(decodeRecordBody(encodeRecordBody({ commitmentKey, document, access }))).toEqual({ commitmentKey, document, access });
      }),
      { numRuns: 50 },
    );
  });

  it("refuses anything but a body", () => {
    const key = generateCommitmentKey();
    const body = encodeRecordBody({ commitmentKey: key, document: utf8("{}"), access: new Uint8Array(0) });
    expectCryptoError(() => decodeRecordBody(body.subarray(0, body.length - 1)), "malformed");
    expectCryptoError(() => decodeRecordBody(encodeCanonical("hsc/v1/other", [key, utf8("{}"), new Uint8Array(0)])), "malformed");
    expectCryptoError(() => decodeRecordBody(encodeCanonical("hsc/v1/record-body", [key.subarray(1), utf8("{}"), new Uint8Array(0)])), "malformed");
    expectCryptoError(() => decodeRecordBody(encodeCanonical("hsc/v1/record-body", [key, "{}", new Uint8Array(0)])), "malformed");
    expectCryptoError(() => decodeRecordBody(encodeCanonical("hsc/v1/record-body", [key, utf8("{}")])), "malformed");
    expectCryptoError(() => encodeRecordBody({ commitmentKey: new Uint8Array(16), document: utf8("{}"), access: new Uint8Array(0) }), "invalid-key");
  });
});

describe("document commitment", () => {
  it("changes with the document, record, version or key, and hides the document", () => {
    const key = generateCommitmentKey();
    const base = commitRecordDocument(key, context, utf8("Penicillin"));
    expect(base).toHaveLength(32);
    expect(commitRecordDocument(key, context, utf8("Penicillin"))).toEqual(base);
    for (const other of [
      commitRecordDocument(key, context, utf8("Penicillim")),
      commitRecordDocument(key, { ...context, recordId: "another" }, utf8("Penicillin")),
      commitRecordDocument(key, { ...context, version: 3 }, utf8("Penicillin")),
      commitRecordDocument(generateCommitmentKey(), context, utf8("Penicillin")),
    ]) {
      expect(toHex(other)).not.toBe(toHex(base));
    }
    expectCryptoError(() => commitRecordDocument(new Uint8Array(31), context, utf8("x")), "invalid-key");
  });
});

describe("opening a body against its commitment", () => {
  it("accepts the committed document with any access part, and refuses any other document, record or version", () => {
    const commitmentKey = generateCommitmentKey();
    const document = utf8('{"v":1}');
    const commitment = commitRecordDocument(commitmentKey, context, document);
    for (const access of [new Uint8Array(0), utf8('{"blobId":"b"}')]) {
      expect(verifyRecordBody(encodeRecordBody({ commitmentKey, document, access }), commitment, context).document).toEqual(document);
    }
    const body = encodeRecordBody({ commitmentKey, document, access: new Uint8Array(0) });
    expectCryptoError(
      () => verifyRecordBody(encodeRecordBody({ commitmentKey, document: utf8('{"v":2}'), access: new Uint8Array(0) }), commitment, context),
      "authentication-failed",
    );
    expectCryptoError(
      () => verifyRecordBody(encodeRecordBody({ commitmentKey: generateCommitmentKey(), document, access: new Uint8Array(0) }), commitment, context),
      "authentication-failed",
    );
    expectCryptoError(() => verifyRecordBody(body, commitment, { ...context, version: 3 }), "authentication-failed");
    expectCryptoError(() => verifyRecordBody(body, commitment, { ...context, recordId: "other" }), "authentication-failed");
  });
});
