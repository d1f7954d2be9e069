import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { bucketSize, padToBucket, padToSize, unpadBucket } from "./padding";
import { cryptoReady, lib } from "./sodium";
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

  it("gives exactly libsodium's sodium_pad of the whole plaintext (known answer)", () => {
    for (let length = 0; length <= 1100; length++) {
      const data = Uint8Array.from({ length }, (_, index) => (index * 37 + length) & 0xff);
      expect(toHex(padToBucket(data))).toBe(toHex(lib().pad(data, bucketSize(length))));
      if (length < 1024) expect(toHex(padToSize(data, 1024))).toBe(toHex(lib().pad(data, 1024)));
    }
    expect(toHex(padToBucket(new Uint8Array(4000), 4096))).toBe(toHex(lib().pad(new Uint8Array(4000), 4096)));
    expect(toHex(padToBucket(Uint8Array.of(0xaa)).subarray(0, 6))).toBe("aa8000000000");
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

  it("starts at a larger bucket when a format asks for one", () => {
    expect(bucketSize(0, 4096)).toBe(4096);
    expect(bucketSize(4095, 4096)).toBe(4096);
    expect(bucketSize(4096, 4096)).toBe(8192);
    expect(padToBucket(new Uint8Array(10), 4096).length).toBe(padToBucket(new Uint8Array(3000), 4096).length);
    expect(unpadBucket(padToBucket(Uint8Array.of(1, 2, 3), 4096), 4096)).toEqual(Uint8Array.of(1, 2, 3));
    expectCryptoError(() => unpadBucket(padToBucket(Uint8Array.of(1, 2, 3)), 4096), "malformed");
    expectCryptoError(() => bucketSize(1, 1000), "invalid-argument");
    expectCryptoError(() => bucketSize(1, 128), "invalid-argument");
  });

  it("pads to one fixed size whatever the length, and refuses what does not fit", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1023 }), (data) => {
        const padded = padToSize(data, 1024);
        expect(padded.length).toBe(1024);
        expect(unpadBucket(padded)).toEqual(data);
      }),
    );
    expectCryptoError(() => padToSize(new Uint8Array(1024), 1024), "invalid-argument");
  });

  it("is ISO/IEC 7816-4: the data, one 0x80 byte, then zeros (known answer)", () => {
    expect(toHex(padToSize(Uint8Array.of(0xab, 0xcd), 8))).toBe("abcd800000000000");
    const padded = padToBucket(Uint8Array.of(0x01));
    expect(toHex(padded.subarray(0, 3))).toBe("018000");
    expect(padded.subarray(2).every((byte) => byte === 0)).toBe(true);
  });
});
