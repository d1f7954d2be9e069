import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { z } from "zod";
import { base64url } from "./common";

/**
 * The WebAuthn JSON forms (W3C WebAuthn Level 3, §5.1.8 `toJSON()`) as they cross the wire.
 * Options the server makes are declared loosely, typed with @simplewebauthn's own types (the
 * library defines their shape and the browser's WebAuthn API checks them); the credentials the
 * browser sends are declared field by field, because the server must not receive more than it
 * needs: a credential's own JSON form carries the PRF output, and these schemas refuse it.
 */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const challengeOf = (value: Record<string, unknown>) => typeof value.challenge === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(value.challenge);

/** Options to create a passkey (`navigator.credentials.create`), as @simplewebauthn/server makes them. */
export const creationOptionsSchema = z.custom<PublicKeyCredentialCreationOptionsJSON>(
  (value) =>
    isRecord(value) &&
    challengeOf(value) &&
    isRecord(value.rp) &&
    isRecord(value.user) &&
    typeof value.user.id === "string" &&
    Array.isArray(value.pubKeyCredParams),
  "must be WebAuthn creation options",
);

/** Options to sign in with a passkey (`navigator.credentials.get`), as @simplewebauthn/server makes them. */
export const requestOptionsSchema = z.custom<PublicKeyCredentialRequestOptionsJSON>(
  (value) => isRecord(value) && challengeOf(value),
  "must be WebAuthn request options",
);

/**
 * Client extension results as the server may see them: at most whether PRF is supported. The
 * PRF output (`prf.results`) is the secret that unlocks the vault and never leaves the browser,
 * so any other key is refused rather than dropped: a browser that sends it has a bug to fix.
 */
const registrationExtensionsSchema = z.object({ prf: z.object({ enabled: z.boolean().optional() }).strict().optional() }).strict();

/** What every credential's JSON form starts with: its id (twice, as WebAuthn has it), type and attachment. */
const credentialFields = {
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

/** A new passkey: `RegistrationResponseJSON` without the client extension results the server must not get. */
export const registrationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    // Strings, not the transports known today: a browser naming a new one must still register.
    transports: z.array(z.string().max(32)).max(8).optional(),
    authenticatorData: base64url(8192).optional(),
    publicKey: base64url(2048).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
  clientExtensionResults: registrationExtensionsSchema,
});
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

/** A sign-in assertion: `AuthenticationResponseJSON` with no client extension results at all (PRF output stays in the browser). */
export const authenticationResponseSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(8192),
    signature: base64url(1024),
    userHandle: base64url(64).optional(),
  }),
  clientExtensionResults: z.object({}).strict(),
});
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
