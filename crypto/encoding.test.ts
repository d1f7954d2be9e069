import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeCanonical, encodeCanonical } from "./canonical";
import { fromBase64, fromBase64url, fromHex, toBase64, toBase64url, toHex } from "./encoding";
import { CryptoError } from "./errors";
import { cryptoReady, lib } from "./sodium";
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

  it("refuses every text whose trailing bits are not zero", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }).filter((bytes) => bytes.length % 3 !== 0),
        fc.integer({ min: 1, max: 15 }),
        (bytes, flip) => {
          const text = toBase64url(bytes);
          const unused = bytes.length % 3 === 1 ? 4 : 2;
          const last = alphabet.indexOf(text.at(-1)!);
          const altered = text.slice(0, -1) + alphabet[last ^ (flip & ((1 << unused) - 1))];
          fc.pre(altered !== text);
          expectCryptoError(() => fromBase64url(altered), "malformed");
        },
      ),
    );
  });

  it("agrees with libsodium's codec both ways (the platform's codec is used where there is one), and decodes into plain arrays", () => {
    const sodium = lib();
    const variant = sodium.base64_variants.URLSAFE_NO_PADDING;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = sodium.to_base64(bytes, variant);
        expect(toBase64url(bytes)).toBe(text);
        const decoded = fromBase64url(text);
        expect(Object.getPrototypeOf(decoded)).toBe(Uint8Array.prototype);
        expect(decoded).toEqual(sodium.from_base64(text, variant));
      }),
    );
    // A view into a larger buffer encodes only its own bytes.
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(toBase64url(whole.subarray(2, 4))).toBe(sodium.to_base64(new Uint8Array([3, 4]), variant));
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

  it("gives the bytes of the layout written field by field, for any fields (reference encoder)", () => {
    const u32 = (value: number) => [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
    const reference = (label: string, fields: Array<Uint8Array | string | number>) => {
      const bytes: number[] = [0x01, 0x48, 0x43, ...u32(new TextEncoder().encode(label).length), ...new TextEncoder().encode(label), ...u32(fields.length)];
      for (const field of fields) {
        if (typeof field === "number") {
          bytes.push(0x03);
          for (let shift = 56n; shift >= 0n; shift -= 8n) bytes.push(Number((BigInt(field) >> shift) & 0xffn));
        } else {
          const data = typeof field === "string" ? new TextEncoder().encode(field) : field;
          bytes.push(typeof field === "string" ? 0x02 : 0x01, ...u32(data.length), ...data);
        }
      }
      return Uint8Array.from(bytes);
    };
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30, unit: "binary" }).filter((text) => text.isWellFormed()),
        fc.array(field, { maxLength: 8 }),
        (label, fields) => {
          expect(toHex(encodeCanonical(label, fields))).toBe(toHex(reference(label, fields)));
        },
      ),
    );
    for (const text of ["", "0f8fad5b-d9cb-469f-a165-70867728950e", "\u007f", "é", "na\u00efve \u{1f600}", "\u0080"]) {
      expect(toHex(encodeCanonical("s", [text, "a"]))).toBe(toHex(reference("s", [text, "a"])));
    }
    for (const value of [0, 1, 0xffffffff, 0x100000000, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
      expect(toHex(encodeCanonical("n", [value]))).toBe(toHex(reference("n", [value])));
    }
  });

  it("has a fixed layout (known answer)", () => {
    expect(toHex(encodeCanonical("L", ["a", 1, new Uint8Array([0xff])]))).toBe(
      "014843" + "00000001" + "4c" + "00000003" + "02" + "00000001" + "61" + "03" + "0000000000000001" + "01" + "00000001" + "ff",
    );
  });
});
