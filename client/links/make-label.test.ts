import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64url, generateVaultKey, toBase64url } from "@/crypto";
import { shlLimits } from "@/contract/links";
import { IntegrityError } from "../integrity";
import { cardLimits, type CardSettings } from "./card-settings";
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

  const card: CardSettings = {
    kinds: ["allergy", "medication", "condition"],
    recordIds: Array.from({ length: cardLimits.recordIds }, (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`),
    key: "k".repeat(43),
    name: "N".repeat(cardLimits.nameChars),
    birthDate: "1957-07-06",
    contacts: "診".repeat(cardLimits.contactsChars),
    includeContacts: true,
    digest: "0".repeat(64),
  };

  it("carries the emergency card's choices and key, within the server's 16 KiB at the most a card may choose", () => {
    const vaultKey = generateVaultKey();
    const sealed = sealLinkLabel({ label: "Emergency card", chosen: "Emergency set (100 records)", card }, vaultKey);
    expect(openLinkLabel(sealed, vaultKey)).toEqual({ label: "Emergency card", chosen: "Emergency set (100 records)", card });
    expect(fromBase64url(sealed).length).toBeLessThanOrEqual(shlLimits.sealedLabelMaxBytes);
  });

  it("refuses, as damaged, card settings not in their shape", () => {
    const vaultKey = generateVaultKey();
    for (const bad of [
      { ...card, key: "short" },
      { ...card, kinds: ["not-a-kind"] },
      { ...card, digest: "xyz" },
      { ...card, recordIds: [...card.recordIds, "one-more"] },
    ]) {
      const sealed = sealLinkLabel({ label: "Emergency card", chosen: "", card: bad as CardSettings }, vaultKey);
      expect(() => openLinkLabel(sealed, vaultKey)).toThrow(IntegrityError);
    }
  });
});
