import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passkeyCredentials, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { issueChallenge } from "./challenges";
import { SoftwareAuthenticator } from "./software-authenticator";
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration, type RelyingParty } from "./webauthn";

const rp: RelyingParty = { id: "localhost", origin: "http://localhost:3100", name: "Health Safe Cloud" };

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe.each(testDatabaseKinds())("WebAuthn ceremonies on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** Registers a software passkey for a new user, as sign-up does. */
  async function registeredUser() {
    const authenticator = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id });
    const { userId, options } = await registrationOptions(database.db, rp, "registration");
    const credential = await verifyRegistration(database.db, rp, "registration", userId, authenticator.register(options.challenge, userId));
    await database.db.insert(users).values({ id: userId, role: "patient" });
    await database.db.insert(passkeyCredentials).values({
      id: credential.id,
      userId,
      publicKey: credential.publicKey,
      signCount: credential.signCount,
      transports: credential.transports,
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      prfCapable: false,
      name: "test",
    });
    return { authenticator, userId };
  }

  it("registers a passkey with user verification and signs in with it", async () => {
    const { authenticator, userId } = await registeredUser();
    const options = await authenticationOptions(database.db, rp);
    expect(options.userVerification).toBe("required");
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(await verifyAuthentication(database.db, rp, authenticator.assert(options.challenge))).toEqual({ userId, credentialId: authenticator.id });
  });

  it("refuses a replayed assertion", async () => {
    const { authenticator } = await registeredUser();
    const options = await authenticationOptions(database.db, rp);
    const assertion = authenticator.assert(options.challenge);
    await verifyAuthentication(database.db, rp, assertion);
    expect(await refusalCode(verifyAuthentication(database.db, rp, assertion))).toBe("unauthenticated");
  });

  it("refuses an assertion over an expired challenge", async () => {
    const { authenticator } = await registeredUser();
    const issuedAt = new Date(Date.now() - 6 * 60_000);
    const { challenge } = await issueChallenge(database.db, "authentication", null, issuedAt);
    expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(challenge)))).toBe("unauthenticated");
  });

  it("refuses a registration challenge used to sign in", async () => {
    const { authenticator } = await registeredUser();
    const { options } = await registrationOptions(database.db, rp, "registration");
    expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(options.challenge)))).toBe("unauthenticated");
  });

  it("refuses a sign-in challenge used to register", async () => {
    const authenticator = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id });
    const options = await authenticationOptions(database.db, rp);
    const userId = randomUUID();
    const response = authenticator.register(options.challenge, userId);
    expect(await refusalCode(verifyRegistration(database.db, rp, "registration", userId, response))).toBe("unauthenticated");
  });

  it("refuses an assertion made for another origin", async () => {
    const { authenticator } = await registeredUser();
    const options = await authenticationOptions(database.db, rp);
    const assertion = authenticator.assert(options.challenge, { origin: "https://evil.example" });
    expect(await refusalCode(verifyAuthentication(database.db, rp, assertion))).toBe("unauthenticated");
  });

  it("refuses an assertion or registration without user verification", async () => {
    const { authenticator } = await registeredUser();
    const options = await authenticationOptions(database.db, rp);
    expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(options.challenge, { userVerified: false })))).toBe("unauthenticated");
    const fresh = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id });
    const registration = await registrationOptions(database.db, rp, "registration");
    const response = fresh.register(registration.options.challenge, registration.userId, { userVerified: false });
    expect(await refusalCode(verifyRegistration(database.db, rp, "registration", registration.userId, response))).toBe("unauthenticated");
  });

  it("refuses a signature counter that went backwards (a cloned authenticator)", async () => {
    const { authenticator } = await registeredUser();
    const first = await authenticationOptions(database.db, rp);
    await verifyAuthentication(database.db, rp, authenticator.assert(first.challenge, { signCount: 10 }));
    const second = await authenticationOptions(database.db, rp);
    expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(second.challenge, { signCount: 5 })))).toBe("unauthenticated");
  });

  it("answers an unknown passkey exactly as a bad one, so nothing tells whether an account exists", async () => {
    const { authenticator } = await registeredUser();
    const stranger = new SoftwareAuthenticator({ origin: rp.origin, rpId: rp.id });
    const options = await authenticationOptions(database.db, rp);
    const unknown = await verifyAuthentication(database.db, rp, stranger.assert(options.challenge)).catch((error: AppError) => error);
    const other = await authenticationOptions(database.db, rp);
    const forged = authenticator.assert(other.challenge);
    forged.response.signature = stranger.assert(other.challenge).response.signature;
    const bad = await verifyAuthentication(database.db, rp, forged).catch((error: AppError) => error);
    expect(unknown).toBeInstanceOf(AppError);
    expect(bad).toBeInstanceOf(AppError);
    expect({ code: (unknown as AppError).code, message: (unknown as AppError).message }).toEqual({
      code: (bad as AppError).code,
      message: (bad as AppError).message,
    });
  });

  it("refuses an assertion whose user handle names another account", async () => {
    const { authenticator } = await registeredUser();
    const options = await authenticationOptions(database.db, rp);
    const assertion = authenticator.assert(options.challenge);
    assertion.response.userHandle = Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
    expect(await refusalCode(verifyAuthentication(database.db, rp, assertion))).toBe("unauthenticated");
  });

  describe("fresh proof (an assertion by the signed-in person, for sensitive actions)", () => {
    const subjectOf = (userId: string, authenticator: SoftwareAuthenticator) => ({ userId, credentialIds: [authenticator.id] });

    it("offers only the person's passkeys, with user verification, and verifies their assertion", async () => {
      const { authenticator, userId } = await registeredUser();
      const options = await authenticationOptions(database.db, rp, subjectOf(userId, authenticator));
      expect(options.userVerification).toBe("required");
      expect((options.allowCredentials ?? []).map((entry) => entry.id)).toEqual([authenticator.id]);
      expect(await verifyAuthentication(database.db, rp, authenticator.assert(options.challenge), new Date(), userId)).toEqual({
        userId,
        credentialId: authenticator.id,
      });
    });

    it("refuses another account's passkey, even on a challenge issued to that account", async () => {
      const person = await registeredUser();
      const intruder = await registeredUser();
      const forPerson = await authenticationOptions(database.db, rp, subjectOf(person.userId, person.authenticator));
      expect(await refusalCode(verifyAuthentication(database.db, rp, intruder.authenticator.assert(forPerson.challenge), new Date(), person.userId))).toBe(
        "unauthenticated",
      );
      // The intruder's own challenge, answered by the intruder's passkey, is no proof for the person either.
      const forIntruder = await authenticationOptions(database.db, rp, subjectOf(intruder.userId, intruder.authenticator));
      expect(await refusalCode(verifyAuthentication(database.db, rp, intruder.authenticator.assert(forIntruder.challenge), new Date(), person.userId))).toBe(
        "unauthenticated",
      );
    });

    it("keeps sign-in and fresh-proof challenges apart", async () => {
      const { authenticator, userId } = await registeredUser();
      const signIn = await authenticationOptions(database.db, rp);
      expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(signIn.challenge), new Date(), userId))).toBe("unauthenticated");
      const proof = await authenticationOptions(database.db, rp, subjectOf(userId, authenticator));
      expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(proof.challenge)))).toBe("unauthenticated");
    });

    it("refuses an assertion without user verification, and a replay", async () => {
      const { authenticator, userId } = await registeredUser();
      const first = await authenticationOptions(database.db, rp, subjectOf(userId, authenticator));
      expect(await refusalCode(verifyAuthentication(database.db, rp, authenticator.assert(first.challenge, { userVerified: false }), new Date(), userId))).toBe(
        "unauthenticated",
      );
      const second = await authenticationOptions(database.db, rp, subjectOf(userId, authenticator));
      const assertion = authenticator.assert(second.challenge);
      await verifyAuthentication(database.db, rp, assertion, new Date(), userId);
      expect(await refusalCode(verifyAuthentication(database.db, rp, assertion, new Date(), userId))).toBe("unauthenticated");
    });
  });
});
