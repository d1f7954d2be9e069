import "server-only";
import { browserToken, rememberBrowser } from "@/lib/sessions/known-browsers";
import { checkAdminEnrolment } from "./admin-enrolment";
import { createAccount } from "./account-store";
import { getDatabase } from "@/lib/db";
import { clientAddress } from "@/lib/http/request-meta";
import { enforceRateLimits } from "@/lib/rate-limit";
import { setSessionCookie } from "@/lib/sessions/cookies";
import { sessionPolicy } from "@/lib/sessions/current-session";
import { accountAttemptChecks, authLimits } from "@/lib/auth/limits";
import { relyingParty } from "@/lib/auth/relying-party";
import type { SignUpOptionsRequest, SignUpRequest } from "@/contract/auth";
import { startSession } from "@/lib/sessions/session-store";
import { registrationOptions, verifyRegistration } from "@/lib/auth/webauthn";

/** Refused here already for an administrator without the token, so that no passkey is made in vain. */
export async function beginSignUp(request: Request, body: SignUpOptionsRequest) {
  const { db } = await getDatabase();
  await enforceRateLimits(db, [{ rule: authLimits().perAddress, subject: clientAddress(request) }]);
  checkAdminEnrolment(body.role, body.enrolmentToken);
  return registrationOptions(db, relyingParty(), "registration");
}

/** Verifies the new passkey, stores the account and its keys, and signs the person in. */
export async function completeSignUp(request: Request, body: SignUpRequest) {
  const { db } = await getDatabase();
  const address = clientAddress(request);
  // One address cannot mint accounts by the hundred (SIGN_UP_LIMIT_PER_ADDRESS an hour).
  await enforceRateLimits(db, [...accountAttemptChecks(address, body.userId), { rule: authLimits().signUpPerAddress, subject: address }]);
  const credential = await verifyRegistration(db, relyingParty(), "registration", body.userId, body.credential);
  const prfCapable = body.keys.vaultWraps.some((wrap) => wrap.method === "prf");
  await createAccount(db, body, credential, prfCapable);
  const session = await startSession(db, body.userId, sessionPolicy());
  await rememberBrowser(db, body.userId, await browserToken());
  await setSessionCookie(session.token, session.expiresAt);
  return { userId: body.userId, role: body.role };
}
