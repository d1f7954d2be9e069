import { z } from "zod";
import { base64url, uuidSchema } from "@/lib/auth/schemas";

/** Largest structured-content envelope accepted, before base64url (files go through the blob store). */
export const maxContentBytes = 256 * 1024;

export const versionPayloadSchema = z.object({
  version: z.number().int().min(1).max(1_000_000),
  keyVersion: z.number().int().min(1).max(1_000_000),
  // Length is checked in the service, so an oversize record gets a 413 with a clear message.
  content: base64url(64 * 1024 * 1024).min(43),
  /** The author's 32-byte commitment to the version's document, which the signature covers. */
  commitment: base64url(32).length(43),
  signature: base64url(64).length(86),
  /** The encrypted file body, for records that carry a file. */
  blobId: uuidSchema.optional(),
});

const grantWrapsSchema = z.array(z.object({ grantId: uuidSchema, wrappedKey: base64url(128).min(43) })).max(1000);

export const createRecordSchema = z.object({
  id: uuidSchema,
  ownerWrap: base64url(128).min(43),
  version: versionPayloadSchema,
  /** The record key wrapped for every active "all records" grant, so those clinicians see it at once. */
  grantWraps: grantWrapsSchema.default([]),
});

/**
 * A new key for a record: its current version re-encrypted under key version + 1 (same
 * version number, same author, signature and commitment, which the server keeps), wrapped
 * for the owner and the grants that still cover it.
 */
export const rotateRecordKeySchema = z.object({
  ownerWrap: base64url(128).min(43),
  version: versionPayloadSchema.pick({ version: true, keyVersion: true, content: true, blobId: true }),
  grantWraps: grantWrapsSchema,
});

export const createRecordsRequestSchema = z.object({
  records: z.array(createRecordSchema).min(1).max(2000),
});

export type VersionPayload = z.infer<typeof versionPayloadSchema>;
/** Input type: grantWraps may be left out when no "all records" grant is active. */
export type CreateRecord = z.input<typeof createRecordSchema>;
export type RotateRecordKey = z.infer<typeof rotateRecordKeySchema>;
