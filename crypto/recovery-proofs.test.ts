import { beforeAll, describe, expect, it } from "vitest";
import { identityKeyPairFromSeed } from "./keys";
import {
  signRecoveryKeyReplacement,
  signRecoverySignIn,
  verifyRecoveryKeyReplacement,
  verifyRecoverySignIn,
  type RecoveryKeyReplacementStatement,
} from "./recovery-proofs";
import { cryptoReady, lib } from "./sodium";
import { bytesFrom, expectCryptoError } from "./test-helpers";

beforeAll(cryptoReady);

// The signed messages, written out with Python's struct module from the canonical layout
// (01 48 43 | u32 label length | label | u32 count | tagged fields), not with encodeCanonical.
const signInMessage =
  "014843000000176873632f76312f7265636f766572792d7369676e2d696e00000002020000000b6368616c6c656e67652d31020000001368747470733a2f2f6873632e6578616d706c65";
const replacementMessage =
  "0148430000001f6873632f76312f7265636f766572792d6b65792d7265706c6163656d656e74000000050200000006757365722d310100000020010101010101010101010101010101010101010101010101010101010101010101000000200202020202020202020202020202020202020202020202020202020202020202010000004a0303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303030303020000001368747470733a2f2f6873632e6578616d706c65";

const fromHexText = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const origin = "https://hsc.example";

describe("recovery sign-in", () => {
  const signing = () => identityKeyPairFromSeed(bytesFrom(9, 32));
  const proof = { challenge: "challenge-1", origin };

  it("signs exactly the known message (Ed25519 is deterministic: libsodium over the hand-written bytes gives the same signature)", () => {
    const key = signing();
    const expected = lib().crypto_sign_detached(fromHexText(signInMessage), key.secretKey);
    expect(Buffer.from(signRecoverySignIn(proof, key.secretKey)).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
    verifyRecoverySignIn(proof, expected, key.publicKey);
  });

  it("refuses another challenge, origin or key", () => {
    const key = signing();
    const signature = signRecoverySignIn(proof, key.secretKey);
    expectCryptoError(() => verifyRecoverySignIn({ ...proof, challenge: "challenge-2" }, signature, key.publicKey), "authentication-failed");
    expectCryptoError(() => verifyRecoverySignIn({ ...proof, origin: "https://evil.example" }, signature, key.publicKey), "authentication-failed");
    expectCryptoError(() => verifyRecoverySignIn(proof, signature, identityKeyPairFromSeed(bytesFrom(10, 32)).publicKey), "authentication-failed");
    expectCryptoError(() => verifyRecoverySignIn(proof, signature.subarray(1), key.publicKey), "malformed");
  });
});

describe("recovery-key replacement", () => {
  const key = () => identityKeyPairFromSeed(bytesFrom(11, 32));
  const statement = (recoveryPublicKey: Uint8Array): RecoveryKeyReplacementStatement => ({
    userId: "user-1",
    previousRecoveryPublicKey: new Uint8Array(32).fill(1),
    recoveryPublicKey,
    wrappedVaultKey: new Uint8Array(74).fill(3),
    origin,
  });

  it("signs exactly the known message", () => {
    const signing = key();
    // The known message names the public key 02…02; the signature does not depend on which key is named.
    const named = statement(new Uint8Array(32).fill(2));
    const expected = lib().crypto_sign_detached(fromHexText(replacementMessage), signing.secretKey);
    expect(Buffer.from(signRecoveryKeyReplacement(named, signing.secretKey)).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
  });

  it("verifies under the new key it names, and nothing changed", () => {
    const signing = key();
    const signed = statement(signing.publicKey);
    const signature = signRecoveryKeyReplacement(signed, signing.secretKey);
    verifyRecoveryKeyReplacement(signed, signature);
    expectCryptoError(() => verifyRecoveryKeyReplacement({ ...signed, userId: "user-2" }, signature), "authentication-failed");
    expectCryptoError(() => verifyRecoveryKeyReplacement({ ...signed, origin: "https://evil.example" }, signature), "authentication-failed");
    expectCryptoError(() => verifyRecoveryKeyReplacement({ ...signed, wrappedVaultKey: new Uint8Array(74).fill(4) }, signature), "authentication-failed");
    expectCryptoError(
      () => verifyRecoveryKeyReplacement({ ...signed, previousRecoveryPublicKey: new Uint8Array(32).fill(5) }, signature),
      "authentication-failed",
    );
    // Signed by another key than the one it names.
    const other = identityKeyPairFromSeed(bytesFrom(12, 32));
    expectCryptoError(() => verifyRecoveryKeyReplacement(signed, signRecoveryKeyReplacement(signed, other.secretKey)), "authentication-failed");
  });
});
