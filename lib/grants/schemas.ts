import { z } from "zod";
import { base64url, uuidSchema } from "@/lib/auth/schemas";

export const createGrantSchema = z.object({
  grantId: uuidSchema,
  clinicianId: uuidSchema,
  scope: z.enum(["records", "all"]),
  permission: z.enum(["read", "contribute"]),
  expiresAt: z.iso.datetime().nullable(),
  sealedShareKey: base64url(256).min(43),
  statement: base64url(1024).min(1),
  signature: base64url(64).length(86),
  sealedProfile: base64url(4096).nullable(),
  recordIds: z.array(uuidSchema).max(20_000),
  wraps: z
    .array(z.object({ recordId: uuidSchema, keyVersion: z.number().int().min(1), wrappedKey: base64url(128).min(43) }))
    .max(20_000),
});

export type CreateGrantRequest = z.infer<typeof createGrantSchema>;
