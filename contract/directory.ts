import { z } from "zod";
import { base64url, timestamp, uuid } from "./common";
import { defineRoute } from "./route";

/**
 * Verified directory entries: administrators' signed statements about clinicians' entries
 * (crypto/directory-verification.ts), and the deployment's administrator keys that patients'
 * browsers pin and check them against. The server stores and serves the statements as signed.
 */

/** What an administrator signs over besides the clinician's id and identity key (which the browser supplies itself). */
export const directoryStatementSchema = z.object({
  /** The statement id (a uuid the administrator's browser makes). */
  id: uuid,
  action: z.enum(["verify", "revoke"]),
  displayName: z.string().max(120),
  specialty: z.string().max(120),
  organization: z.string().max(160),
  /** The licence or registry number checked; empty in a revocation. */
  licenceNumber: z.string().trim().max(64),
  adminId: uuid,
  adminName: z.string().trim().min(1).max(120),
  /** Milliseconds since the Unix epoch, as signed. */
  issuedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  signature: base64url(64).length(86),
});
export type DirectoryStatement = z.infer<typeof directoryStatementSchema>;

/** A deployment administrator's published identity key and key certificate (role "admin"). */
export const adminKeySchema = z.object({
  userId: uuid,
  identityPublicKey: base64url(32).length(43),
  certificate: base64url(1024).min(1),
});
export type AdminKey = z.infer<typeof adminKeySchema>;

/** At most this many administrators are published (a deployment has a handful). */
export const maxPublishedAdmins = 50;
/** At most this many clinicians on the administrator's directory page. */
export const adminDirectoryCap = 500;

/** A clinician's entry as the administrator's directory page lists it, with the number they typed at sign-up. */
export const adminDirectoryEntrySchema = z.object({
  userId: uuid,
  role: z.enum(["doctor", "nurse"]),
  displayName: z.string().max(120),
  specialty: z.string().max(120),
  organization: z.string().max(160),
  /** As the clinician typed it at sign-up: what the administrator checks against a register. */
  declaredLicenceNumber: z.string().max(64),
  /** When the account signed up: with the account id, what tells two entries of one name apart. */
  signedUpAt: timestamp,
  identityPublicKey: base64url(32).length(43),
  verification: directoryStatementSchema.nullable(),
});
export type AdminDirectoryEntry = z.infer<typeof adminDirectoryEntrySchema>;

/** A statement an administrator sends: the served statement minus the administrator id (the session's). */
export const directoryStatementRequestSchema = directoryStatementSchema.omit({ adminId: true });
export type DirectoryStatementRequest = z.infer<typeof directoryStatementRequestSchema>;

export const directoryVerificationRoutes = {
  /** Every signed-in person may read the deployment's administrator keys, to pin them. */
  admins: defineRoute({
    method: "GET",
    path: "/api/directory/admins",
    access: "session",
    response: z.object({ admins: z.array(adminKeySchema).max(maxPublishedAdmins) }),
  }),
  /** Administrators only: the clinicians' entries with their latest statements. */
  list: defineRoute({
    method: "GET",
    path: "/api/admin/directory",
    access: "session",
    response: z.object({ clinicians: z.array(adminDirectoryEntrySchema).max(adminDirectoryCap), more: z.boolean() }),
  }),
  /** Administrators only, with fresh proof: stores a signed verification or revocation of clinician `id`'s entry. */
  record: defineRoute({
    method: "POST",
    path: "/api/admin/directory/[id]/statements",
    access: "session",
    params: z.object({ id: uuid }),
    body: directoryStatementRequestSchema,
    status: 201,
    response: z.object({ id: uuid }),
  }),
};
