import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64url, generateVaultKey, toBase64url } from "@/crypto";
import { isIntegrityError } from "../integrity";
import { openEmergencyChoice, sealEmergencyChoice } from "./choice-seal";

beforeAll(cryptoReady);

const failure = (action: () => unknown) => {
  try {
    action();
  } catch (caught) {
    if (isIntegrityError(caught)) return caught.code;
    throw caught;
  }
  return "opened";
};

describe("the sealed emergency choice", () => {
  const choice = { kinds: ["allergy", "medication"] as const, recordIds: [randomUUID()] };

  it("opens with the same vault key for the same grant", () => {
    const vaultKey = generateVaultKey();
    const grantId = randomUUID();
    expect(openEmergencyChoice(sealEmergencyChoice({ ...choice, kinds: [...choice.kinds] }, grantId, vaultKey), grantId, vaultKey)).toEqual({
      kinds: ["allergy", "medication"],
      recordIds: choice.recordIds,
    });
  });

  it("does not open under another vault, for another grant, or altered", () => {
    const vaultKey = generateVaultKey();
    const grantId = randomUUID();
    const sealed = sealEmergencyChoice({ ...choice, kinds: [...choice.kinds] }, grantId, vaultKey);
    expect(failure(() => openEmergencyChoice(sealed, grantId, generateVaultKey()))).toBe("decrypt");
    expect(failure(() => openEmergencyChoice(sealed, randomUUID(), vaultKey))).toBe("decrypt");
    const bytes = fromBase64url(sealed);
    bytes[bytes.length - 1]! ^= 1;
    expect(failure(() => openEmergencyChoice(toBase64url(bytes), grantId, vaultKey))).toBe("decrypt");
  });
});
