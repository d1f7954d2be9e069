import fc from "fast-check";
import { SHL } from "kill-the-clipboard";
import { beforeAll, describe, expect, it } from "vitest";
import details from "@/fixtures/shl/IPS_IG-bundle-01-shl-details.json";
import { fromBase64url, toBase64url, utf8 } from "./encoding";
import { decodeShlink, encodeShlink, newShlKey, ShlFormatError, type ShlFormatReason, type ShlinkPayload } from "./shl-link";
import { cryptoReady } from "./sodium";

beforeAll(cryptoReady);

const key = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";
const base: ShlinkPayload = { url: "https://example.org/api/shl/abc", key };

function expectFormatError(run: () => unknown, reason: ShlFormatReason): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a ShlFormatError").toBeInstanceOf(ShlFormatError);
  expect((caught as ShlFormatError).reason).toBe(reason);
}

/** A link text whose payload is exactly this JSON, bypassing encodeShlink's checks. */
const raw = (json: string) => "shlink:/" + toBase64url(utf8(json));

describe("SMART Health Link payload (known answers from the IG)", () => {
  it("encodes the IG's payload to its exact shlink:/ text", () => {
    expect(encodeShlink(details.shlinkJsonPayload as ShlinkPayload)).toBe(details.shlink);
  });

  it("decodes the IG's bare link and its viewer-prefixed link to the payload, in the same key order", () => {
    expect(decodeShlink(details.shlink)).toEqual(details.shlinkJsonPayload);
    const decoded = decodeShlink(details.shlinkBare);
    expect(Object.keys(decoded)).toEqual(["url", "flag", "key", "label"]);
    expect(encodeShlink(decoded)).toBe(details.shlink);
  });
});

describe("SMART Health Link payload", () => {
  it("round-trips every valid payload (property)", () => {
    const payloads = fc.record(
      {
        url: fc.constantFrom("https://a.example/m/x", "http://localhost:3830/f", "http://127.0.0.1/x", "http://[::1]:8/y"),
        key: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64url),
        exp: fc.integer({ min: 1, max: 2 ** 40 }),
        flag: fc.constantFrom("", "L", "P", "U", "LP", "LU", "PL"),
        label: fc.string({ maxLength: 80 }),
        v: fc.constant(1 as const),
      },
      { requiredKeys: ["url", "key"] },
    );
    fc.assert(
      fc.property(payloads, (payload) => {
        const text = encodeShlink(payload);
        expect(text.startsWith("shlink:/")).toBe(true);
        expect(decodeShlink(text)).toEqual(payload);
        expect(decodeShlink(`https://viewer.example/links/open#${text}`)).toEqual(payload);
        expect(decodeShlink(`  \n${text}\n `)).toEqual(payload);
      }),
    );
  });

  it("is read by kill-the-clipboard, and reads its links", () => {
    const text = encodeShlink({ url: "https://example.org/api/shl/abc", flag: "P", key, exp: 2_000_000_000, label: "For Dr Who", v: 1 });
    const theirs = SHL.parse(text);
    expect(theirs.url).toBe("https://example.org/api/shl/abc");
    expect(theirs.key).toBe(key);
    expect(theirs.flag).toBe("P");
    expect(theirs.label).toBe("For Dr Who");

    const made = SHL.generate({ baseManifestURL: "https://shl.example/", manifestPath: "/manifest.json", flag: "LP", label: "Theirs" });
    const ours = decodeShlink(made.toURI());
    expect(ours).toMatchObject({ url: made.url, key: made.key, flag: "LP", label: "Theirs", v: 1 });
  });

  it("accepts padding some encoders add, and drops fields it does not know", () => {
    const text = raw(JSON.stringify({ url: base.url, key, extra: "ignored", flag: "U" }));
    expect(decodeShlink(`${text}==`)).toEqual({ url: base.url, key, flag: "U" });
  });

  it("refuses text that is not a link", () => {
    for (const text of ["", "hello", "https://viewer.example/#notshlink", "shlink:", "xshlink:/abc"]) expectFormatError(() => decodeShlink(text), "not-a-link");
    expectFormatError(() => decodeShlink(42 as unknown as string), "not-a-link");
  });

  it("refuses data that is not base64url JSON of an object", () => {
    for (const text of ["shlink:/", "shlink:/!!!!", "shlink:/a", raw("not json"), raw("[1,2]"), raw("null"), raw('"x"')]) {
      expectFormatError(() => decodeShlink(text), "encoding");
    }
    expectFormatError(() => decodeShlink("shlink:/" + toBase64url(Uint8Array.of(0xff, 0xfe, 0x7b))), "encoding");
  });

  it.each<[string, Record<string, unknown>, ShlFormatReason]>([
    ["a missing url", { key }, "url"],
    ["a relative url", { url: "/api/shl/x", key }, "url"],
    ["plain http to another host", { url: "http://example.org/x", key }, "url"],
    ["another scheme", { url: "ftp://example.org/x", key }, "url"],
    ["javascript:", { url: "javascript:alert(1)", key }, "url"],
    ["credentials in the url", { url: "https://u:p@example.org/x", key }, "url"],
    ["a missing key", { url: base.url }, "key"],
    ["a short key", { url: base.url, key: key.slice(1) }, "key"],
    ["a long key", { url: base.url, key: key + "A" }, "key"],
    ["a key in standard base64", { url: base.url, key: key.slice(0, 42) + "+" }, "key"],
    ["a key with non-zero unused bits", { url: base.url, key: key.slice(0, 42) + "R" }, "key"],
    ["exp zero", { ...base, exp: 0 }, "exp"],
    ["exp negative", { ...base, exp: -5 }, "exp"],
    ["exp fractional", { ...base, exp: 1.5 }, "exp"],
    ["exp as text", { ...base, exp: "1700000000" }, "exp"],
    ["an unknown flag", { ...base, flag: "X" }, "flag"],
    ["U with P", { ...base, flag: "PU" }, "flag"],
    ["a repeated flag", { ...base, flag: "LL" }, "flag"],
    ["lower-case flags", { ...base, flag: "u" }, "flag"],
    ["a label of 81 characters", { ...base, label: "x".repeat(81) }, "label"],
    ["a label that is not text", { ...base, label: 5 }, "label"],
    ["version 2", { ...base, v: 2 }, "version"],
    ["version as text", { ...base, v: "1" }, "version"],
  ])("refuses %s, in both directions", (_name, payload, reason) => {
    expectFormatError(() => decodeShlink(raw(JSON.stringify(payload))), reason);
    expectFormatError(() => encodeShlink(payload as unknown as ShlinkPayload), reason);
  });

  it("counts a label's length in characters, not UTF-16 units", () => {
    const label = "🩺".repeat(80);
    expect(decodeShlink(encodeShlink({ ...base, label })).label).toBe(label);
  });

  it("never echoes the input in its message", () => {
    try {
      decodeShlink(raw(JSON.stringify({ url: "https://secret.example/x", key: "secret-key" })));
    } catch (error) {
      expect(String((error as Error).message)).not.toMatch(/secret/);
    }
  });
});

describe("newShlKey", () => {
  it("is 32 fresh bytes as 43 base64url characters", () => {
    const keys = new Set(Array.from({ length: 1000 }, newShlKey));
    expect(keys.size).toBe(1000);
    for (const made of keys) {
      expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fromBase64url(made)).toHaveLength(32);
    }
  });
});
