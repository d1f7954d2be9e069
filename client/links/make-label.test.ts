import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64url, generateVaultKey, toBase64url } from "@/crypto";
import { IntegrityError } from "../integrity";
import { openLinkLabel, sealLinkLabel } from "./make-label";

beforeAll(cryptoReady);

describe("a link's sealed label", () => {
  it("opens with the same vault key, and its size says nothing of a short label's length", () => {
    const vaultKey = generateVaultKey();
    const short = sealLinkLabel({ label: "Dr A", chosen: "3 records" }, vaultKey);
    const long = sealLinkLabel({ label: "x".repeat(80), chosen: "My summary (PDF and 12 records)" }, vaultKey);
    expect(openLinkLabel(short, vaultKey)).toEqual({ label: "Dr A", chosen: "3 records" });
    expect(openLinkLabel(long, vaultKey).label).toBe("x".repeat(80));
    expect(short.length).toBe(long.length);
    // Well under the server's 4 KiB, even for a label in a script of 3 UTF-8 bytes a character.
    expect(sealLinkLabel({ label: "診".repeat(80), chosen: "x".repeat(300) }, vaultKey).length).toBeLessThan(4096);
  });

  it("does not open under another vault key, nor altered", () => {
    const vaultKey = generateVaultKey();
    const sealed = sealLinkLabel({ label: "Clinic", chosen: "1 record" }, vaultKey);
    expect(() => openLinkLabel(sealed, generateVaultKey())).toThrow(IntegrityError);
    const bytes = fromBase64url(sealed);
    for (const at of [0, 20, bytes.length - 1]) {
      const altered = bytes.slice();
      altered[at]! ^= 1;
      expect(() => openLinkLabel(toBase64url(altered), vaultKey)).toThrow(IntegrityError);
    }
    expect(() => openLinkLabel(toBase64url(bytes.subarray(0, 50)), vaultKey)).toThrow(IntegrityError);
    expect(() => openLinkLabel("not base64url!", vaultKey)).toThrow(IntegrityError);
  });

  it("refuses a label over 80 characters", () => {
    expect(() => sealLinkLabel({ label: "x".repeat(81), chosen: "" }, generateVaultKey())).toThrow();
  });
});
