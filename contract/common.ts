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
 * Unpadded base64url (RFC 4648 §5) of at most `maxBytes` bytes: every binary value in the API
 * travels this way. Narrow further with `.length()` or `.min()` where the size is fixed.
 */
export const base64url = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

/** A server timestamp: ISO 8601 in UTC with milliseconds, as `Date.toISOString()` writes it. */
export const timestamp = z.iso.datetime();
