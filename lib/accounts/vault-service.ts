import "server-only";
import { randomUUID } from "node:crypto";
import { EnvelopeKind, fromBase64url } from "@/crypto";
import { AppError } from "@/lib/errors";
import { vaultKeyWraps } from "@/drizzle/schema";
import { requireSession } from "@/lib/auth/current-session";
import { getDatabase } from "@/lib/db";
import { getVaultMaterial, replaceBundle } from "./vault";

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

export async function replaceMyBundle(input: { bundle: string; revision: number }) {
  const session = await requireSession();
  const bundle = fromBase64url(input.bundle);
  if (bundle[1] !== EnvelopeKind.privateBundle) throw new AppError("invalid-input", "That is not a sealed private bundle.");
  const { db } = await getDatabase();
  return { revision: await replaceBundle(db, session.userId, bundle, input.revision) };
}
