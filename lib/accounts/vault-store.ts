import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { encryptedKeyBundles, keyCertificates, users, vaultKeyWraps } from "@/drizzle/schema";
import { toBase64url } from "@/crypto";
import type { VaultMaterial } from "@/contract/account";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

/** Everything a signed-in browser needs to unlock its vault: all of it ciphertext or public. */
export async function getVaultMaterial(db: Database, userId: string): Promise<VaultMaterial> {
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  const [bundle] = await db.select().from(encryptedKeyBundles).where(eq(encryptedKeyBundles.userId, userId));
  const [certificate] = await db
    .select()
    .from(keyCertificates)
    .where(and(eq(keyCertificates.userId, userId), isNull(keyCertificates.supersededAt)));
  if (!user || !bundle || !certificate) throw new AppError("not-found", "This account has no keys.");
  const wraps = await db.select().from(vaultKeyWraps).where(eq(vaultKeyWraps.userId, userId));
  return {
    userId,
    role: user.role,
    identityPublicKey: toBase64url(certificate.identityPublicKey),
    certificate: toBase64url(certificate.certificate),
    bundle: toBase64url(bundle.bundle),
    bundleRevision: bundle.revision,
    wraps: wraps.map((wrap) => ({
      method: wrap.method,
      methodId: wrap.credentialId ?? wrap.deviceId ?? "recovery",
      salt: toBase64url(wrap.salt),
      wrappedKey: toBase64url(wrap.wrappedKey),
    })),
  };
}

/**
 * Replaces the sealed private bundle (the vault's contents changed: pinned contacts, the
 * profile). Only if nobody changed it since `revision`; the server cannot read either one.
 */
export async function replaceBundle(db: Database, userId: string, bundle: Uint8Array, revision: number): Promise<number> {
  const updated = await db
    .update(encryptedKeyBundles)
    .set({ bundle, revision: revision + 1, updatedAt: new Date() })
    .where(and(eq(encryptedKeyBundles.userId, userId), eq(encryptedKeyBundles.revision, revision)))
    .returning({ revision: encryptedKeyBundles.revision });
  if (updated.length === 0) throw new AppError("conflict", "Your vault was changed on another device. Please try again.");
  return updated[0]!.revision;
}
