import { beforeAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "./canonical";
import { toHex } from "./encoding";
import { generateEncryptionKeyPair, generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { openShareKey } from "./share-key";
import { cryptoReady, lib } from "./sodium";
import { generateTeamKeyPair, openTeamKey, sealTeamKey, signTeamKeyCertificate, verifyTeamKeyCertificate, type TeamKeyCertificate } from "./team-key";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails } from "./test-helpers";

beforeAll(cryptoReady);

const certificate = (): TeamKeyCertificate => ({
  teamId: "t1",
  organizationId: "o1",
  keyVersion: 1,
  publicKey: bytesFrom(5, 32),
  makerId: "m1",
  createdAt: 1_767_225_600_000,
});

// Ed25519 is deterministic: the seed-91 key's signatures over the certificates above (key versions 1
// and 2), computed apart from this code (Python's struct for the canonical layout, the cryptography package's Ed25519).
const KAT_V1 = "567329ccc6812b764af3648fada784a9bad7501aba6192c5906bb0017d972d49e8db461ebee316fc4363bdc9888a0b0c94f0165426fcf1ec3e9a579b33007905";
const KAT_V2 = "34e5d09a6e13dc05aa450131f8e0aa6a140ebd2ddc098e8dbf60e688888fc692ff42545021fcaae0c7d557d6f842cb1da9190eb4e5f9230a97d8757069285600";

describe("team key certificates", () => {
  it("verify for exactly what the maker signed", () => {
    const maker = generateIdentityKeyPair();
    const signature = signTeamKeyCertificate(certificate(), maker.secretKey);
    verifyTeamKeyCertificate(certificate(), signature, maker.publicKey);
    for (const changed of [
      { teamId: "t2" },
      { organizationId: "o2" },
      { keyVersion: 2 },
      { publicKey: bytesFrom(6, 32) },
      { makerId: "m2" },
      { createdAt: 1_767_225_600_001 },
    ]) {
      expectCryptoError(() => verifyTeamKeyCertificate({ ...certificate(), ...changed }, signature, maker.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyTeamKeyCertificate(certificate(), signature, generateIdentityKeyPair().publicKey), "authentication-failed");
  });

  it("refuse a signature with any byte flipped, and malformed arguments", () => {
    const maker = generateIdentityKeyPair();
    const signature = signTeamKeyCertificate(certificate(), maker.secretKey);
    for (let index = 0; index < signature.length; index += 1) {
      const tampered = Uint8Array.from(signature);
      tampered[index]! ^= 0x01;
      expectCryptoError(() => verifyTeamKeyCertificate(certificate(), tampered, maker.publicKey), "authentication-failed");
    }
    expectCryptoError(() => verifyTeamKeyCertificate(certificate(), signature.slice(1), maker.publicKey), "malformed");
    expectCryptoError(() => signTeamKeyCertificate({ ...certificate(), publicKey: bytesFrom(1, 31) }, maker.secretKey), "invalid-key");
    expectCryptoError(() => signTeamKeyCertificate({ ...certificate(), keyVersion: 0 }, maker.secretKey), "invalid-argument");
    expectCryptoError(() => signTeamKeyCertificate({ ...certificate(), createdAt: -1 }, maker.secretKey), "invalid-argument");
  });

  it("sign the canonical message written out by hand (known answer)", () => {
    const maker = identityKeyPairFromSeed(bytesFrom(91, 32));
    const c = certificate();
    const message = encodeCanonical("hsc/v1/team-key-certificate", [c.teamId, c.organizationId, c.keyVersion, c.publicKey, c.makerId, c.createdAt]);
    // Magic, label length 27, the label, six fields, then the first field's string tag.
    expect(toHex(message).slice(0, 80)).toBe("0148430000001b6873632f76312f7465616d2d6b65792d6365727469666963617465000000060200");
    expect(toHex(signTeamKeyCertificate(c, maker.secretKey))).toBe(KAT_V1);
    expect(toHex(signTeamKeyCertificate({ ...c, keyVersion: 2 }, maker.secretKey))).toBe(KAT_V2);
  });
});

describe("team keys sealed to members", () => {
  it("round-trip to the same team key pair, for exactly this team and version", () => {
    const team = generateTeamKeyPair();
    const member = generateEncryptionKeyPair();
    const sealed = sealTeamKey(team.secretKey, member.publicKey, { teamId: "t1", keyVersion: 3 });
    expect(sealed[0]).toBe(1);
    expect(sealed[1]).toBe(12);
    expect(sealed.length).toBe(2 + 48 + encodeCanonical("hsc/v1/team-key", [1, 12, "t1", 3, team.secretKey]).length);
    const opened = openTeamKey(sealed, member, { teamId: "t1", keyVersion: 3 });
    expect(opened.secretKey).toEqual(team.secretKey);
    expect(opened.publicKey).toEqual(team.publicKey);
    expectCryptoError(() => openTeamKey(sealed, member, { teamId: "t2", keyVersion: 3 }), "authentication-failed");
    expectCryptoError(() => openTeamKey(sealed, member, { teamId: "t1", keyVersion: 2 }), "authentication-failed");
    expectCryptoError(() => openTeamKey(sealed, generateEncryptionKeyPair(), { teamId: "t1", keyVersion: 3 }), "authentication-failed");
  });

  it("refuse any altered byte, and never open as a share key", () => {
    const team = generateTeamKeyPair();
    const member = generateEncryptionKeyPair();
    const sealed = sealTeamKey(team.secretKey, member.publicKey, { teamId: "t1", keyVersion: 1 });
    expectEveryByteTamperFails(sealed, (tampered) => openTeamKey(tampered, member, { teamId: "t1", keyVersion: 1 }));
    expectCryptoError(() => openShareKey(sealed, member, { grantId: "t1" }), "malformed");
    expectCryptoError(() => sealTeamKey(team.secretKey.slice(1), member.publicKey, { teamId: "t1", keyVersion: 1 }), "invalid-key");
  });

  it("open a box sealed by libsodium directly over the layout written out by hand (known answer)", () => {
    const member = generateEncryptionKeyPair();
    const secretKey = bytesFrom(44, 32);
    // version 1, kind 12, then the sealed canonical "hsc/v1/team-key" [1, 12, "t9", 7, key], built here without team-key.ts.
    const plain = encodeCanonical("hsc/v1/team-key", [1, 12, "t9", 7, secretKey]);
    const sealed = new Uint8Array([1, 12, ...lib().crypto_box_seal(plain, member.publicKey)]);
    const opened = openTeamKey(sealed, member, { teamId: "t9", keyVersion: 7 });
    expect(opened.secretKey).toEqual(secretKey);
    expect(opened.publicKey).toEqual(lib().crypto_scalarmult_base(secretKey));
  });
});
