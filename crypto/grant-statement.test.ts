import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { signGrant, verifyGrant, wrapsDigest, type GrantStatement } from "./grant-statement";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const statement = (): GrantStatement => ({
  grantId: "g1",
  patientId: "p1",
  clinicianId: "c1",
  clinicianKeyFingerprint: bytesFrom(1, 32),
  scope: "records",
  permission: "read",
  expiresAt: 0,
  recordIds: ["r2", "r1"],
  wrapsDigest: bytesFrom(2, 32),
});

describe("grant statements", () => {
  it("verify for exactly what the patient signed, whatever the order of listed records", () => {
    const patient = generateIdentityKeyPair();
    const signature = signGrant(statement(), patient.secretKey);
    verifyGrant({ ...statement(), recordIds: ["r1", "r2"] }, signature, patient.publicKey);
    for (const changed of [
      { grantId: "g2" },
      { clinicianId: "c2" },
      { clinicianKeyFingerprint: bytesFrom(9, 32) },
      { scope: "all" as const },
      { permission: "contribute" as const },
      { expiresAt: 1 },
      { recordIds: ["r1"] },
      { recordIds: ["r1", "r2", "r3"] },
      { wrapsDigest: bytesFrom(3, 32) },
    ]) {
      expectCryptoError(() => verifyGrant({ ...statement(), ...changed }, signature, patient.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyGrant(statement(), signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });

  it("digest wraps independently of their order, and changes with any wrap", () => {
    const wraps = [
      { recordId: "b", keyVersion: 1, wrappedKey: bytesFrom(4, 74) },
      { recordId: "a", keyVersion: 2, wrappedKey: bytesFrom(5, 74) },
    ];
    expect(toHex(wrapsDigest(wraps))).toBe(toHex(wrapsDigest([...wraps].reverse())));
    expect(toHex(wrapsDigest(wraps))).not.toBe(toHex(wrapsDigest([wraps[0]!, { ...wraps[1]!, keyVersion: 3 }])));
  });

  it("is deterministic for a fixed key (known answer)", () => {
    const patient = identityKeyPairFromSeed(bytesFrom(90, 32));
    expect(toHex(signGrant(statement(), patient.secretKey))).toHaveLength(128);
    expect(toHex(signGrant(statement(), patient.secretKey))).toBe(toHex(signGrant(statement(), patient.secretKey)));
  });
});
