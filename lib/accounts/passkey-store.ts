import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { fromBase64url } from "@/crypto";
import { passkeyCredentials, vaultKeyWraps } from "@/drizzle/schema";
import type { NewPasskeyWrap } from "@/contract/account";
import type { Database, Transaction } from "@/lib/db";
import { appendAudit } from "@/lib/audit/audit-log";
import { AppError } from "@/lib/errors";
import { proposePasskeyName } from "@/lib/auth/passkey-names";
import type { VerifiedCredential } from "@/lib/auth/webauthn";

/**
 * A credential id is chosen by the authenticator, so a crafted client can present one that
 * is already someone's. That is refused as a conflict before the insert (which would only
 * fail on the primary key, as an unexplained 500); the stored passkey is never touched.
 */
export async function refuseKnownCredential(tx: Transaction, credentialId: string): Promise<void> {
  const [known] = await tx.select({ id: passkeyCredentials.id }).from(passkeyCredentials).where(eq(passkeyCredentials.id, credentialId));
  if (known) throw new AppError("conflict", "This passkey is already registered. Use another authenticator.");
}

/**
 * Stores a verified passkey together with the vault-key wrap that lets it unlock the
 * vault (by its PRF output, or by this device's key), inside the caller's transaction.
 * The passkey is named after its authenticator where the AAGUID is known, else with the
 * browser's proposal, never alike another of the account's passkeys; returns that name.
 */
export async function storePasskeyWithWrap(
  tx: Transaction,
  userId: string,
  credential: VerifiedCredential,
  proposedName: string,
  vaultWrap: NewPasskeyWrap,
): Promise<string> {
  if (vaultWrap.method === "prf" && vaultWrap.methodId !== credential.id) {
    throw new AppError("invalid-input", "The vault key is not wrapped for this passkey.");
  }
  await refuseKnownCredential(tx, credential.id);
  const taken = await tx.select({ name: passkeyCredentials.name }).from(passkeyCredentials).where(eq(passkeyCredentials.userId, userId));
  const name = proposePasskeyName({ aaguid: credential.aaguid, proposed: proposedName, taken: taken.map((row) => row.name) });
  await tx.insert(passkeyCredentials).values({
    id: credential.id,
    userId,
    publicKey: credential.publicKey,
    signCount: credential.signCount,
    transports: credential.transports,
    deviceType: credential.deviceType,
    backedUp: credential.backedUp,
    prfCapable: vaultWrap.method === "prf",
    name,
  });
  await tx.insert(vaultKeyWraps).values({
    id: randomUUID(),
    userId,
    method: vaultWrap.method,
    credentialId: vaultWrap.method === "prf" ? credential.id : null,
    deviceId: vaultWrap.method === "device" ? vaultWrap.methodId : null,
    salt: fromBase64url(vaultWrap.salt),
    wrappedKey: fromBase64url(vaultWrap.wrappedKey),
  });
  return name;
}

/**
 * Renames one of the user's passkeys, with its "passkey-renamed" event in the same
 * transaction: if the event cannot be written, the rename does not happen either.
 * Throws AppError("not-found") for a passkey that is not theirs.
 */
export async function renameStoredPasskey(db: Database, userId: string, credentialId: string, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(passkeyCredentials)
      .set({ name })
      .where(and(eq(passkeyCredentials.id, credentialId), eq(passkeyCredentials.userId, userId)))
      .returning({ id: passkeyCredentials.id });
    if (updated.length === 0) throw new AppError("not-found", "There is no such passkey on your account.");
    await appendAudit(tx, [{ subjectId: userId, actorId: userId, action: "passkey-renamed", outcome: "success" }]);
  });
}
