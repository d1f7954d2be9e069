import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { signEmergencyGrant, verifyEmergencyGrant, type EmergencyStatement } from "./emergency-statement";
import { signGrant, verifyGrant } from "./grant-statement";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

// Ed25519 is deterministic: a change of label, field order or encoding changes this.
const KAT = "5e1dcde237fc389d62da6aef536f4f86737a4f47576973175e971c0dcb32329d484668032de2736b711b2b1a99fa3a2bdeb10895245c58eefe437d4c5f8fc008";

const statement = (): EmergencyStatement => ({
  grantId: "g1",
  patientId: "p1",
  contactId: "c1",
  contactKeyFingerprint: bytesFrom(1, 32),
  waitSeconds: 86_400,
  recordIds: ["r2", "r1"],
  wrapsDigest: bytesFrom(2, 32),
  revision: 1,
});

describe("emergency statements", () => {
  it("verify for exactly what the patient signed, whatever the order of the records", () => {
    const patient = generateIdentityKeyPair();
    const signature = signEmergencyGrant(statement(), patient.secretKey);
    verifyEmergencyGrant({ ...statement(), recordIds: ["r1", "r2"] }, signature, patient.publicKey);
    for (const changed of [
      { grantId: "g2" },
      { patientId: "p2" },
      { contactId: "c2" },
      { contactKeyFingerprint: bytesFrom(9, 32) },
      { waitSeconds: 0 },
      { recordIds: ["r1"] },
      { wrapsDigest: bytesFrom(3, 32) },
      { revision: 2 },
    ]) {
      expectCryptoError(() => verifyEmergencyGrant({ ...statement(), ...changed }, signature, patient.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyEmergencyGrant(statement(), signature, generateIdentityKeyPair().publicKey), "authentication-failed");
    const tampered = signature.slice();
    tampered[0]! ^= 1;
    expectCryptoError(() => verifyEmergencyGrant(statement(), tampered, patient.publicKey), "authentication-failed");
  });

  it("never verify as an ordinary grant, nor an ordinary grant as one", () => {
    const patient = generateIdentityKeyPair();
    const emergency = statement();
    const grant = {
      grantId: emergency.grantId,
      patientId: emergency.patientId,
      clinicianId: emergency.contactId,
      clinicianKeyFingerprint: emergency.contactKeyFingerprint,
      scope: "records" as const,
      permission: "read" as const,
      expiresAt: 0,
      recordIds: emergency.recordIds,
      wrapsDigest: emergency.wrapsDigest,
    };
    expectCryptoError(() => verifyGrant(grant, signEmergencyGrant(emergency, patient.secretKey), patient.publicKey), "authentication-failed");
    expectCryptoError(() => verifyEmergencyGrant(emergency, signGrant(grant, patient.secretKey), patient.publicKey), "authentication-failed");
  });

  it("refuse a revision below 1", () => {
    const patient = generateIdentityKeyPair();
    expectCryptoError(() => signEmergencyGrant({ ...statement(), revision: 0 }, patient.secretKey), "invalid-argument");
  });

  it("match the known answer", () => {
    const patient = identityKeyPairFromSeed(bytesFrom(90, 32));
    expect(toHex(signEmergencyGrant(statement(), patient.secretKey))).toBe(KAT);
  });
});
