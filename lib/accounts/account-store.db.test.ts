import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cryptoReady,
  generateEncryptionKeyPair,
  generateIdentityKeyPair,
  generateVaultKey,
  encryptPrivateBundle,
  signKeyCertificate,
  toBase64url,
} from "@/crypto";
import { encryptedKeyBundles, passkeyCredentials, users, vaultKeyWraps } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import type { SignUpRequest } from "@/contract/auth";
import { SoftwareAuthenticator } from "@/lib/auth/software-authenticator";
import { registrationOptions, verifyRegistration, type RelyingParty } from "@/lib/auth/webauthn";
import { createAccountKeys } from "@/client/keystore/account-keys";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { minimumEnrolmentTokenLength } from "./admin-enrolment";
import { adminTrailRows } from "@/lib/admin/admin-trail";
import { storePasskeyWithWrap } from "./passkey-store";
import { createAccount } from "./account-store";

const rp: RelyingParty = { id: "localhost", origin: "http://localhost:3000", name: "Health Safe Cloud" };
const token = "operator-chosen-admin-enrolment-token-42";

describe.each(testDatabaseKinds())("creating accounts on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A real registration (software passkey over a server challenge) and the keys a browser would send with it. */
  async function signUpAttempt(role: SignUpRequest["role"], enrolmentToken?: string, authenticatorId?: Uint8Array) {
    const authenticator = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id, credentialId: authenticatorId });
    const { userId, options } = await registrationOptions(database.db, rp, "registration");
    const response = authenticator.register(options.challenge, userId);
    const credential = await verifyRegistration(database.db, rp, "registration", userId, response);
    const identity = generateIdentityKeyPair();
    const encryption = generateEncryptionKeyPair();
    const request: SignUpRequest = {
      userId,
      role,
      passkeyName: "Test passkey",
      credential: response,
      keys: {
        identityPublicKey: toBase64url(identity.publicKey),
        certificate: toBase64url(signKeyCertificate({ userId, role, encryptionPublicKey: encryption.publicKey, createdAt: Date.now() }, identity.secretKey)),
        bundle: toBase64url(
          encryptPrivateBundle({ identitySecretKey: identity.secretKey, encryptionSecretKey: encryption.secretKey }, generateVaultKey(), { userId }),
        ),
        recoveryPublicKey: toBase64url(randomBytes(32)),
        vaultWraps: [
          { method: "prf", methodId: credential.id, salt: toBase64url(randomBytes(32)), wrappedKey: toBase64url(randomBytes(72)) },
          { method: "recovery", methodId: "recovery", salt: "", wrappedKey: toBase64url(randomBytes(72)) },
        ],
      },
      ...(enrolmentToken === undefined ? {} : { enrolmentToken }),
    };
    return { request, credential, authenticator };
  }

  const stored = async (userId: string) => database.db.select({ role: users.role }).from(users).where(eq(users.id, userId));

  it("refuses an administrator when the deployment sets no enrolment token, and stores nothing", async () => {
    const { request, credential } = await signUpAttempt("admin", token);
    expect(await codeOf(createAccount(database.db, request, credential, true, undefined))).toBe("enrolment-refused");
    expect(await stored(request.userId)).toEqual([]);
  });

  it("refuses an administrator when the configured token is too short, even if it is the one sent", async () => {
    const short = "s".repeat(minimumEnrolmentTokenLength - 1);
    const { request, credential } = await signUpAttempt("admin", short);
    expect(await codeOf(createAccount(database.db, request, credential, true, short))).toBe("enrolment-refused");
    expect(await stored(request.userId)).toEqual([]);
  });

  it("refuses an administrator with a wrong or missing token", async () => {
    for (const presented of [`${token}-not`, undefined]) {
      const { request, credential } = await signUpAttempt("admin", presented);
      expect(await codeOf(createAccount(database.db, request, credential, true, token))).toBe("enrolment-refused");
      expect(await stored(request.userId)).toEqual([]);
    }
  });

  it("creates an administrator with the right token, with no directory entry, and records the enrolment in the administration trail", async () => {
    const { request, credential } = await signUpAttempt("admin", token);
    await createAccount(database.db, request, credential, true, token);
    expect(await stored(request.userId)).toEqual([{ role: "admin" }]);
    expect((await adminTrailRows(database.db)).filter((row) => row.subjectId === request.userId).map((row) => [row.action, row.actorId])).toEqual([
      ["administrator-enrolled", request.userId],
    ]);
  });

  it("needs no token for a patient, with or without one configured", async () => {
    for (const configured of [undefined, token]) {
      const { request, credential } = await signUpAttempt("patient");
      await createAccount(database.db, request, credential, true, configured);
      expect(await stored(request.userId)).toEqual([{ role: "patient" }]);
    }
  });

  it("refuses a passkey whose credential id is already someone's, at sign-up and when adding one, and leaves theirs alone", async () => {
    const victim = await signUpAttempt("patient");
    await createAccount(database.db, victim.request, victim.credential, true, undefined);
    const victimPasskey = async () => database.db.select().from(passkeyCredentials).where(eq(passkeyCredentials.id, victim.credential.id));
    const before = await victimPasskey();

    // A crafted client claims the victim's credential id with a key pair of its own.
    const copycat = await signUpAttempt("patient", undefined, victim.authenticator.credentialId);
    expect(copycat.credential.id).toBe(victim.credential.id);
    expect(await codeOf(createAccount(database.db, copycat.request, copycat.credential, true, undefined))).toBe("conflict");
    expect(await stored(copycat.request.userId)).toEqual([]);

    const other = await signUpAttempt("patient");
    await createAccount(database.db, other.request, other.credential, true, undefined);
    const added = database.db.transaction((tx) =>
      storePasskeyWithWrap(tx, other.request.userId, copycat.credential, "Mine now", {
        method: "prf",
        methodId: copycat.credential.id,
        salt: toBase64url(randomBytes(32)),
        wrappedKey: toBase64url(randomBytes(72)),
      }),
    );
    expect(await codeOf(added)).toBe("conflict");
    expect(await victimPasskey()).toEqual(before);
    expect(await database.db.select().from(vaultKeyWraps).where(eq(vaultKeyWraps.userId, other.request.userId))).toHaveLength(2);
  });

  it("refuses a private bundle that is not padded, and stores nothing", async () => {
    const unpadded = Uint8Array.from([1, 2, ...randomBytes(280)]);
    const wrongBucket = Uint8Array.from([1, 10, ...randomBytes(2048 + 40)]);
    for (const bundle of [unpadded, wrongBucket]) {
      const { request, credential } = await signUpAttempt("patient");
      const attempt = { ...request, keys: { ...request.keys, bundle: toBase64url(bundle) } };
      expect(await codeOf(createAccount(database.db, attempt, credential, true, undefined))).toBe("invalid-input");
      expect(await stored(request.userId)).toEqual([]);
    }
  });

  it("stores vaults of one size whatever the length of the patient's name", async () => {
    const sizes: number[] = [];
    for (const displayName of ["Al", "Maximiliane Anneliese Theodora von Habsburg-Lothringen-Wittelsbach"]) {
      const { request, credential } = await signUpAttempt("patient");
      const made = await createAccountKeys({
        userId: request.userId,
        role: "patient",
        credentialId: credential.id,
        prfOutput: Uint8Array.from(randomBytes(32)),
        profile: { displayName },
      });
      await createAccount(database.db, { ...request, keys: made.payload }, credential, true, undefined);
      const [row] = await database.db
        .select({ bundle: encryptedKeyBundles.bundle })
        .from(encryptedKeyBundles)
        .where(eq(encryptedKeyBundles.userId, request.userId));
      sizes.push(row!.bundle.length);
    }
    expect(sizes).toEqual([4096 + 42, 4096 + 42]);
  });
});
