import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { cryptoReady, equalBytes, fromBase64url, isVaultKeyWrap, toBase64url, verifyRecoveryKeyReplacement } from "@/crypto";
import { recoveryVerifiers, vaultKeyWraps } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { RecoveryKeyReplacement } from "@/contract/me";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

/** The public half of an account's current recovery signing key (base64url) and when it was made. Throws not-found. */
export async function currentRecoveryVerifier(db: Database, userId: string): Promise<{ recoveryPublicKey: string; createdAt: Date }> {
  const [verifier] = await db.select().from(recoveryVerifiers).where(eq(recoveryVerifiers.userId, userId));
  if (!verifier) throw new AppError("not-found", "This account has no recovery key.");
  return { recoveryPublicKey: toBase64url(verifier.publicKey), createdAt: verifier.createdAt };
}

export type { RecoveryKeyReplacement };

/**
 * Replaces an account's recovery key once the person has confirmed they saved the new one: the new
 * verifier and its vault wrap take the old ones' place in one transaction, with the audit
 * event, or nothing changes. Refused (nothing changed) when the new key did not sign this
 * exact replacement (invalid-input), when the wrap is not a vault-key wrap (invalid-input),
 * when the key named as previous is no longer the account's (conflict: changed meanwhile
 * elsewhere), when the new key is the old one or another account's (conflict), or when the
 * account does not hold exactly one recovery verifier and one recovery wrap (conflict).
 * `origin` is the app's origin, which the browser signed too.
 */
export async function swapRecoveryKey(db: Database, userId: string, origin: string, body: RecoveryKeyReplacement): Promise<void> {
  await cryptoReady();
  const previous = fromBase64url(body.previousRecoveryPublicKey);
  const publicKey = fromBase64url(body.recoveryPublicKey);
  const wrappedKey = fromBase64url(body.wrappedKey);
  if (!isVaultKeyWrap(wrappedKey)) {
    throw new AppError("invalid-input", "The new recovery key's vault wrap is not valid. Please make a new one.");
  }
  try {
    verifyRecoveryKeyReplacement(
      { userId, previousRecoveryPublicKey: previous, recoveryPublicKey: publicKey, wrappedVaultKey: wrappedKey, origin },
      fromBase64url(body.signature),
    );
  } catch {
    throw new AppError("invalid-input", "The new recovery key does not match what was sent with it. Please make a new one.");
  }
  if (equalBytes(previous, publicKey)) throw new AppError("conflict", "The new recovery key is the same as the old one. Please make a new one.");
  await db.transaction(async (tx) => {
    // Locking the verifier serialises two replacements racing from two windows: the second finds its "previous" gone.
    const [current] = await tx.select().from(recoveryVerifiers).where(eq(recoveryVerifiers.userId, userId)).for("update");
    if (!current || !equalBytes(current.publicKey, previous)) {
      throw new AppError(
        "conflict",
        "Your recovery key was changed somewhere else while this one was being made. Your new key was not saved: make a new one again.",
      );
    }
    // Verifier keys are unique (recovery finds the account by its key): one that is already
    // another account's is refused here, instead of failing on the index as a 500.
    const [holder] = await tx.select({ userId: recoveryVerifiers.userId }).from(recoveryVerifiers).where(eq(recoveryVerifiers.publicKey, publicKey));
    if (holder) throw new AppError("conflict", "This recovery key cannot be used. Please make a new one.");
    await tx.update(recoveryVerifiers).set({ publicKey, createdAt: new Date() }).where(eq(recoveryVerifiers.userId, userId));
    const removed = await tx
      .delete(vaultKeyWraps)
      .where(and(eq(vaultKeyWraps.userId, userId), eq(vaultKeyWraps.method, "recovery")))
      .returning({ id: vaultKeyWraps.id });
    // Anything but one old wrap means the account is not in the state the swap assumes; the throw rolls it all back.
    if (removed.length !== 1) throw new AppError("conflict", "Your recovery key could not be replaced. Your current one still works.");
    await tx.insert(vaultKeyWraps).values({ id: randomUUID(), userId: userId, method: "recovery", salt: new Uint8Array(0), wrappedKey });
    await appendAudit(tx, [{ subjectId: userId, actorId: userId, action: "recovery-key-changed", outcome: "success" }]);
  });
}
