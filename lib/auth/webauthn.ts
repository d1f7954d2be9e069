import "server-only";
import { randomUUID } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import { passkeyCredentials } from "@/drizzle/schema";
import { cryptoReady, fromBase64url, fromHex, isCryptoError, toHex } from "@/crypto";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { logger, scrubMessage } from "@/lib/log";
import { consumeChallenge, issueChallenge, type Ceremony } from "./challenges";

export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** EdDSA, ES256, RS256: what platform and roaming authenticators offer today. */
const supportedAlgorithmIDs = [-8, -7, -257];

export interface VerifiedCredential {
  id: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  deviceType: string;
  backedUp: boolean;
  /** The authenticator model's AAGUID from the attested credential data (all zeros when the browser hides it). */
  aaguid: string;
}

/**
 * Options for creating a discoverable passkey with user verification and PRF. The user
 * name shown by the authenticator is set by the browser, so a patient's name never
 * passes through here.
 */
export async function registrationOptions(
  db: Database,
  rp: RelyingParty,
  ceremony: Extract<Ceremony, "registration" | "add-passkey" | "recovery">,
  userId: string = randomUUID(),
  excludeCredentialIds: string[] = [],
): Promise<{ userId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const { challenge } = await issueChallenge(db, ceremony, userId);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: "Health Safe Cloud account",
    userID: new Uint8Array(fromHex(userId.replaceAll("-", "").toLowerCase())),
    // As bytes: a string would be taken as UTF-8 text and encoded again.
    challenge: new Uint8Array(fromBase64url(challenge)),
    attestationType: "none",
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    excludeCredentials: excludeCredentialIds.map((id) => ({ id })),
    supportedAlgorithmIDs,
    timeout: 300_000,
    extensions: { prf: {} } as never,
  });
  return { userId, options };
}

/** Verifies a new passkey: challenge (once, right ceremony, right user), origin, RP ID, user verification. */
export async function verifyRegistration(
  db: Database,
  rp: RelyingParty,
  ceremony: Extract<Ceremony, "registration" | "add-passkey" | "recovery">,
  userId: string,
  response: RegistrationResponseJSON,
): Promise<VerifiedCredential> {
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: async (challenge) => {
        await consumeChallenge(db, challenge, ceremony, userId);
        return true;
      },
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs,
    });
  } catch (error) {
    throw refused(error);
  }
  if (!verification.verified || !verification.registrationInfo) throw refused();
  const { credential, credentialDeviceType, credentialBackedUp, aaguid } = verification.registrationInfo;
  return {
    id: credential.id,
    publicKey: new Uint8Array(credential.publicKey),
    signCount: credential.counter,
    transports: credential.transports ?? [],
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
    aaguid,
  };
}

/**
 * A fresh proof (lib/auth/fresh-proof.ts) names the signed-in person: the challenge is bound to
 * them, the browser is offered only their passkeys, and the assertion must come from one.
 */
export interface FreshProofSubject {
  userId: string;
  credentialIds: string[];
}

/**
 * Assertion options with user verification required. For sign-in (no `subject`) they are
 * usernameless: no credential list, so nothing reveals which accounts exist.
 */
export async function authenticationOptions(db: Database, rp: RelyingParty, subject?: FreshProofSubject): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { challenge } = await issueChallenge(db, subject ? "fresh-proof" : "authentication", subject?.userId ?? null);
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(fromBase64url(challenge)),
    userVerification: "required",
    timeout: 300_000,
    ...(subject ? { allowCredentials: subject.credentialIds.map((id) => ({ id })) } : {}),
  });
}

/**
 * Verifies an assertion and advances the credential's signature counter: a sign-in, or with
 * `subjectUserId` a fresh proof, whose challenge and passkey must both be that person's. Every
 * refusal (unknown credential, used or expired challenge, bad signature, wrong origin,
 * no user verification, counter gone backwards, someone else's passkey) gives the same
 * answer: AppError "unauthenticated".
 */
export async function verifyAuthentication(
  db: Database,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  now: Date = new Date(),
  subjectUserId: string | null = null,
): Promise<{ userId: string; credentialId: string }> {
  const [stored] = await db.select().from(passkeyCredentials).where(eq(passkeyCredentials.id, response.id));
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: async (challenge) => {
        await consumeChallenge(db, challenge, subjectUserId ? "fresh-proof" : "authentication", subjectUserId, now);
        return true;
      },
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: stored
        ? {
            id: stored.id,
            publicKey: new Uint8Array(stored.publicKey),
            counter: stored.signCount,
            transports: stored.transports as never,
          }
        : unknownCredential(response.id),
    });
  } catch (error) {
    throw refused(error);
  }
  if (!stored || !verification.verified) throw refused();
  if (subjectUserId !== null && stored.userId !== subjectUserId) throw refused();
  await cryptoReady();
  if (response.response.userHandle && userHandleToId(response.response.userHandle) !== stored.userId) throw refused();
  const updated = await db
    .update(passkeyCredentials)
    .set({ signCount: verification.authenticationInfo.newCounter, lastUsedAt: now })
    .where(eq(passkeyCredentials.id, stored.id))
    .returning({ id: passkeyCredentials.id });
  if (updated.length !== 1) throw refused();
  return { userId: stored.userId, credentialId: stored.id };
}

/** The WebAuthn user handle is the account's UUID as 16 raw bytes. */
export function userHandleToId(userHandle: string): string {
  let hex: string;
  try {
    hex = toHex(fromBase64url(userHandle));
  } catch (error) {
    // A user handle that is not canonical base64url names no account.
    if (isCryptoError(error) && error.code === "malformed") return "";
    throw error;
  }
  if (hex.length !== 32) return "";
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Verifying against a throwaway key for an unknown credential keeps the work (and the
// time) the same as for a known one, so timing does not tell whether an account exists.
const throwawayKey = new Uint8Array([
  0xa5,
  0x01,
  0x02,
  0x03,
  0x26,
  0x20,
  0x01,
  0x21,
  0x58,
  0x20,
  ...new Array(32).fill(1),
  0x22,
  0x58,
  0x20,
  ...new Array(32).fill(2),
]);
function unknownCredential(id: string) {
  return { id, publicKey: throwawayKey, counter: 0 };
}

function refused(cause?: unknown): AppError {
  if (cause instanceof AppError && cause.code === "rate-limited") return cause;
  // The reason is for operators; the person gets one answer whatever went wrong.
  logger().info({ reason: cause instanceof Error ? scrubMessage(cause.message) : "not verified" }, "passkey refused");
  return new AppError(
    "unauthenticated",
    "That passkey could not sign you in. Please try again. If you deleted your account, its passkeys no longer sign in here: you may remove this one from your device.",
  );
}
