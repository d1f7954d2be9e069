import fc from "fast-check";
import { decryptSHLFile, encryptSHLFile } from "kill-the-clipboard";
import { beforeAll, describe, expect, it } from "vitest";
import details from "@/fixtures/shl/IPS_IG-bundle-01-shl-details.json";
import ipsText from "@/fixtures/shl/IPS_IG-bundle-01.json?raw";
import ipsJwe from "@/fixtures/shl/IPS_IG-bundle-01-enc.txt?raw";
import { CryptoError } from "./errors";
import { fromBase64url, fromUtf8, toBase64url, utf8 } from "./encoding";
import { decryptShlFile, encryptShlFile, maxShlPlaintextBytes, ShlDecryptError, type ShlDecryptReason } from "./shl-jwe";
import { newShlKey } from "./shl-link";
import { cryptoReady } from "./sodium";

beforeAll(cryptoReady);

const fhir = "application/fhir+json";

async function expectDecryptError(run: Promise<unknown>, reason?: ShlDecryptReason): Promise<ShlDecryptError> {
  const caught = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught, "expected a ShlDecryptError").toBeInstanceOf(ShlDecryptError);
  if (reason) expect((caught as ShlDecryptError).reason).toBe(reason);
  return caught as ShlDecryptError;
}

const header = (jwe: string) => JSON.parse(fromUtf8(fromBase64url(jwe.split(".")[0]!))) as Record<string, unknown>;

describe("SMART Health Links files (known answers from the IG)", () => {
  it("the IG's JWE decrypts with the IG's key to exactly the IPS bundle", async () => {
    const { plaintext, contentType } = await decryptShlFile(ipsJwe, details.shlinkJsonPayload.key);
    const text = fromUtf8(plaintext);
    expect(JSON.parse(text)).toEqual(JSON.parse(ipsText));
    // Byte for byte too, but for the trailing newline the fixture file has.
    expect(text.trimEnd()).toBe(ipsText.trimEnd());
    // The IG's file names no content type and is not compressed: both are read.
    expect(contentType).toBeUndefined();
    expect(header(ipsJwe)).not.toHaveProperty("zip");
  });

  it("the IG's JWE is refused under another key", async () => {
    await expectDecryptError(decryptShlFile(ipsJwe, newShlKey()), "authentication-failed");
  });
});

describe("SMART Health Links files", () => {
  it("round-trips text and bytes with the header STU1 asks for", async () => {
    const key = newShlKey();
    const jwe = await encryptShlFile(ipsText, key, fhir);
    expect(header(jwe)).toEqual({ alg: "dir", enc: "A256GCM", zip: "DEF", cty: fhir });
    expect(jwe.split(".")[1]).toBe("");
    // DEFLATE works: the JSON shrinks.
    expect(jwe.length).toBeLessThan(ipsText.length);
    const opened = await decryptShlFile(jwe, key);
    expect(fromUtf8(opened.plaintext)).toBe(ipsText);
    expect(opened.contentType).toBe(fhir);

    const bytes = Uint8Array.from({ length: 5000 }, (_, index) => (index * 7) & 0xff);
    const binary = await decryptShlFile(await encryptShlFile(bytes, key, "application/pdf"), key);
    expect(binary.plaintext).toEqual(bytes);
    expect(binary.contentType).toBe("application/pdf");
  });

  it("round-trips any content (property)", async () => {
    const key = newShlKey();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        expect((await decryptShlFile(await encryptShlFile(bytes, key, "application/octet-stream"), key)).plaintext).toEqual(bytes);
      }),
      { numRuns: 50 },
    );
  });

  it("uses a fresh IV each time", async () => {
    const key = newShlKey();
    const ivs = new Set<string>();
    for (let index = 0; index < 50; index++) ivs.add((await encryptShlFile("same", key, fhir)).split(".")[2]!);
    expect(ivs.size).toBe(50);
  });

  it("refuses a changed byte in every part: header, encrypted key, IV, ciphertext and tag", async () => {
    const key = newShlKey();
    const jwe = await encryptShlFile('{"resourceType":"Bundle","type":"collection","entry":[]}', key, fhir);
    const parts = jwe.split(".");
    const changed = (index: number, change: (bytes: Uint8Array) => Uint8Array) => {
      const copy = [...parts];
      copy[index] = toBase64url(change(index === 1 ? new Uint8Array() : fromBase64url(parts[index]!)));
      return copy.join(".");
    };
    for (const index of [0, 2, 3, 4]) {
      const length = fromBase64url(parts[index]!).length;
      for (let position = 0; position < length; position++) {
        await expectDecryptError(
          decryptShlFile(
            changed(index, (bytes) => {
              const copy = bytes.slice();
              copy[position]! ^= 1 << (position % 8);
              return copy;
            }),
            key,
          ),
        );
      }
    }
    // Under "dir" the encrypted key is empty: any byte there is refused.
    await expectDecryptError(
      decryptShlFile(
        changed(1, () => Uint8Array.of(0)),
        key,
      ),
      "malformed",
    );
    // A tag or IV of the wrong length, a part dropped or added.
    await expectDecryptError(
      decryptShlFile(
        changed(4, (bytes) => bytes.subarray(1)),
        key,
      ),
    );
    await expectDecryptError(
      decryptShlFile(
        changed(2, (bytes) => Uint8Array.of(...bytes, 0)),
        key,
      ),
    );
    await expectDecryptError(decryptShlFile(parts.slice(0, 4).join("."), key), "malformed");
    await expectDecryptError(decryptShlFile(`${jwe}.x`, key), "malformed");
  });

  it("refuses a base64url character that decodes to the same bytes (non-canonical unused bits)", async () => {
    const key = newShlKey();
    const parts = (await encryptShlFile("x", key, fhir)).split(".");
    // A 16-byte tag is 22 characters; the last carries 4 unused bits.
    const tag = parts[4]!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = tag.slice(0, -1) + alphabet[alphabet.indexOf(tag.at(-1)!) + 1];
    expect(fromBase64url.bind(null, twin)).toThrow(CryptoError);
    await expectDecryptError(decryptShlFile([...parts.slice(0, 4), twin].join("."), key), "malformed");
  });

  it("refuses the wrong key", async () => {
    const jwe = await encryptShlFile("secret", newShlKey(), fhir);
    await expectDecryptError(decryptShlFile(jwe, newShlKey()), "authentication-failed");
  });

  it("refuses other algorithms and non-JWE text", async () => {
    const key = newShlKey();
    const jwe = await encryptShlFile("x", key, fhir);
    const withHeader = (fields: Record<string, unknown>) => [toBase64url(utf8(JSON.stringify(fields))), ...jwe.split(".").slice(1)].join(".");
    await expectDecryptError(decryptShlFile(withHeader({ alg: "dir", enc: "A128GCM", zip: "DEF" }), key), "malformed");
    await expectDecryptError(decryptShlFile(withHeader({ alg: "A256KW", enc: "A256GCM" }), key), "malformed");
    await expectDecryptError(decryptShlFile(withHeader({ alg: "dir", enc: "A256GCM", zip: "GZ" }), key), "malformed");
    await expectDecryptError(decryptShlFile("not a jwe", key), "malformed");
    await expectDecryptError(decryptShlFile("", key), "malformed");
    await expectDecryptError(decryptShlFile(undefined as unknown as string, key), "malformed");
  });

  it("refuses a file that inflates beyond the limit", async () => {
    const key = newShlKey();
    const jwe = await encryptShlFile(new Uint8Array(maxShlPlaintextBytes + 1), key, fhir);
    expect(jwe.length).toBeLessThan(200_000);
    await expectDecryptError(decryptShlFile(jwe, key), "too-large");
    // 64 MiB deflated and inflated: seconds on a loaded machine.
  }, 60_000);

  it("refuses keys that are not 32 bytes of base64url", async () => {
    for (const key of ["", "abc", newShlKey() + "A", newShlKey().slice(0, 42) + "+", newShlKey().slice(0, 42) + "R"]) {
      await expect(encryptShlFile("x", key, fhir)).rejects.toMatchObject({ name: "CryptoError", code: "invalid-key" });
      await expect(decryptShlFile("a.b.c.d.e", key)).rejects.toMatchObject({ name: "CryptoError", code: "invalid-key" });
    }
    await expect(encryptShlFile("x", newShlKey(), "")).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("says nothing of the key or content in its errors", async () => {
    const key = newShlKey();
    const error = await expectDecryptError(decryptShlFile(await encryptShlFile("PLAINTEXT-CANARY", newShlKey(), fhir), key));
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain("CANARY");
  });
});

describe("interoperability with kill-the-clipboard", () => {
  it("its encryptSHLFile output (compressed or not) decrypts with ours", async () => {
    const key = newShlKey();
    for (const enableCompression of [true, false]) {
      const theirs = await encryptSHLFile({ content: ipsText, key, contentType: fhir, enableCompression });
      const opened = await decryptShlFile(theirs, key);
      expect(fromUtf8(opened.plaintext)).toBe(ipsText);
      expect(opened.contentType).toBe(fhir);
    }
  });

  it("ours decrypts with its decryptSHLFile", async () => {
    const key = newShlKey();
    const ours = await encryptShlFile(ipsText, key, "application/smart-health-card");
    expect(await decryptSHLFile({ jwe: ours, key })).toEqual({ content: ipsText, contentType: "application/smart-health-card" });
  });

  it("it decrypts the IG's file as we do", async () => {
    const theirs = await decryptSHLFile({ jwe: ipsJwe.trim(), key: details.shlinkJsonPayload.key });
    expect(JSON.parse(theirs.content)).toEqual(JSON.parse(ipsText));
  });
});
