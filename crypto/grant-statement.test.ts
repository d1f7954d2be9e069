import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { decodeGrantStatementFacts, encodeGrantStatementFacts, signGrant, verifyGrant, wrapsDigest, type GrantStatement } from "./grant-statement";
import { encodeCanonical } from "./canonical";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

// KAT_FIRST was computed before revisions existed: grants made then still verify.
const KAT_FIRST = "1f9c1566162f5c6f5b4ea0a9f99f2ee82542704de3f32fa818827116e9c74ddd6d833caf3869da00bf9f149075eb5fd383910c46e16a6885dde1245a13d75500";
const KAT_SECOND = "9be8a066284489f1b40bc8757af4ec65ad754a927effadc60d4518c3aa44dabf156549dd1e6dab1e6535dac32ee815f6b0c60934eb5f8fb222f05e5e2914a307";

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

  it("bind the revision of a changed grant: a signed change verifies only at its own revision", () => {
    const patient = generateIdentityKeyPair();
    const changed = { ...statement(), permission: "contribute" as const, recordIds: ["r3"], revision: 2 };
    const signature = signGrant(changed, patient.secretKey);
    verifyGrant(changed, signature, patient.publicKey);
    for (const revision of [undefined, 1, 3]) {
      expectCryptoError(() => verifyGrant({ ...changed, revision }, signature, patient.publicKey), "authentication-failed");
    }
    // The first revision is the same statement as one made before grants could change.
    const first = signGrant(statement(), patient.secretKey);
    verifyGrant({ ...statement(), revision: 1 }, first, patient.publicKey);
    expectCryptoError(() => verifyGrant({ ...statement(), revision: 2 }, first, patient.publicKey), "authentication-failed");
    for (const revision of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      expectCryptoError(() => signGrant({ ...statement(), revision }, patient.secretKey), "invalid-argument");
      expectCryptoError(() => verifyGrant({ ...statement(), revision }, first, patient.publicKey), "invalid-argument");
    }
  });

  it("refuse a changed statement with any byte of its signature flipped", () => {
    const patient = generateIdentityKeyPair();
    const changed = { ...statement(), revision: 5 };
    const signature = signGrant(changed, patient.secretKey);
    for (let index = 0; index < signature.length; index += 1) {
      const tampered = Uint8Array.from(signature);
      tampered[index]! ^= 0x01;
      expectCryptoError(() => verifyGrant(changed, tampered, patient.publicKey), "authentication-failed");
    }
  });

  it("sign known answers for a first and a changed revision", () => {
    const patient = identityKeyPairFromSeed(bytesFrom(90, 32));
    expect(toHex(signGrant(statement(), patient.secretKey))).toBe(KAT_FIRST);
    expect(toHex(signGrant({ ...statement(), revision: 1 }, patient.secretKey))).toBe(KAT_FIRST);
    expect(toHex(signGrant({ ...statement(), revision: 2 }, patient.secretKey))).toBe(KAT_SECOND);
  });

  it("is deterministic for a fixed key (known answer)", () => {
    const patient = identityKeyPairFromSeed(bytesFrom(90, 32));
    expect(toHex(signGrant(statement(), patient.secretKey))).toHaveLength(128);
    expect(toHex(signGrant(statement(), patient.secretKey))).toBe(toHex(signGrant(statement(), patient.secretKey)));
  });
});

describe("grant statement facts", () => {
  const fingerprint = Uint8Array.from({ length: 32 }, (_, index) => index);
  const digest = Uint8Array.from({ length: 32 }, (_, index) => 32 + index);
  // Written out with Python's struct module from the canonical layout, not with encodeCanonical.
  const knownListed =
    "014843000000166873632f76312f6772616e742d73746174656d656e74000000040100000020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0100000020202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f02000000057265632d6102000000057265632d62";
  const knownAll =
    "014843000000166873632f76312f6772616e742d73746174656d656e74000000020100000020000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0100000020202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

  it("encode to the known bytes, with and without listed records", () => {
    expect(toHex(encodeGrantStatementFacts({ clinicianKeyFingerprint: fingerprint, wrapsDigest: digest, recordIds: ["rec-a", "rec-b"] }))).toBe(knownListed);
    expect(toHex(encodeGrantStatementFacts({ clinicianKeyFingerprint: fingerprint, wrapsDigest: digest, recordIds: [] }))).toBe(knownAll);
  });

  it("decode the known bytes back", () => {
    const decoded = decodeGrantStatementFacts(Uint8Array.from(Buffer.from(knownListed, "hex")));
    expect(toHex(decoded.clinicianKeyFingerprint)).toBe(toHex(fingerprint));
    expect(toHex(decoded.wrapsDigest)).toBe(toHex(digest));
    expect(decoded.recordIds).toEqual(["rec-a", "rec-b"]);
    expect(decodeGrantStatementFacts(Uint8Array.from(Buffer.from(knownAll, "hex"))).recordIds).toEqual([]);
  });

  it.each([
    ["another label", encodeCanonical("hsc/v1/grant-records", [fingerprint, digest])],
    ["a string for the fingerprint", encodeCanonical("hsc/v1/grant-statement", ["x", digest])],
    ["bytes for a record id", encodeCanonical("hsc/v1/grant-statement", [fingerprint, digest, new Uint8Array(1)])],
    ["a number for a record id", encodeCanonical("hsc/v1/grant-statement", [fingerprint, digest, 7])],
    ["no digest", encodeCanonical("hsc/v1/grant-statement", [fingerprint])],
    ["trailing bytes", Uint8Array.from([...Buffer.from(knownAll, "hex"), 0])],
  ])("refuse %s", (_name, bytes) => {
    expectCryptoError(() => decodeGrantStatementFacts(bytes), "malformed");
  });
});
