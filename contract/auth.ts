import { z } from "zod";
import { accountRoleSchema, base64url, uuid } from "./common";
import { newPasskeyWrapSchema, passkeyNameSchema, storedPasskeySchema, vaultMaterialSchema, vaultWrapSchema } from "./account";
import { defineRoute } from "./route";
import { authenticationResponseSchema, creationOptionsSchema, registrationResponseSchema, requestOptionsSchema } from "./webauthn";

const text = (max: number) => z.string().trim().min(1, "is required").max(max, `must be at most ${max} characters`);

/** "admin" only with the deployment's enrolment token (lib/accounts/admin-enrolment.ts). */
export const signUpRoleSchema = accountRoleSchema;
const enrolmentTokenSchema = z.string().min(1).max(512);

/** A clinician's public directory entry as they type it at sign-up. */
export const directoryEntryInputSchema = z.object({
  displayName: text(120),
  specialty: text(120),
  organization: text(160),
  licenceNumber: text(64),
});
export type DirectoryEntryInput = z.infer<typeof directoryEntryInputSchema>;

/** What a new account publishes: its keys' public halves, certificate, sealed bundle and vault-key wraps. */
export const accountKeysSchema = z.object({
  identityPublicKey: base64url(32),
  certificate: base64url(1024),
  bundle: base64url(16_384),
  recoveryPublicKey: base64url(32),
  vaultWraps: z.array(vaultWrapSchema).min(2).max(4),
});
export type AccountKeys = z.infer<typeof accountKeysSchema>;

export const signUpOptionsRequestSchema = z.object({ role: signUpRoleSchema, enrolmentToken: enrolmentTokenSchema.optional() });
export type SignUpOptionsRequest = z.infer<typeof signUpOptionsRequestSchema>;

export const signUpRequestSchema = z
  .object({
    userId: uuid,
    role: signUpRoleSchema,
    directory: directoryEntryInputSchema.optional(),
    passkeyName: passkeyNameSchema,
    credential: registrationResponseSchema,
    keys: accountKeysSchema,
    enrolmentToken: enrolmentTokenSchema.optional(),
  })
  .superRefine((value, context) => {
    const clinician = value.role === "doctor" || value.role === "nurse";
    if (clinician && !value.directory) {
      context.addIssue({ code: "custom", path: ["directory"], message: "is required for clinicians" });
    }
    if (!clinician && value.directory) {
      context.addIssue({ code: "custom", path: ["directory"], message: "is only for clinicians" });
    }
  });
export type SignUpRequest = z.infer<typeof signUpRequestSchema>;

/** A new account's id (chosen by the server) and the options to create its first passkey. */
export const passkeyCreationSchema = z.object({ userId: uuid, options: creationOptionsSchema });

const publicKey = base64url(32).length(43);
const signature = base64url(64).length(86);

/** A proof of the recovery key: its signing key's signature over a fresh challenge and the origin. */
export const recoveryProofSchema = z.object({ recoveryPublicKey: publicKey, challenge: base64url(32).length(43), signature });
export type RecoveryProof = z.infer<typeof recoveryProofSchema>;

export const recoveryCompleteSchema = z.object({
  userId: uuid,
  passkeyName: passkeyNameSchema,
  credential: registrationResponseSchema,
  vaultWrap: newPasskeyWrapSchema,
});
export type RecoveryComplete = z.infer<typeof recoveryCompleteSchema>;

/** Sign-up, sign-in, recovery and sign-out: the routes that need no session. */
export const authRoutes = {
  signUpOptions: defineRoute({
    method: "POST",
    path: "/api/auth/sign-up/options",
    access: "public",
    body: signUpOptionsRequestSchema,
    response: passkeyCreationSchema,
  }),
  signUpVerify: defineRoute({
    method: "POST",
    path: "/api/auth/sign-up/verify",
    access: "public",
    status: 201,
    body: signUpRequestSchema,
    response: z.object({ userId: uuid, role: accountRoleSchema }),
  }),
  signInOptions: defineRoute({ method: "POST", path: "/api/auth/sign-in/options", access: "public", response: requestOptionsSchema }),
  signInVerify: defineRoute({
    method: "POST",
    path: "/api/auth/sign-in/verify",
    access: "public",
    body: z.object({ credential: authenticationResponseSchema }),
    response: z.object({ userId: uuid }),
  }),
  recoveryOptions: defineRoute({
    method: "POST",
    path: "/api/auth/recovery/options",
    access: "public",
    response: z.object({ challenge: base64url(32).length(43) }),
  }),
  recoveryVerify: defineRoute({
    method: "POST",
    path: "/api/auth/recovery/verify",
    access: "public",
    body: recoveryProofSchema,
    response: passkeyCreationSchema.extend({ vault: vaultMaterialSchema }),
  }),
  recoveryComplete: defineRoute({
    method: "POST",
    path: "/api/auth/recovery/complete",
    access: "public",
    body: recoveryCompleteSchema,
    response: z.object({ userId: uuid, passkey: storedPasskeySchema }),
  }),
  signOut: defineRoute({ method: "POST", path: "/api/auth/sign-out", access: "public", response: "empty" }),
};
