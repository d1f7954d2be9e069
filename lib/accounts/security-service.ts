import "server-only";
import { asc, eq } from "drizzle-orm";
import { passkeyCredentials } from "@/drizzle/schema";
import { requireSession, sessionPolicy } from "@/lib/sessions/current-session";
import { relyingParty } from "@/lib/auth/relying-party";
import type { NewPasskeyWrap } from "@/contract/account";
import type { RegistrationResponse } from "@/contract/webauthn";
import { endOtherSessions, listActiveSessions } from "@/lib/sessions/session-store";
import { registrationOptions, verifyRegistration } from "@/lib/auth/webauthn";
import { appendAudit } from "@/lib/audit/audit-log";
import { getDatabase } from "@/lib/db";
import { renameStoredPasskey, storePasskeyWithWrap } from "./passkey-store";
import { currentRecoveryVerifier, swapRecoveryKey, type RecoveryKeyReplacement } from "./recovery-key-swap";
import { AppError } from "@/lib/errors";
import { requireFreshProof } from "@/lib/auth/fresh-proof";

export async function listMyPasskeys() {
  const session = await requireSession();
  const { db } = await getDatabase();
  const rows = await db
    .select({
      id: passkeyCredentials.id,
      name: passkeyCredentials.name,
      createdAt: passkeyCredentials.createdAt,
      lastUsedAt: passkeyCredentials.lastUsedAt,
      prfCapable: passkeyCredentials.prfCapable,
    })
    .from(passkeyCredentials)
    .where(eq(passkeyCredentials.userId, session.userId))
    .orderBy(asc(passkeyCredentials.createdAt));
  return { passkeys: rows };
}

export async function beginAddPasskey() {
  const session = await requireSession();
  const { db } = await getDatabase();
  const existing = await db.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, session.userId));
  const { options } = await registrationOptions(
    db,
    relyingParty(),
    "add-passkey",
    session.userId,
    existing.map((row) => row.id),
  );
  return { options };
}

/**
 * Stores another passkey with the vault key wrapped for it (or for this device). Returns its
 * id and the name it got (the authenticator's, where known; see storePasskeyWithWrap), for
 * the browser to offer renaming at once.
 */
export async function completeAddPasskey(body: { name: string; credential: RegistrationResponse; vaultWrap: NewPasskeyWrap }) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const credential = await verifyRegistration(db, relyingParty(), "add-passkey", session.userId, body.credential);
  const name = await db.transaction(async (tx) => {
    const stored = await storePasskeyWithWrap(tx, session.userId, credential, body.name, body.vaultWrap);
    await appendAudit(tx, [{ subjectId: session.userId, actorId: session.userId, action: "passkey-added", outcome: "success" }]);
    return stored;
  });
  return { id: credential.id, name };
}

export async function renamePasskey(credentialId: string, name: string) {
  const session = await requireSession();
  const { db } = await getDatabase();
  await renameStoredPasskey(db, session.userId, credentialId, name);
}

/**
 * Removes a passkey and its vault wrap; the last passkey cannot go. Needs a fresh proof
 * (AppError "fresh-proof-required"): a session left open must not be enough to take a
 * passkey away from its owner.
 */
export async function removePasskey(credentialId: string) {
  const session = await requireSession();
  requireFreshProof(session);
  const { db } = await getDatabase();
  await db.transaction(async (tx) => {
    // Locking the account's passkeys serialises two removals racing for the last one.
    const owned = await tx.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, session.userId)).for("update");
    if (!owned.some((row) => row.id === credentialId)) throw new AppError("not-found", "There is no such passkey on your account.");
    if (owned.length === 1) throw new AppError("conflict", "This is your only passkey. Add another before removing it.");
    await tx.delete(passkeyCredentials).where(eq(passkeyCredentials.id, credentialId));
    await appendAudit(tx, [{ subjectId: session.userId, actorId: session.userId, action: "passkey-removed", outcome: "success" }]);
  });
}

export async function listMySessions() {
  const session = await requireSession();
  const { db } = await getDatabase();
  return { sessions: await listActiveSessions(db, session.userId, session.sessionId, sessionPolicy()) };
}

export async function signOutOtherSessions() {
  const session = await requireSession();
  const { db } = await getDatabase();
  return { ended: await endOtherSessions(db, session.userId, session.sessionId) };
}

/** The public half of the account's current recovery signing key, which a replacement must name. */
export async function currentRecoveryKey(): Promise<{ recoveryPublicKey: string; createdAt: Date }> {
  const session = await requireSession();
  const { db } = await getDatabase();
  return currentRecoveryVerifier(db, session.userId);
}

/** Replaces the signed-in person's recovery key, all at once or not at all (see swapRecoveryKey). Needs a fresh proof. */
export async function replaceRecoveryKey(body: RecoveryKeyReplacement) {
  const session = await requireSession();
  requireFreshProof(session);
  const { db } = await getDatabase();
  await swapRecoveryKey(db, session.userId, relyingParty().origin, body);
}
