import "./zod-config";
import { z } from "zod";

/** A server-issued id (records, grants, accounts, files): a UUID (RFC 9562). */
export const uuid = z.uuid();

/** Path parameters of a route with one `[id]` segment. */
export const idParams = z.object({ id: uuid });

/**
 * Every error response's body (the server's one error model, lib/errors.ts): a code, a message
 * written for the person, and for invalid input the failing fields (at most 20); with a 413
 * `payload-too-large`, the route's limit in bytes.
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().min(1).max(64),
    message: z.string().max(2_000),
    fields: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .max(20)
      .optional(),
    limitBytes: z.number().int().nonnegative().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Unpadded base64url (RFC 4648 §5) of at most `maxBytes` bytes: how every binary value (keys,
 * ciphertexts, signatures, WebAuthn fields) travels in JSON.
 */
export const base64url = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

/**
 * An instant as ISO 8601 UTC text ("2026-11-30T01:29:04.000Z"). The server's handlers may give a
 * Date (a database timestamp), which serialises to that text; the browser reads the text.
 */
export const timestamp = z.union([z.iso.datetime(), z.date().transform((date) => date.toISOString())]);

/** The account roles (lib/accounts): patients own charts, clinicians are shared with, admins operate. */
export const accountRoleSchema = z.enum(["patient", "doctor", "nurse", "admin"]);
export type AccountRole = z.infer<typeof accountRoleSchema>;
