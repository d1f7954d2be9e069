import { z } from "zod";
import { base64url, uuidSchema } from "@/lib/auth/schemas";
import { versionPayloadSchema } from "@/contract/records";

export const createGrantSchema = z.object({
  grantId: uuidSchema,
  clinicianId: uuidSchema,
  scope: z.enum(["records", "all"]),
  permission: z.enum(["read", "contribute"]),
  expiresAt: z.iso.datetime().nullable(),
  sealedShareKey: base64url(256).min(43),
  statement: base64url(2 * 1024 * 1024).min(1),
  signature: base64url(64).length(86),
  sealedProfile: base64url(4096).nullable(),
  recordIds: z.array(uuidSchema).max(20_000),
  wraps: z
    .array(z.object({ recordId: uuidSchema, keyVersion: z.number().int().min(1), wrappedKey: base64url(128).min(43) }))
    .max(20_000),
});

/** A signed change to a grant: see lib/grants/grant-changes.ts. */
export const changeGrantSchema = z.object({
  revision: z.number().int().min(2).max(1_000_000_000),
  scope: z.enum(["records", "all"]),
  permission: z.enum(["read", "contribute"]),
  expiresAt: z.iso.datetime().nullable(),
  statement: base64url(2 * 1024 * 1024).min(1),
  signature: base64url(64).length(86),
  recordIds: z.array(uuidSchema).max(20_000),
  wraps: z
    .array(z.object({ recordId: uuidSchema, keyVersion: z.number().int().min(1), wrappedKey: base64url(128).min(43) }))
    .max(20_000),
});

export type ChangeGrantRequest = z.infer<typeof changeGrantSchema>;

export type CreateGrantRequest = z.infer<typeof createGrantSchema>;

export const contributionSchema = z.object({
  id: uuidSchema,
  /** The record key sealed to the patient's certified encryption key. */
  sealedOwnerKey: base64url(256).min(43),
  /** The record key wrapped under the grant's share key, so the author can read it back. */
  grantWrap: base64url(128).min(43),
  version: versionPayloadSchema,
});

export type ContributionRequest = z.infer<typeof contributionSchema>;

export const grantWrapsRequestSchema = z.object({
  wraps: z
    .array(z.object({ grantId: uuidSchema, recordId: uuidSchema, keyVersion: z.number().int().min(1), wrappedKey: base64url(128).min(43) }))
    .min(1)
    .max(20_000),
});
