import "server-only";
import { randomUUID } from "node:crypto";
import { fromBase64url } from "@/crypto";
import { vaultKeyWraps } from "@/drizzle/schema";
import { requireSession } from "@/lib/sessions/current-session";
import { getDatabase } from "@/lib/db";
import { checkedBundle } from "./bundle-shape";
import { getVaultMaterial, replaceBundle } from "./vault-store";

export async function getMyVault() {
  const session = await requireSession();
  const { db } = await getDatabase();
  return getVaultMaterial(db, session.userId);
}

/** Remembers a device: a wrap only that browser's non-extractable key can open. */
export async function addDeviceWrap(wrap: { methodId: string; salt: string; wrappedKey: string }) {
  const session = await requireSession();
  const { db } = await getDatabase();
  await db.insert(vaultKeyWraps).values({
    id: randomUUID(),
    userId: session.userId,
    method: "device",
    deviceId: wrap.methodId,
    salt: fromBase64url(wrap.salt),
    wrappedKey: fromBase64url(wrap.wrappedKey),
  });
}

/**
 * Replaces the caller's sealed private bundle if it is still at `revision`.
 * @throws AppError "invalid-input" for a bundle that is not padded (checkedBundle), "conflict" when another device wrote first
 */
export async function replaceMyBundle(input: { bundle: string; revision: number }) {
  const session = await requireSession();
  const bundle = checkedBundle(input.bundle, "bundle");
  const { db } = await getDatabase();
  return { revision: await replaceBundle(db, session.userId, bundle, input.revision) };
}
