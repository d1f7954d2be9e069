import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketSize, padToBucket, unpadBucket } from "./padding";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

describe("padding to power-of-two buckets", () => {
  it("round-trips and always lands on a bucket of at least 256 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => {
        const padded = padToBucket(data);
        expect(padded.length).toBe(bucketSize(data.length));
        expect(padded.length).toBeGreaterThan(data.length);
        expect(padded.length & (padded.length - 1)).toBe(0);
        expect(unpadBucket(padded)).toEqual(data);
      }),
    );
  });

  it("hides small differences in length", () => {
    expect(padToBucket(new Uint8Array(10)).length).toBe(padToBucket(new Uint8Array(200)).length);
    expect(bucketSize(255)).toBe(256);
    expect(bucketSize(256)).toBe(512);
  });

  it("refuses padding that is not its own", () => {
    expectCryptoError(() => unpadBucket(new Uint8Array(256)), "malformed");
    expectCryptoError(() => unpadBucket(new Uint8Array(300)), "malformed");
  });
});
