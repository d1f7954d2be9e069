import "server-only";
import { browserToken, rememberBrowser } from "@/lib/sessions/known-browsers";
import { eq } from "drizzle-orm";
import { passkeyCredentials } from "@/drizzle/schema";
import { appendAudit, logAuditFailure } from "@/lib/audit/audit-log";
import { countRepeatedAttempt } from "@/lib/audit/audit-counts";
import { getDatabase, type Database } from "@/lib/db";
import { clientAddress } from "@/lib/http/request-meta";
import { enforceRateLimits } from "@/lib/rate-limit";
import { clearSessionCookie, sessionToken, setSessionCookie } from "@/lib/sessions/cookies";
import { sessionPolicy } from "@/lib/sessions/current-session";
import { accountAttemptChecks, authLimits } from "./limits";
import { relyingParty } from "./relying-party";
import type { AuthenticationResponse } from "@/contract/webauthn";
import { assertAccountEnabled, endSession, resolveSession, startSession } from "@/lib/sessions/session-store";
import { noteSecurityEvent } from "@/lib/security-tallies";
import { authenticationOptions, verifyAuthentication } from "./webauthn";

export async function beginSignIn(request: Request) {
  const { db } = await getDatabase();
  await enforceRateLimits(db, [{ rule: authLimits().perAddress, subject: clientAddress(request) }]);
  return authenticationOptions(db, relyingParty());
}

/** Verifies a passkey assertion and starts a new session; any session the browser had is ended (rotation). */
export async function completeSignIn(request: Request, credential: AuthenticationResponse) {
  const { db } = await getDatabase();
  // Keyed by credential id, known or not, so it says nothing about existence; and by address,
  // so junk naming someone's passkey from one place does not lock them out everywhere.
  await enforceRateLimits(db, accountAttemptChecks(clientAddress(request), credential.id));
  let userId: string;
  try {
    ({ userId } = await verifyAuthentication(db, relyingParty(), credential));
  } catch (error) {
    auditFailedSignIn(db, credential.id);
    noteSecurityEvent(db, "sign-in-refused");
    throw error;
  }
  try {
    await assertAccountEnabled(db, userId);
  } catch (error) {
    noteSecurityEvent(db, "sign-in-refused");
    throw error;
  }
  // A synced passkey signs in anywhere without adding one: a browser the account has not used before is announced.
  const browser = await rememberBrowser(db, userId, await browserToken());
  await appendAudit(db, [{ subjectId: userId, actorId: userId, action: browser === "new" ? "sign-in-new-browser" : "sign-in", outcome: "success" }]);
  await endCurrentSession();
  const session = await startSession(db, userId, sessionPolicy());
  await setSessionCookie(session.token, session.expiresAt);
  return { userId };
}

export async function signOut(): Promise<void> {
  await endCurrentSession();
  await clearSessionCookie();
}

async function endCurrentSession(): Promise<void> {
  const token = await sessionToken();
  if (!token) return;
  const { db } = await getDatabase();
  const previous = await resolveSession(db, token, sessionPolicy());
  if (previous) await endSession(db, previous.sessionId);
}

/**
 * A failed sign-in with a known passkey is counted into its owner's trail: one event per
 * window however many junk assertions name the passkey (lib/audit/audit-counts.ts). Not
 * awaited: the refusal must take as long for a known passkey as for an unknown one.
 */
function auditFailedSignIn(db: Database, credentialId: string) {
  void (async () => {
    const [stored] = await db.select({ userId: passkeyCredentials.userId }).from(passkeyCredentials).where(eq(passkeyCredentials.id, credentialId));
    if (stored) await countRepeatedAttempt(db, { subjectId: stored.userId, actorId: null, action: "sign-in-failed", outcome: "failure" });
  })().catch((error: unknown) => logAuditFailure(error, { action: "sign-in-failed", actorId: null }));
}
