import "server-only";
import { getDatabase } from "@/lib/db";
import { clientAddress } from "@/lib/http/request-meta";
import { enforceRateLimits } from "@/lib/rate-limit";
import { clearSessionCookie, sessionToken, setSessionCookie } from "./cookies";
import { sessionPolicy } from "./current-session";
import { authLimits } from "./limits";
import { relyingParty } from "./relying-party";
import type { AuthenticationResponse } from "./schemas";
import { endSession, resolveSession, startSession } from "./sessions";
import { authenticationOptions, verifyAuthentication } from "./webauthn";

export async function beginSignIn(request: Request) {
  const { db } = await getDatabase();
  await enforceRateLimits(db, [{ rule: authLimits().perAddress, subject: clientAddress(request) }]);
  return authenticationOptions(db, relyingParty());
}

/** Verifies a passkey assertion and starts a new session; any session the browser had is ended (rotation). */
export async function completeSignIn(request: Request, credential: AuthenticationResponse) {
  const { db } = await getDatabase();
  // The per-account bucket is keyed by credential id, known or not, so it says nothing about existence.
  await enforceRateLimits(db, [
    { rule: authLimits().perAddress, subject: clientAddress(request) },
    { rule: authLimits().perAccount, subject: credential.id },
  ]);
  const { userId } = await verifyAuthentication(db, relyingParty(), credential);
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
