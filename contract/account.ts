import { z } from "zod";
import { accountRoleSchema, base64url, uuid } from "./common";

/** The account's own shapes, shared by the sign-in, recovery and settings routes (contract/auth.ts, contract/me.ts). */

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

/**
 * One vault-key wrap (crypto/README.md): the vault key under a key derived from a passkey's PRF
 * output ("prf", methodId the credential id), this browser's device key ("device", methodId the
 * device id) or the recovery key ("recovery").
 */
export const vaultWrapSchema = z.object({
  method: z.enum(["prf", "device", "recovery"]),
  /** For a PRF wrap, the passkey it belongs to; for a device wrap, the device's id. */
  methodId: z.string().min(1).max(1024),
  salt: base64url(64),
  wrappedKey: base64url(256),
});
export type VaultWrap = z.infer<typeof vaultWrapSchema>;

/** The vault-key wrap that comes with a new passkey (after sign-up: added, or at recovery). */
export const newPasskeyWrapSchema = vaultWrapSchema.extend({ method: z.enum(["prf", "device"]) });
export type NewPasskeyWrap = z.infer<typeof newPasskeyWrapSchema>;

/** A passkey just stored: its credential id and the name it got (the authenticator's model where known). */
export const storedPasskeySchema = z.object({ id: base64url(1024).min(1), name: z.string().min(1).max(passkeyNameMaxLength) });

/**
 * The most bytes of a sealed private bundle: crypto/'s largest bucket (256 KiB) in its envelope
 * (`maxPrivateBundleBytes`, which contract/account.test.ts checks this equals).
 */
export const sealedBundleMaxBytes = 256 * 1024 + 2 + 24 + 16;

/**
 * Everything a signed-in browser needs to unlock its vault, all of it ciphertext or public: the
 * identity key and its certificate, the sealed private bundle with its revision (bumped at each
 * change, so two devices cannot overwrite each other's edits) and every vault-key wrap.
 */
export const vaultMaterialSchema = z.object({
  userId: uuid,
  role: accountRoleSchema,
  identityPublicKey: base64url(32).length(43),
  certificate: base64url(1024),
  bundle: base64url(sealedBundleMaxBytes).min(43),
  bundleRevision: z.number().int().min(1),
  wraps: z.array(vaultWrapSchema).max(64),
});
export type VaultMaterial = z.infer<typeof vaultMaterialSchema>;
