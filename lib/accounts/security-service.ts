import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { fromBase64url } from "@/crypto";
import { passkeyCredentials, recoveryVerifiers, vaultKeyWraps } from "@/drizzle/schema";
import { requireSession, sessionPolicy } from "@/lib/auth/current-session";
import { relyingParty } from "@/lib/auth/relying-party";
import type { RegistrationResponse } from "@/lib/auth/schemas";
import { endOtherSessions, listActiveSessions } from "@/lib/auth/sessions";
import { registrationOptions, verifyRegistration } from "@/lib/auth/webauthn";
import { appendAudit } from "@/lib/audit/audit-log";
import { getDatabase } from "@/lib/db";
import { storePasskeyWithWrap, type NewPasskeyWrap } from "./passkey-store";
import { AppError } from "@/lib/errors";

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
  const { options } = await registrationOptions(db, relyingParty(), "add-passkey", session.userId, existing.map((row) => row.id));
  return { options };
}

/** Stores another passkey with the vault key wrapped for it (or for this device). */
export async function completeAddPasskey(body: { name: string; credential: RegistrationResponse; vaultWrap: NewPasskeyWrap }) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const credential = await verifyRegistration(db, relyingParty(), "add-passkey", session.userId, body.credential);
  await db.transaction(async (tx) => {
    await storePasskeyWithWrap(tx, session.userId, credential, body.name, body.vaultWrap);
    await appendAudit(tx, [{ subjectId: session.userId, actorId: session.userId, action: "passkey-added", outcome: "success" }]);
  });
  return { id: credential.id };
}

export async function renamePasskey(credentialId: string, name: string) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const updated = await db
    .update(passkeyCredentials)
    .set({ name })
    .where(and(eq(passkeyCredentials.id, credentialId), eq(passkeyCredentials.userId, session.userId)))
    .returning({ id: passkeyCredentials.id });
  if (updated.length === 0) throw new AppError("not-found", "There is no such passkey on your account.");
  await appendAudit(db, [{ subjectId: session.userId, actorId: session.userId, action: "passkey-renamed", outcome: "success" }]);
}

/** Removes a passkey and its vault wrap; the last passkey cannot go. */
export async function removePasskey(credentialId: string) {
  const session = await requireSession();
  const { db } = await getDatabase();
  await db.transaction(async (tx) => {
    // Locking the account's passkeys serialises two removals racing for the last one.
    const owned = await tx
      .select({ id: passkeyCredentials.id })
      .from(passkeyCredentials)
      .where(eq(passkeyCredentials.userId, session.userId))
      .for("update");
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

/** Replaces the recovery key: the new verifier and wrap take the old ones' place in one step. */
export async function replaceRecoveryKey(body: { recoveryPublicKey: string; wrappedKey: string }) {
  const session = await requireSession();
  const { db } = await getDatabase();
  const publicKey = fromBase64url(body.recoveryPublicKey);
  await db.transaction(async (tx) => {
    // Verifier keys are unique (recovery finds the account by its key): one that is already
    // another account's is refused here, instead of failing on the index as a 500.
    const [holder] = await tx.select({ userId: recoveryVerifiers.userId }).from(recoveryVerifiers).where(eq(recoveryVerifiers.publicKey, publicKey));
    if (holder && holder.userId !== session.userId) throw new AppError("conflict", "This recovery key cannot be used. Please make a new one.");
    await tx
      .update(recoveryVerifiers)
      .set({ publicKey, createdAt: new Date() })
      .where(eq(recoveryVerifiers.userId, session.userId));
    await tx.delete(vaultKeyWraps).where(and(eq(vaultKeyWraps.userId, session.userId), eq(vaultKeyWraps.method, "recovery")));
    await tx.insert(vaultKeyWraps).values({
      id: randomUUID(),
      userId: session.userId,
      method: "recovery",
      salt: new Uint8Array(0),
      wrappedKey: fromBase64url(body.wrappedKey),
    });
    await appendAudit(tx, [{ subjectId: session.userId, actorId: session.userId, action: "recovery-key-changed", outcome: "success" }]);
  });
}
