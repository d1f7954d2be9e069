import { describe, expect, it } from "vitest";
import { authenticatorName, proposePasskeyName } from "./passkey-names";
import { passkeyNameSchema } from "@/contract/account";

const yubiKey = "fa2b99dc-9e39-4257-8f92-4a30d23c4118";
const googlePasswordManager = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
const zero = "00000000-0000-0000-0000-000000000000";

describe("authenticatorName", () => {
  it("names listed authenticators by their AAGUID, whatever its letter case", () => {
    expect(authenticatorName(yubiKey)).toBe("YubiKey 5 Series with NFC");
    expect(authenticatorName(googlePasswordManager.toUpperCase())).toBe("Google Password Manager");
    expect(authenticatorName("08987058-cadc-4b81-b6e1-30de50dcbe96")).toBe("Windows Hello");
  });

  it("knows nothing of the all-zero AAGUID (the list calls it 'None'), an unlisted one, or none", () => {
    expect(authenticatorName(zero)).toBeNull();
    expect(authenticatorName("01020304-0506-0708-0102-030405060708")).toBeNull();
    expect(authenticatorName(undefined)).toBeNull();
    expect(authenticatorName("")).toBeNull();
  });
});

describe("proposePasskeyName", () => {
  it("prefers the authenticator's name to the browser's description", () => {
    expect(proposePasskeyName({ aaguid: yubiKey, proposed: "Chrome on Linux", taken: [] })).toBe("YubiKey 5 Series with NFC");
  });

  it("falls back to the browser's description for a zero or unknown AAGUID, and to 'Passkey' for an invalid one", () => {
    expect(proposePasskeyName({ aaguid: zero, proposed: "Chrome on Linux", taken: [] })).toBe("Chrome on Linux");
    expect(proposePasskeyName({ aaguid: zero, proposed: "bad\u0007name", taken: [] })).toBe("Passkey");
  });

  it("numbers a name the account already uses, ignoring letter case, within the length limit", () => {
    expect(proposePasskeyName({ aaguid: zero, proposed: "Chrome on Linux", taken: ["chrome on linux", "Chrome on Linux (2)"] })).toBe("Chrome on Linux (3)");
    const long = "L".repeat(64);
    const numbered = proposePasskeyName({ aaguid: zero, proposed: long, taken: [long] });
    expect(numbered).toBe(`${"L".repeat(60)} (2)`);
  });
});

describe("passkeyNameSchema", () => {
  it("trims and normalises a name, and keeps letters, digits, emoji and punctuation", () => {
    expect(passkeyNameSchema.parse("  Cafe\u0301 laptop  ")).toBe("Café laptop");
    expect(passkeyNameSchema.parse("Phone 👩‍⚕️ (work)")).toBe("Phone 👩‍⚕️ (work)");
  });

  it("refuses empty, too long and control-character names", () => {
    for (const name of ["", "   ", "x".repeat(65), "tab\there", "new\nline", "\u0000", "nul\u0085", "right\u202eto-left", "iso\u2066late", "line\u2028sep"]) {
      expect(passkeyNameSchema.safeParse(name).success, JSON.stringify(name)).toBe(false);
    }
  });
});
