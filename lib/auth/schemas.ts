import { z } from "zod";

/** Unpadded base64url of bounded length: every binary value in the API travels this way. */
export const base64url = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

export const uuidSchema = z.uuid();

const text = (max: number) => z.string().trim().min(1, "is required").max(max, `must be at most ${max} characters`);

/** Longest passkey name, in UTF-16 code units (what an input's maxLength counts). */
export const passkeyNameMaxLength = 64;

// C0 and C1 controls, line and paragraph separators, and the bidirectional overrides and
// isolates that would make a name display as something other than what it says.
const forbiddenInName = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/**
 * A passkey name: the person's own label for one of their passkeys ("YubiKey 5", "Work
 * laptop"). Trimmed and NFC-normalised; 1 to 64 characters; no control characters.
 */
export const passkeyNameSchema = z
  .string()
  .transform((name) => name.normalize("NFC").trim())
  .pipe(
    z
      .string()
      .min(1, "is required")
      .max(passkeyNameMaxLength, `must be at most ${passkeyNameMaxLength} characters`)
      .refine((name) => !forbiddenInName.test(name), "must not contain control characters"),
  );

export const clinicianRoleSchema = z.enum(["doctor", "nurse"]);
/** "admin" only with the deployment's enrolment token (lib/accounts/admin-enrolment.ts). */
export const signUpRoleSchema = z.enum(["patient", "doctor", "nurse", "admin"]);
const enrolmentTokenSchema = z.string().min(1).max(512);

export const directoryEntrySchema = z.object({
  displayName: text(120),
  specialty: text(120),
  organization: text(160),
  licenceNumber: text(64),
});

/**
 * The parts of a WebAuthn response the server needs. Client extension results are
 * reduced to whether PRF is supported: the PRF output itself never leaves the browser.
 */
const clientExtensionResultsSchema = z
  .object({ prf: z.object({ enabled: z.boolean().optional() }).strict().optional() })
  .strict();

export const registrationResponseSchema = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    transports: z.array(z.string().max(32)).max(8).optional(),
    authenticatorData: base64url(8192).optional(),
    publicKey: base64url(2048).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
  clientExtensionResults: clientExtensionResultsSchema,
});

export const authenticationResponseSchema = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(8192),
    signature: base64url(1024),
    userHandle: base64url(64).optional(),
  }),
  clientExtensionResults: z.object({}).strict(),
});

export const vaultWrapSchema = z.object({
  method: z.enum(["prf", "device", "recovery"]),
  /** For a PRF wrap, the passkey it belongs to; for a device wrap, the device's id. */
  methodId: z.string().min(1).max(1024),
  salt: base64url(64),
  wrappedKey: base64url(256),
});

export const accountKeysSchema = z.object({
  identityPublicKey: base64url(32),
  certificate: base64url(1024),
  bundle: base64url(16_384),
  recoveryPublicKey: base64url(32),
  vaultWraps: z.array(vaultWrapSchema).min(2).max(4),
});

export const signUpOptionsRequestSchema = z.object({ role: signUpRoleSchema, enrolmentToken: enrolmentTokenSchema.optional() });

export const signUpRequestSchema = z
  .object({
    userId: uuidSchema,
    role: signUpRoleSchema,
    directory: directoryEntrySchema.optional(),
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
export type SignUpOptionsRequest = z.infer<typeof signUpOptionsRequestSchema>;
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

export const recoveryProofSchema = z.object({
  recoveryPublicKey: base64url(32).length(43),
  challenge: base64url(32).length(43),
  signature: base64url(64).length(86),
});

/** The vault-key wrap that comes with a new passkey (after sign-up: added, or at recovery). */
export const newPasskeyWrapSchema = z.object({
  method: z.enum(["prf", "device"]),
  methodId: z.string().min(1).max(1024),
  salt: base64url(64),
  wrappedKey: base64url(256),
});

export const recoveryCompleteSchema = z.object({
  userId: uuidSchema,
  passkeyName: passkeyNameSchema,
  credential: registrationResponseSchema,
  vaultWrap: newPasskeyWrapSchema,
});

export const addPasskeySchema = z.object({
  name: passkeyNameSchema,
  credential: registrationResponseSchema,
  vaultWrap: newPasskeyWrapSchema,
});

export const renamePasskeySchema = z.object({ name: passkeyNameSchema });
