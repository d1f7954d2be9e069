import { beforeAll, describe, expect, it } from "vitest";
import { toHex } from "./encoding";
import { signKeyCertificate, verifyKeyCertificate } from "./key-certificate";
import { encryptionKeyPairFromSeed, generateEncryptionKeyPair, generateIdentityKeyPair, identityKeyPairFromSeed } from "./keys";
import { cryptoReady } from "./sodium";
import { bytesFrom, expectCryptoError, expectEveryByteTamperFails, expectTruncationFails } from "./test-helpers";

beforeAll(cryptoReady);

const userId = "7d9f1f0a-4c39-4b5e-8a61-2f3e4d5c6b7a";

describe("key certificate", () => {
  it("round-trips user, role, key and time", () => {
    const identity = generateIdentityKeyPair();
    const encryption = generateEncryptionKeyPair();
    const certificate = { userId, role: "doctor" as const, encryptionPublicKey: encryption.publicKey, createdAt: 1_790_000_000_000 };
    expect(verifyKeyCertificate(signKeyCertificate(certificate, identity.secretKey), identity.publicKey, { userId })).toEqual(certificate);
  });

  it("refuses a certificate signed by another identity or naming another user", () => {
    const identity = generateIdentityKeyPair();
    const signed = signKeyCertificate({ userId, role: "nurse", encryptionPublicKey: generateEncryptionKeyPair().publicKey, createdAt: 1 }, identity.secretKey);
    expectCryptoError(() => verifyKeyCertificate(signed, generateIdentityKeyPair().publicKey, { userId }), "authentication-failed");
    expectCryptoError(() => verifyKeyCertificate(signed, identity.publicKey, { userId: "someone-else" }), "authentication-failed");
  });

  it("fails on any flipped bit or truncation", () => {
    const identity = generateIdentityKeyPair();
    const signed = signKeyCertificate(
      { userId, role: "patient", encryptionPublicKey: generateEncryptionKeyPair().publicKey, createdAt: 42 },
      identity.secretKey,
    );
    expectEveryByteTamperFails(signed, (tampered) => verifyKeyCertificate(tampered, identity.publicKey, { userId }));
    expectTruncationFails(signed, (truncated) => verifyKeyCertificate(truncated, identity.publicKey, { userId }));
  });

  it("refuses an unknown role", () => {
    const identity = generateIdentityKeyPair();
    expectCryptoError(
      () => signKeyCertificate({ userId, role: "root" as never, encryptionPublicKey: new Uint8Array(32), createdAt: 1 }, identity.secretKey),
      "invalid-argument",
    );
  });

  it("is deterministic for fixed keys (known answer)", () => {
    const identity = identityKeyPairFromSeed(bytesFrom(30, 32));
    const encryption = encryptionKeyPairFromSeed(bytesFrom(31, 32));
    const signed = signKeyCertificate({ userId, role: "doctor", encryptionPublicKey: encryption.publicKey, createdAt: 1_790_000_000_000 }, identity.secretKey);
    expect(toHex(signed)).toBe(KAT_KEY_CERTIFICATE);
  });
});

const KAT_KEY_CERTIFICATE =
  "010700000083014843000000166873632f76312f6b65792d636572746966696361746500000004020000002437643966" +
  "316630612d346333392d346235652d386136312d3266336534643563366237610200000006646f63746f720100000020" +
  "648aabcfb2928de10960c118ca6b6e48018645b9cabbf3ac9d1200487ef0a14d03000001a0c4506c00306aa369017dda" +
  "189d918da2cae1bd6c792e7795f87a15a11952636482eaff763dd39455be8000551bcf3c2c4860804b4a04f60672ebd1" +
  "3ca097ca3b0ee48f06";
