import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cryptoReady,
  deriveRecoveryKeyEncryptionKey,
  deriveRecoverySigningKeyPair,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  generateRecoveryKey,
  generateVaultKey,
  encryptPrivateBundle,
  signRecoveryKeyReplacement,
  signKeyCertificate,
  toBase64url,
  unwrapVaultKey,
  wrapVaultKey,
  type VaultKey,
} from "@/crypto";
import { auditEvents, passkeyCredentials, recoveryVerifiers, vaultKeyWraps } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import type { SignUpRequest } from "@/contract/auth";
import { SoftwareAuthenticator } from "@/lib/auth/software-authenticator";
import { registrationOptions, verifyRegistration, type RelyingParty } from "@/lib/auth/webauthn";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { storePasskeyWithWrap } from "./passkey-store";
import { currentRecoveryVerifier, swapRecoveryKey, type RecoveryKeyReplacement } from "./recovery-key-swap";
import { createAccount } from "./account-store";

const rp: RelyingParty = { id: "localhost", origin: "http://localhost:3000", name: "Health Safe Cloud" };

/** What a browser holding the vault key makes for a new recovery key: its verifier, its vault wrap, and the signed replacement of `previous`. */
function newRecoveryKey(userId: string, vaultKey: VaultKey, previous: string, origin = rp.origin) {
  const key = generateRecoveryKey();
  const wrap = wrapVaultKey(vaultKey, deriveRecoveryKeyEncryptionKey(key), { userId, methodId: "recovery" });
  const signing = deriveRecoverySigningKeyPair(key);
  const replacement: RecoveryKeyReplacement = {
    previousRecoveryPublicKey: previous,
    recoveryPublicKey: toBase64url(signing.publicKey),
    wrappedKey: toBase64url(wrap),
    signature: toBase64url(
      signRecoveryKeyReplacement(
        { userId, previousRecoveryPublicKey: Buffer.from(previous, "base64url"), recoveryPublicKey: signing.publicKey, wrappedVaultKey: wrap, origin },
        signing.secretKey,
      ),
    ),
  };
  return { key, replacement };
}

describe.each(testDatabaseKinds())("replacing a recovery key on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A real account (software passkey, real recovery verifier and wrap). */
  async function account(aaguid?: Uint8Array) {
    const authenticator = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id, aaguid });
    const { userId, options } = await registrationOptions(database.db, rp, "registration");
    const response = authenticator.register(options.challenge, userId);
    const credential = await verifyRegistration(database.db, rp, "registration", userId, response);
    const identity = generateIdentityKeyPair();
    const encryption = generateEncryptionKeyPair();
    const vaultKey = generateVaultKey();
    const first = newRecoveryKey(userId, vaultKey, toBase64url(randomBytes(32)));
    const request: SignUpRequest = {
      userId,
      role: "patient",
      passkeyName: "Chrome on Linux",
      credential: response,
      keys: {
        identityPublicKey: toBase64url(identity.publicKey),
        certificate: toBase64url(
          signKeyCertificate({ userId, role: "patient", encryptionPublicKey: encryption.publicKey, createdAt: Date.now() }, identity.secretKey),
        ),
        bundle: toBase64url(encryptPrivateBundle({ identitySecretKey: identity.secretKey, encryptionSecretKey: encryption.secretKey }, vaultKey, { userId })),
        recoveryPublicKey: first.replacement.recoveryPublicKey,
        vaultWraps: [
          { method: "prf", methodId: credential.id, salt: toBase64url(randomBytes(32)), wrappedKey: toBase64url(randomBytes(72)) },
          { method: "recovery", methodId: "recovery", salt: "", wrappedKey: first.replacement.wrappedKey },
        ],
      },
    };
    await createAccount(database.db, request, credential, true, undefined);
    return { userId, vaultKey, recoveryPublicKey: first.replacement.recoveryPublicKey };
  }

  /** Everything the swap may change: the verifier, the recovery wraps and the account's audit actions. */
  async function recoveryState(userId: string) {
    const [verifier] = await database.db.select({ publicKey: recoveryVerifiers.publicKey }).from(recoveryVerifiers).where(eq(recoveryVerifiers.userId, userId));
    const wraps = await database.db
      .select({ wrappedKey: vaultKeyWraps.wrappedKey })
      .from(vaultKeyWraps)
      .where(and(eq(vaultKeyWraps.userId, userId), eq(vaultKeyWraps.method, "recovery")));
    const audit = await database.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.subjectId, userId));
    return {
      verifier: toBase64url(verifier!.publicKey),
      wraps: wraps.map((wrap) => toBase64url(wrap.wrappedKey)),
      changes: audit.filter((event) => event.action === "recovery-key-changed").length,
    };
  }

  it("swaps the verifier and the wrap together, with one audit event; the new wrap opens the vault", async () => {
    const { userId, vaultKey, recoveryPublicKey } = await account();
    expect(await currentRecoveryVerifier(database.db, userId)).toMatchObject({ recoveryPublicKey });
    const next = newRecoveryKey(userId, vaultKey, recoveryPublicKey);
    await swapRecoveryKey(database.db, userId, rp.origin, next.replacement);
    const after = await recoveryState(userId);
    expect(after).toEqual({ verifier: next.replacement.recoveryPublicKey, wraps: [next.replacement.wrappedKey], changes: 1 });
    const opened = unwrapVaultKey(Buffer.from(after.wraps[0]!, "base64url"), deriveRecoveryKeyEncryptionKey(next.key), { userId, methodId: "recovery" });
    expect(toBase64url(opened)).toBe(toBase64url(vaultKey));
  });

  it("changes nothing when the account is not as the swap expects: a failure after the verifier's update rolls it back", async () => {
    const { userId, vaultKey, recoveryPublicKey } = await account();
    // A second recovery wrap: the verifier is updated first, then the wrap count is found wrong.
    await database.db
      .insert(vaultKeyWraps)
      .values({ id: crypto.randomUUID(), userId, method: "recovery", salt: new Uint8Array(0), wrappedKey: randomBytes(74) });
    const before = await recoveryState(userId);
    expect(await codeOf(swapRecoveryKey(database.db, userId, rp.origin, newRecoveryKey(userId, vaultKey, recoveryPublicKey).replacement))).toBe("conflict");
    expect(await recoveryState(userId)).toEqual(before);
    expect(before.verifier).toBe(recoveryPublicKey);
  });

  it("refuses a replacement of a key that is no longer current (made in another window), keeping the one that won", async () => {
    const { userId, vaultKey, recoveryPublicKey } = await account();
    const first = newRecoveryKey(userId, vaultKey, recoveryPublicKey);
    const second = newRecoveryKey(userId, vaultKey, recoveryPublicKey);
    const results = await Promise.allSettled([
      swapRecoveryKey(database.db, userId, rp.origin, first.replacement),
      swapRecoveryKey(database.db, userId, rp.origin, second.replacement),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const winner = results[0]!.status === "fulfilled" ? first : second;
    expect(await recoveryState(userId)).toEqual({ verifier: winner.replacement.recoveryPublicKey, wraps: [winner.replacement.wrappedKey], changes: 1 });
    // And later, one naming the original key again.
    expect(await codeOf(swapRecoveryKey(database.db, userId, rp.origin, newRecoveryKey(userId, vaultKey, recoveryPublicKey).replacement))).toBe("conflict");
  });

  it("refuses parts that do not belong together, and keeps the current key", async () => {
    const { userId, vaultKey, recoveryPublicKey } = await account();
    const other = await account();
    const before = await recoveryState(userId);
    const one = newRecoveryKey(userId, vaultKey, recoveryPublicKey).replacement;
    const two = newRecoveryKey(userId, vaultKey, recoveryPublicKey).replacement;
    const attempts: Array<[string, RecoveryKeyReplacement, string]> = [
      ["a wrap from another new key", { ...one, wrappedKey: two.wrappedKey }, "invalid-input"],
      ["a verifier from another new key", { ...one, recoveryPublicKey: two.recoveryPublicKey }, "invalid-input"],
      ["a signature for another account", newRecoveryKey(other.userId, vaultKey, recoveryPublicKey).replacement, "invalid-input"],
      ["a signature for another origin", newRecoveryKey(userId, vaultKey, recoveryPublicKey, "https://evil.example").replacement, "invalid-input"],
      ["a wrap that is not a vault-key wrap", { ...one, wrappedKey: toBase64url(randomBytes(74)) }, "invalid-input"],
      ["another account's current key as the new one", { ...one, recoveryPublicKey: other.recoveryPublicKey }, "invalid-input"],
    ];
    for (const [what, replacement, code] of attempts) {
      expect(await codeOf(swapRecoveryKey(database.db, userId, rp.origin, replacement)), what).toBe(code);
      expect(await recoveryState(userId), what).toEqual(before);
    }
  });

  it("names a passkey after its authenticator where the AAGUID is listed, else by the browser's description, never alike another", async () => {
    const yubiKey = Uint8Array.from(Buffer.from("fa2b99dc9e3942578f924a30d23c4118", "hex"));
    const { userId } = await account();
    const add = async (aaguid?: Uint8Array) => {
      const authenticator = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id, aaguid });
      const { options } = await registrationOptions(database.db, rp, "add-passkey", userId);
      const credential = await verifyRegistration(database.db, rp, "add-passkey", userId, authenticator.register(options.challenge, userId));
      const wrap = { method: "prf" as const, methodId: credential.id, salt: toBase64url(randomBytes(32)), wrappedKey: toBase64url(randomBytes(72)) };
      return database.db.transaction((tx) => storePasskeyWithWrap(tx, userId, credential, "Chrome on Linux", wrap));
    };
    expect(await add(yubiKey)).toBe("YubiKey 5 Series with NFC");
    expect(await add()).toBe("Chrome on Linux (2)");
    expect(await add(yubiKey)).toBe("YubiKey 5 Series with NFC (2)");
    const names = await database.db.select({ name: passkeyCredentials.name }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, userId));
    expect(names.map((row) => row.name).sort()).toEqual([
      "Chrome on Linux",
      "Chrome on Linux (2)",
      "YubiKey 5 Series with NFC",
      "YubiKey 5 Series with NFC (2)",
    ]);
  });
});
