import "server-only";
import { browserToken, rememberBrowser } from "@/lib/sessions/known-browsers";
import { eq } from "drizzle-orm";
import { cryptoReady, fromBase64url, verifyRecoverySignIn } from "@/crypto";
import { passkeyCredentials, recoveryVerifiers } from "@/drizzle/schema";
import { storePasskeyWithWrap } from "./passkey-store";
import { getVaultMaterial } from "./vault-store";
import { appendAudit } from "@/lib/audit/audit-log";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/request-meta";
import { logger } from "@/lib/log";
import { enforceRateLimits } from "@/lib/rate-limit";
import { consumeChallenge, issueChallenge } from "@/lib/auth/challenges";
import { setSessionCookie } from "@/lib/sessions/cookies";
import { sessionPolicy } from "@/lib/sessions/current-session";
import { accountAttemptChecks, authLimits } from "@/lib/auth/limits";
import { relyingParty } from "@/lib/auth/relying-party";
import type { RecoveryComplete, RecoveryProof } from "@/contract/auth";
import { assertAccountEnabled, endOtherSessions, startSession } from "@/lib/sessions/session-store";
import { registrationOptions, verifyRegistration } from "@/lib/auth/webauthn";

const refused = () => new AppError("unauthenticated", "That recovery key does not match an account. Check it and try again.");

export async function beginRecovery(request: Request) {
  const { db } = await getDatabase();
  await enforceRateLimits(db, [{ rule: authLimits().perAddress, subject: clientAddress(request) }]);
  const { challenge } = await issueChallenge(db, "recovery", null);
  return { challenge };
}

/**
 * Checks the recovery signature over a fresh challenge. On success the browser gets its
 * encrypted vault and options for a new passkey, bound to this account and ceremony.
 */
export async function proveRecovery(request: Request, body: RecoveryProof) {
  const { db } = await getDatabase();
  await enforceRateLimits(db, accountAttemptChecks(clientAddress(request), `recovery:${body.recoveryPublicKey}`));
  await consumeChallenge(db, body.challenge, "recovery", null).catch(() => {
    throw refused();
  });
  await cryptoReady();
  const publicKey = fromBase64url(body.recoveryPublicKey);
  const [verifier] = await db.select().from(recoveryVerifiers).where(eq(recoveryVerifiers.publicKey, publicKey));
  try {
    verifyRecoverySignIn({ challenge: body.challenge, origin: relyingParty().origin }, fromBase64url(body.signature), publicKey);
  } catch {
    throw refused();
  }
  if (!verifier) throw refused();
  const existing = await db.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, verifier.userId));
  const { options } = await registrationOptions(
    db,
    relyingParty(),
    "recovery",
    verifier.userId,
    existing.map((row) => row.id),
  );
  return { userId: verifier.userId, options, vault: await getVaultMaterial(db, verifier.userId) };
}

/**
 * Registers the new passkey and its vault wrap, ends every other session, and signs in.
 * Returns the new passkey's id and the name it got, for the browser to offer renaming.
 */
export async function completeRecovery(body: RecoveryComplete) {
  const { db } = await getDatabase();
  // A disabled account is not given a new passkey either: the refusal comes before any change.
  await assertAccountEnabled(db, body.userId);
  const credential = await verifyRegistration(db, relyingParty(), "recovery", body.userId, body.credential);
  const name = await db.transaction(async (tx) => {
    const stored = await storePasskeyWithWrap(tx, body.userId, credential, body.passkeyName, body.vaultWrap);
    await appendAudit(tx, [{ subjectId: body.userId, actorId: body.userId, action: "account-recovered", outcome: "success" }]);
    return stored;
  });
  const ended = await endOtherSessions(db, body.userId, null);
  logger().info({ userId: body.userId, endedSessions: ended }, "account recovered");
  const session = await startSession(db, body.userId, sessionPolicy());
  // Announced already, as a new passkey (account-recovered).
  await rememberBrowser(db, body.userId, await browserToken());
  await setSessionCookie(session.token, session.expiresAt);
  return { userId: body.userId, passkey: { id: credential.id, name } };
}
