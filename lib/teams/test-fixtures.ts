import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { keyCertificates } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { insertOrganization } from "./team-store";

/** An account's current identity public key (32 bytes), as its key certificate holds it. */
export async function identityKeyOf(db: Database, userId: string): Promise<Uint8Array> {
  const [row] = await db.select({ key: keyCertificates.identityPublicKey }).from(keyCertificates).where(eq(keyCertificates.userId, userId));
  return row!.key;
}

/** A deployment administrator's statement naming `adminId` (the signature stands in: the server stores it as signed, browsers check it). */
export const statementFor = (adminId: string, adminIdentityPublicKey: Uint8Array) => ({
  id: randomUUID(),
  adminId,
  adminIdentityPublicKey,
  signerName: "Ada Admin, registrar",
  issuedAt: Date.now(),
  signature: randomBytes(64),
});

/** An organization created by `creatorId` with one administrator, named by a statement over their current key. */
export async function insertCertifiedOrganization(db: Database, creatorId: string, organization: { id: string; name: string; adminId: string }) {
  const statement = statementFor(organization.adminId, await identityKeyOf(db, organization.adminId));
  await db.transaction((tx) =>
    insertOrganization(tx, creatorId, { id: organization.id, name: organization.name, administratorIds: [organization.adminId], statements: [statement] }),
  );
  return statement;
}
