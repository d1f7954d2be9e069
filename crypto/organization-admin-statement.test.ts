import { beforeAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "./canonical";
import { signDirectoryVerification } from "./directory-verification";
import { toHex } from "./encoding";
import { generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { signOrganizationAdmin, verifyOrganizationAdmin, type OrganizationAdminStatement } from "./organization-admin-statement";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

const statement = (): OrganizationAdminStatement => ({
  statementId: "s1",
  organizationId: "o1",
  organizationName: "Riverside Hospital",
  adminId: "a1",
  adminIdentityPublicKey: bytesFrom(7, 32),
  signerId: "d1",
  signerName: "Ada Admin, registrar",
  issuedAt: 1_767_225_600_000,
});

// Ed25519 is deterministic: the seed-92 key's signature over the statement above, computed apart from this code
// (Python's struct for the canonical layout, the cryptography package's Ed25519).
const KAT = "57f49a685134ee6e074163ebfcf9b5a915519d16406171f2e0a9f18890e4fac68bfeefdbaa95414549bc4c571839883479f2de110b1e9102098d5f90958fa102";

describe("organization administrator statements", () => {
  it("round-trip: verify for exactly what the deployment administrator signed", () => {
    const signer = generateIdentityKeyPair();
    const signature = signOrganizationAdmin(statement(), signer.secretKey);
    verifyOrganizationAdmin(statement(), signature, signer.publicKey);
    for (const changed of [
      { statementId: "s2" },
      { organizationId: "o2" },
      { organizationName: "Riverside Hospital " },
      { adminId: "a2" },
      { adminIdentityPublicKey: bytesFrom(8, 32) },
      { signerId: "d2" },
      { signerName: "Eve" },
      { issuedAt: 1_767_225_600_001 },
    ]) {
      expectCryptoError(() => verifyOrganizationAdmin({ ...statement(), ...changed }, signature, signer.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyOrganizationAdmin(statement(), signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });

  it("refuse a signature with any byte flipped, another label's signature, and malformed arguments", () => {
    const signer = generateIdentityKeyPair();
    const signature = signOrganizationAdmin(statement(), signer.secretKey);
    for (let index = 0; index < signature.length; index += 1) {
      const tampered = Uint8Array.from(signature);
      tampered[index]! ^= 0x01;
      expectCryptoError(() => verifyOrganizationAdmin(statement(), tampered, signer.publicKey), "authentication-failed");
    }
    // A directory verification over look-alike fields never passes for an organization administrator.
    const other = signDirectoryVerification(
      {
        action: "verify",
        statementId: "s1",
        clinicianId: "a1",
        clinicianIdentityPublicKey: bytesFrom(7, 32),
        displayName: "Riverside Hospital",
        specialty: "",
        organization: "o1",
        licenceNumber: "",
        adminId: "d1",
        adminName: "Ada Admin, registrar",
        issuedAt: 1_767_225_600_000,
      },
      signer.secretKey,
    );
    expectCryptoError(() => verifyOrganizationAdmin(statement(), other, signer.publicKey), "authentication-failed");
    expectCryptoError(() => verifyOrganizationAdmin(statement(), signature.slice(1), signer.publicKey), "malformed");
    expectCryptoError(() => verifyOrganizationAdmin(statement(), signature, signer.publicKey.slice(1)), "invalid-key");
    expectCryptoError(() => signOrganizationAdmin({ ...statement(), adminIdentityPublicKey: bytesFrom(1, 31) }, signer.secretKey), "invalid-key");
    expectCryptoError(() => signOrganizationAdmin({ ...statement(), issuedAt: -1 }, signer.secretKey), "invalid-argument");
  });

  it("sign the canonical message written out by hand (known answer)", () => {
    const signer = identityKeyPairFromSeed(bytesFrom(92, 32));
    const s = statement();
    const message = encodeCanonical("hsc/v1/organization-admin", [
      s.statementId,
      s.organizationId,
      s.organizationName,
      s.adminId,
      s.adminIdentityPublicKey,
      s.signerId,
      s.signerName,
      s.issuedAt,
    ]);
    // Magic, label length 25, the label, eight fields, then the first field's string tag.
    expect(toHex(message).slice(0, 80)).toBe("014843000000196873632f76312f6f7267616e697a6174696f6e2d61646d696e0000000802000000");
    expect(toHex(signOrganizationAdmin(s, signer.secretKey))).toBe(KAT);
  });
});
