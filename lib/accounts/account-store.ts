import "server-only";
import { randomUUID } from "node:crypto";
import { clinicianDirectory, encryptedKeyBundles, keyCertificates, passkeyCredentials, recoveryVerifiers, users, vaultKeyWraps } from "@/drizzle/schema";
import { cryptoReady, fromBase64url, verifyKeyCertificate } from "@/crypto";
import { config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { SignUpRequest } from "@/contract/auth";
import { proposePasskeyName } from "@/lib/auth/passkey-names";
import type { VerifiedCredential } from "@/lib/auth/webauthn";
import { appendAdminEvent } from "@/lib/admin/admin-trail";
import { checkAdminEnrolment } from "./admin-enrolment";
import { checkedBundle } from "./bundle-shape";
import { refuseKnownCredential } from "./passkey-store";

/**
 * Checks what the browser made before anything is stored: the key certificate must be
 * signed by the identity key it arrives with and name this user and role, and the vault
 * key must be wrapped for the new passkey (or this device) and for the recovery key, and
 * the sealed private bundle must be padded (checkedBundle).
 */
export async function checkAccountKeys(request: SignUpRequest, credentialId: string, prfCapable: boolean) {
  await cryptoReady();
  const identityPublicKey = fromBase64url(request.keys.identityPublicKey);
  let certificate;
  try {
    certificate = verifyKeyCertificate(fromBase64url(request.keys.certificate), identityPublicKey, {
      userId: request.userId,
    });
  } catch {
    throw new AppError("invalid-input", "The account keys are not valid.", {
      fields: [{ path: "keys.certificate", message: "is not signed by the identity key for this account" }],
    });
  }
  if (certificate.role !== request.role) {
    throw new AppError("invalid-input", "The account keys are not valid.", {
      fields: [{ path: "keys.certificate", message: "names another role" }],
    });
  }
  const methods = request.keys.vaultWraps.map((wrap) => wrap.method);
  const passkeyWrap = request.keys.vaultWraps.find((wrap) => wrap.method === "prf");
  const wrapsOk =
    methods.filter((method) => method === "recovery").length === 1 &&
    (prfCapable ? passkeyWrap?.methodId === credentialId : methods.includes("device")) &&
    request.keys.vaultWraps.every((wrap) => wrap.method !== "prf" || wrap.methodId === credentialId);
  if (!wrapsOk) {
    throw new AppError("invalid-input", "The account keys are not valid.", {
      fields: [{ path: "keys.vaultWraps", message: "must wrap the vault key for this passkey or device, and for the recovery key" }],
    });
  }
  return { identityPublicKey, encryptionPublicKey: certificate.encryptionPublicKey, bundle: checkedBundle(request.keys.bundle, "keys.bundle") };
}

/**
 * Stores a new account in one transaction: nothing half-made survives a failure. An
 * administrator is refused here without the enrolment token, whatever the options request
 * said, because this is where the account comes into being.
 */
export async function createAccount(
  db: Database,
  request: SignUpRequest,
  credential: VerifiedCredential,
  prfCapable: boolean,
  configuredEnrolmentToken: string | undefined = config().adminEnrolmentToken,
): Promise<void> {
  checkAdminEnrolment(request.role, request.enrolmentToken, configuredEnrolmentToken);
  const { identityPublicKey, encryptionPublicKey, bundle } = await checkAccountKeys(request, credential.id, prfCapable);
  await db.transaction(async (tx) => {
    await refuseKnownCredential(tx, credential.id);
    await tx.insert(users).values({ id: request.userId, role: request.role });
    // The enrolment token lets anyone holding it become an administrator: each enrolment is on the record.
    if (request.role === "admin")
      await appendAdminEvent(tx, { actorId: request.userId, action: "administrator-enrolled", subjectId: request.userId, outcome: "success" });
    if (request.directory) await tx.insert(clinicianDirectory).values({ userId: request.userId, ...request.directory });
    await tx.insert(passkeyCredentials).values({
      id: credential.id,
      userId: request.userId,
      publicKey: credential.publicKey,
      signCount: credential.signCount,
      transports: credential.transports,
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      prfCapable,
      name: proposePasskeyName({ aaguid: credential.aaguid, proposed: request.passkeyName, taken: [] }),
    });
    await tx.insert(keyCertificates).values({
      id: randomUUID(),
      userId: request.userId,
      identityPublicKey,
      encryptionPublicKey,
      certificate: fromBase64url(request.keys.certificate),
    });
    await tx.insert(encryptedKeyBundles).values({ userId: request.userId, bundle });
    await tx.insert(recoveryVerifiers).values({
      userId: request.userId,
      publicKey: fromBase64url(request.keys.recoveryPublicKey),
    });
    await tx.insert(vaultKeyWraps).values(
      request.keys.vaultWraps.map((wrap) => ({
        id: randomUUID(),
        userId: request.userId,
        method: wrap.method,
        credentialId: wrap.method === "prf" ? credential.id : null,
        deviceId: wrap.method === "device" ? wrap.methodId : null,
        salt: fromBase64url(wrap.salt),
        wrappedKey: fromBase64url(wrap.wrappedKey),
      })),
    );
  });
}
