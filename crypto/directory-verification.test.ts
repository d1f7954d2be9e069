import { beforeAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "./canonical";
import { signDirectoryVerification, verifyDirectoryVerification, type DirectoryVerificationStatement } from "./directory-verification";
import { toHex } from "./encoding";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const statement = (): DirectoryVerificationStatement => ({
  action: "verify",
  statementId: "s1",
  clinicianId: "c1",
  clinicianIdentityPublicKey: bytesFrom(7, 32),
  displayName: "Dr. Amara Okafor",
  specialty: "Cardiology",
  organization: "Riverside Clinic",
  licenceNumber: "GMC 1234567",
  adminId: "a1",
  adminName: "Ada Admin",
  issuedAt: 1_767_225_600_000,
});

// Ed25519 is deterministic: the seed-90 key's signatures over the statement above, computed apart from
// this code (Python's struct for the canonical layout, the cryptography package's Ed25519).
const KAT_VERIFY = "f498c6228ccaa8ecccbb15aa2fd58638d844e5e7ec4f323a2a2917b2c01851adf83930dcc8eac90a46defaa5e39a16f8c48fba06f3691de457d8b020bc0ba608";
const KAT_REVOKE = "19d1913855d128d24520c8ec4dccb5ed6da27715a5f7c89df067b85896c421312e73ae884a78754d20460330d8cce6a0f2b1dc16333737ccb0fd71eaf2592304";

describe("directory verification statements", () => {
  it("verify for exactly what the administrator signed", () => {
    const admin = generateIdentityKeyPair();
    const signature = signDirectoryVerification(statement(), admin.secretKey);
    verifyDirectoryVerification(statement(), signature, admin.publicKey);
    for (const changed of [
      { statementId: "s2" },
      { clinicianId: "c2" },
      { clinicianIdentityPublicKey: bytesFrom(8, 32) },
      { displayName: "Dr. Amara Okafor " },
      { specialty: "Oncology" },
      { organization: "Hillside Clinic" },
      { licenceNumber: "GMC 1234568" },
      { adminId: "a2" },
      { adminName: "Eve" },
      { issuedAt: 1_767_225_600_001 },
    ]) {
      expectCryptoError(() => verifyDirectoryVerification({ ...statement(), ...changed }, signature, admin.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyDirectoryVerification(statement(), signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });

  it("never read a verification as a revocation, nor the other way round", () => {
    const admin = generateIdentityKeyPair();
    const revocation = { ...statement(), action: "revoke" as const, licenceNumber: "" };
    const revoked = signDirectoryVerification(revocation, admin.secretKey);
    verifyDirectoryVerification(revocation, revoked, admin.publicKey);
    expectCryptoError(() => verifyDirectoryVerification({ ...revocation, action: "verify" }, revoked, admin.publicKey), "authentication-failed");
    const verified = signDirectoryVerification(statement(), admin.secretKey);
    expectCryptoError(() => verifyDirectoryVerification({ ...statement(), action: "revoke" }, verified, admin.publicKey), "authentication-failed");
  });

  it("refuse a signature with any byte flipped, and malformed arguments", () => {
    const admin = generateIdentityKeyPair();
    const signature = signDirectoryVerification(statement(), admin.secretKey);
    for (let index = 0; index < signature.length; index += 1) {
      const tampered = Uint8Array.from(signature);
      tampered[index]! ^= 0x01;
      expectCryptoError(() => verifyDirectoryVerification(statement(), tampered, admin.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyDirectoryVerification(statement(), signature.slice(1), admin.publicKey), "malformed");
    expectCryptoError(() => verifyDirectoryVerification(statement(), signature, admin.publicKey.slice(1)), "invalid-key");
    expectCryptoError(() => signDirectoryVerification({ ...statement(), clinicianIdentityPublicKey: bytesFrom(1, 31) }, admin.secretKey), "invalid-key");
    expectCryptoError(() => signDirectoryVerification({ ...statement(), issuedAt: -1 }, admin.secretKey), "invalid-argument");
    expectCryptoError(() => signDirectoryVerification({ ...statement(), action: "other" as "verify" }, admin.secretKey), "invalid-argument");
  });

  it("sign the canonical message written out by hand (known answer)", () => {
    const admin = identityKeyPairFromSeed(bytesFrom(90, 32));
    const s = statement();
    // The message's first bytes (magic, label length 29, label) as written out by hand.
    const message = encodeCanonical("hsc/v1/directory-verification", [
      s.statementId,
      s.clinicianId,
      s.clinicianIdentityPublicKey,
      s.displayName,
      s.specialty,
      s.organization,
      s.licenceNumber,
      s.adminId,
      s.adminName,
      s.issuedAt,
    ]);
    expect(toHex(message).slice(0, 76)).toBe("0148430000001d6873632f76312f6469726563746f72792d766572696669636174696f6e0000");
    expect(toHex(signDirectoryVerification(s, admin.secretKey))).toBe(KAT_VERIFY);
    expect(toHex(signDirectoryVerification({ ...s, action: "revoke", licenceNumber: "" }, admin.secretKey))).toBe(KAT_REVOKE);
  });
});
