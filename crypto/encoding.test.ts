import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeCanonical, encodeCanonical } from "./canonical";
import { fromBase64, fromBase64url, fromHex, toBase64, toBase64url, toHex } from "./encoding";
import { CryptoError } from "./errors";
import { cryptoReady } from "./sodium";
import { expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

describe("base64url", () => {
  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromBase64url(toBase64url(bytes))).toEqual(bytes);
      }),
    );
  });

  it("accepts only canonical text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64url(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
          return;
        }
        expect(toBase64url(decoded)).toBe(text);
      }),
    );
  });

  it("refuses padding, standard-alphabet characters and non-zero trailing bits", () => {
    expect(toBase64url(new Uint8Array([0xff]))).toBe("_w");
    for (const bad of ["_w==", "/w", "+w", "_x", "a", "a b"]) expectCryptoError(() => fromBase64url(bad), "malformed");
  });
});

describe("base64 (standard, padded)", () => {
  it("has RFC 4648's test vectors (known answer)", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase64(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(fromBase64(encoded))).toBe(plain);
    }
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe("+/8=");
  });

  it("round-trips any bytes, and agrees with Node's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = toBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
        expect(fromBase64(encoded)).toEqual(bytes);
      }),
    );
  });

  it("encodes and decodes megabytes in one call (no argument-spreading stack overflow)", () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, index) => (index * 31) & 0xff);
    const encoded = toBase64(bytes);
    expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
    // Compared as one buffer: toEqual walks megabytes element by element for seconds.
    expect(Buffer.from(fromBase64(encoded)).equals(bytes)).toBe(true);
  });

  it("reads text as other systems write it: wrapped lines, missing padding", () => {
    expect(new TextDecoder().decode(fromBase64("Zm9v\r\nYmFy"))).toBe("foobar");
    expect(new TextDecoder().decode(fromBase64(" Zm9vYg "))).toBe("foob");
    expect(new TextDecoder().decode(fromBase64("Zm9vYg"))).toBe("foob");
  });

  it("refuses what is not base64 with a CryptoError only", () => {
    for (const bad of ["Zg=", "Zm9v=", "Zg===", "Z", "Zh==", "Zm9v_w==", "Zm9v-w==", "Z=g=", "é", "Zm\u00a0g"])
      expectCryptoError(() => fromBase64(bad), "malformed");
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        try {
          fromBase64(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
        }
      }),
    );
  });
});

describe("hex", () => {
  it("round-trips and refuses anything but even-length lower-case hex", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
      }),
    );
    for (const bad of ["0", "0G", "AB", " 00"]) expectCryptoError(() => fromHex(bad), "malformed");
  });
});

const field = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ maxLength: 20 }).filter((text) => text.isWellFormed()),
  fc.maxSafeNat(),
);

describe("canonical encoding", () => {
  it("round-trips any label and field list", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((text) => text.isWellFormed()),
        fc.array(field, { maxLength: 8 }),
        (label, fields) => {
          expect(decodeCanonical(encodeCanonical(label, fields))).toEqual({ label, fields });
        },
      ),
    );
  });

  it("gives different bytes for different field lists", () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 4 }), fc.array(field, { maxLength: 4 }), (a, b) => {
        fc.pre(JSON.stringify(decodeCanonical(encodeCanonical("x", a))) !== JSON.stringify(decodeCanonical(encodeCanonical("x", b))));
        expect(toHex(encodeCanonical("x", a))).not.toBe(toHex(encodeCanonical("x", b)));
      }),
    );
    // The classic ambiguity of plain concatenation: ("ab","c") vs ("a","bc"); and string vs bytes vs number.
    expect(toHex(encodeCanonical("x", ["ab", "c"]))).not.toBe(toHex(encodeCanonical("x", ["a", "bc"])));
    expect(toHex(encodeCanonical("x", ["1"]))).not.toBe(toHex(encodeCanonical("x", [1])));
    expect(toHex(encodeCanonical("x", [new Uint8Array([0x31])]))).not.toBe(toHex(encodeCanonical("x", ["1"])));
  });

  it("refuses trailing bytes, truncation and garbage without throwing anything but CryptoError", () => {
    const encoded = encodeCanonical("label", ["a", 5, new Uint8Array([1, 2])]);
    expectCryptoError(() => decodeCanonical(new Uint8Array([...encoded, 0])), "malformed");
    for (let length = 0; length < encoded.length; length++) expectCryptoError(() => decodeCanonical(encoded.slice(0, length)));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const decoded = decodeCanonical(bytes);
          expect(encodeCanonical(decoded.label, decoded.fields)).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
        }
      }),
    );
  });

  it("refuses values it cannot encode exactly", () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expectCryptoError(() => encodeCanonical("x", [bad]), "invalid-argument");
    }
  });

  it("has a fixed layout (known answer)", () => {
    expect(toHex(encodeCanonical("L", ["a", 1, new Uint8Array([0xff])]))).toBe(
      "014843" + "00000001" + "4c" + "00000003" + "02" + "00000001" + "61" + "03" + "0000000000000001" + "01" + "00000001" + "ff",
    );
  });
});
