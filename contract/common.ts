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
    fields: z.array(z.object({ path: z.string(), message: z.string() })).max(20).optional(),
    limitBytes: z.number().int().nonnegative().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
