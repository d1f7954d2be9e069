import "server-only";
import { eq } from "drizzle-orm";
import { passkeyCredentials } from "@/drizzle/schema";
import type { AuthenticationResponse } from "@/contract/webauthn";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enforceRateLimits } from "@/lib/rate-limit";
import { requireSession } from "@/lib/sessions/current-session";
import { markSessionVerified, type ActiveSession } from "@/lib/sessions/session-store";
import { accountAttemptChecks } from "./limits";
import { relyingParty } from "./relying-party";
import { authenticationOptions, verifyAuthentication } from "./webauthn";
import { clientAddress } from "@/lib/http/request-meta";

/**
 * Fresh proof for sensitive actions. A stolen or left-open session must not be enough to remove
 * a passkey or replace the recovery key (and, later, to delete an account or act as an
 * administrator): those need a passkey assertion with user verification made within
 * FRESH_PROOF_MINUTES (5 by default). The sign-in that started the session counts; after that
 * the page asks for one tap (POST /api/me/fresh-proof/options, then /api/me/fresh-proof), which
 * the server verifies against the session's own person and records on the session.
 */

/**
 * Throws AppError "fresh-proof-required" (403) unless the session's person made a verified
 * passkey assertion within the configured window before `now`.
 */
export function requireFreshProof(session: Pick<ActiveSession, "verifiedAt">, now: Date = new Date()): void {
  const windowMs = config().freshProofMs;
  const verifiedAt = session.verifiedAt?.getTime();
  // A verification time in the future (clock trouble) is not fresh either.
  if (verifiedAt === undefined || now.getTime() - verifiedAt > windowMs || verifiedAt > now.getTime() + 60_000) {
    throw new AppError("fresh-proof-required", "Confirm it is you with your passkey first.");
  }
}

/** Assertion options for the signed-in person's own passkeys (user verification required). */
export async function beginFreshProof() {
  const session = await requireSession();
  const { db } = await getDatabase();
  const owned = await db.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, session.userId));
  return authenticationOptions(db, relyingParty(), { userId: session.userId, credentialIds: owned.map((row) => row.id) });
}

/**
 * Verifies the assertion (challenge issued to this person for a fresh proof, one of their
 * passkeys, user verified, counter advanced) and marks the session verified now. A refusal is
 * AppError "forbidden", not "unauthenticated": the session itself is still good. Failed
 * attempts count toward the per-address and per-passkey limits of sign-in.
 */
export async function completeFreshProof(request: Request, credential: AuthenticationResponse): Promise<{ verifiedAt: Date }> {
  const session = await requireSession();
  const { db } = await getDatabase();
  await enforceRateLimits(db, accountAttemptChecks(clientAddress(request), credential.id));
  const now = new Date();
  try {
    await verifyAuthentication(db, relyingParty(), credential, now, session.userId);
  } catch (error) {
    if (error instanceof AppError && error.code === "unauthenticated") {
      throw new AppError("forbidden", "That passkey could not confirm it is you. Please try again with a passkey of this account.");
    }
    throw error;
  }
  await markSessionVerified(db, session.sessionId, now);
  return { verifiedAt: now };
}
