import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { base64url, idParams, timestamp, uuid } from "./common";
import { pageFields, recordPageQuerySchema, recordPageSize } from "./pages";
import { defineRoute } from "./route";
import { directoryStatementSchema } from "./directory";

// ---- Records as a clinician or a key rotation receives them (the records domain's wire shapes).

/** A version's signed statement as served: who wrote which version, and the commitment they signed. */
const statementSchema = z.object({
  version: z.number().int().min(1).max(1_000_000),
  authorId: uuid,
  /** The author's 32-byte commitment to the version's document, which the signature covers. */
  commitment: base64url(32).length(43),
  signature: base64url(64).length(86),
  createdAt: timestamp,
});

/** A version with its ciphertext: the statement plus its key version, content and file (blob) id. */
const versionSchema = statementSchema.extend({
  keyVersion: z.number().int().min(1).max(1_000_000),
  content: base64url(64 * 1024 * 1024).min(43),
  blobId: uuid.nullable(),
});

/** A new version as its author sends it (content at most 256 KiB, checked by the server for a clear 413). */
const versionPayloadSchema = z.object({
  version: z.number().int().min(1).max(1_000_000),
  keyVersion: z.number().int().min(1).max(1_000_000),
  content: base64url(64 * 1024 * 1024).min(43),
  commitment: base64url(32).length(43),
  signature: base64url(64).length(86),
  /** The encrypted file body, for records that carry a file. */
  blobId: uuid.optional(),
});

// ---- Grants.

/** What a grant opens: a list of records, or every record of the patient (those taken out one by one excepted). */
export const grantScopeSchema = z.enum(["records", "all"]);
/** What a grant allows: reading, or reading and adding notes. */
export const grantPermissionSchema = z.enum(["read", "contribute"]);
export type GrantScope = z.infer<typeof grantScopeSchema>;
export type GrantPermission = z.infer<typeof grantPermissionSchema>;

/** The most records one grant lists, and the most grants a list carries. */
const maxGrantRecords = 20_000;
const maxGrants = 10_000;

export const recordIdList = z.array(uuid).max(maxGrantRecords);
/** A grant's revision: 1 when shared, one more at each change the patient signs. */
export const revisionSchema = z.number().int().min(1).max(1_000_000_000);
/** A record key wrapped under a grant's share key (an AEAD envelope of a 32-byte key). */
export const wrappedKey = base64url(128).min(43);
/** The patient's Ed25519 signature over the grant statement. */
export const grantSignature = base64url(64).length(86);
/** The canonical encoding of the signed grant fields the server keeps no column for (crypto/). */
export const grantStatement = base64url(2 * 1024 * 1024).min(1);

export const grantWrapSchema = z.object({ recordId: uuid, keyVersion: z.number().int().min(1).max(1_000_000), wrappedKey });

/**
 * One grant in the patient's list: to whom, what and how, when it was made, revoked and last
 * opened, and its records (`recordIds` for a list, `excludedRecordIds` taken out of "all").
 */
export const grantSummarySchema = z.object({
  id: uuid,
  /** Who the grant is to: the clinician's id, or for a grant to a care team the team's id (then `teamId` is the same). */
  clinicianId: uuid,
  /** The clinician's directory name, or the team's name and organization. */
  clinicianName: z.string().max(200),
  /** Set for a grant to a care team (lib/teams): whoever is a member opens the records. */
  teamId: uuid.nullish(),
  /** An administrator disabled the clinician's account: the grant serves nothing until they are enabled again. */
  clinicianDisabled: z.boolean(),
  scope: grantScopeSchema,
  permission: grantPermissionSchema,
  expiresAt: timestamp.nullable(),
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
  /** When the share's key was last replaced after a member left its care team (lib/teams/team-grant-renewal.ts); null if never. */
  renewedAt: timestamp.nullish(),
  /** The grants this share renewed, newest first: the same continuing share under earlier ids (no longer listed). */
  renewedGrantIds: z.array(uuid).max(1000).optional(),
  /** A member left its care team and the patient's browser has not replaced its share key yet: it cannot be changed meanwhile. */
  awaitingRenewal: z.boolean().optional(),
  /** The signed facts the server keeps beside the signature (crypto/ `encodeGrantStatementFacts`): the key fingerprint a change is signed for. */
  statement: grantStatement.optional(),
  revision: revisionSchema,
  lastOpenedAt: timestamp.nullable(),
  recordIds: recordIdList,
  excludedRecordIds: recordIdList,
});
export type GrantSummary = z.infer<typeof grantSummarySchema>;

/** A new grant as the patient's browser seals it (client/sharing/sharing.ts `sealGrant`). */
export const newGrantSchema = z.object({
  grantId: uuid,
  /** The clinician shared with; for a grant to a care team, the team's id (with `teamKeyVersion`). */
  clinicianId: uuid,
  /** The care team's key version the share key was sealed to; present exactly for a grant to a team. */
  teamKeyVersion: z.number().int().min(1).max(1_000_000).optional(),
  scope: grantScopeSchema,
  permission: grantPermissionSchema,
  expiresAt: timestamp.nullable(),
  /** The share key sealed to the clinician's certified encryption key. */
  sealedShareKey: base64url(256).min(43),
  statement: grantStatement,
  signature: grantSignature,
  /** What the patient reveals of themselves (a display name), under the share key. */
  sealedProfile: base64url(4096).nullable(),
  recordIds: recordIdList,
  wraps: z.array(grantWrapSchema).max(maxGrantRecords),
});
export type NewGrant = z.infer<typeof newGrantSchema>;

/** A signed change to a grant: its new terms at `revision` (one more than the stored one) and wraps for the records it adds. */
export const grantChangeSchema = z.object({
  revision: revisionSchema.min(2),
  scope: grantScopeSchema,
  permission: grantPermissionSchema,
  expiresAt: timestamp.nullable(),
  statement: grantStatement,
  signature: grantSignature,
  recordIds: recordIdList,
  wraps: z.array(grantWrapSchema).max(maxGrantRecords),
});
export type GrantChange = z.infer<typeof grantChangeSchema>;

/** What a change did, so the patient's page can say it exactly: record ids added and removed, and which terms changed. */
export const grantChangeResultSchema = z.object({
  added: recordIdList,
  removed: recordIdList,
  permissionChanged: z.boolean(),
  endDateChanged: z.boolean(),
});
export type GrantChangeResult = z.infer<typeof grantChangeResultSchema>;

/** Wraps the patient's browser made for active grants that cover a record but lack its key. */
export const grantWrapsRequestSchema = z.object({
  wraps: z
    .array(grantWrapSchema.extend({ grantId: uuid }))
    .min(1)
    .max(maxGrantRecords),
});

// ---- The directory and published keys.

/** A clinician's public directory entry. */
export const directoryEntrySchema = z.object({
  userId: uuid,
  role: z.enum(["doctor", "nurse"]),
  displayName: z.string().max(120),
  specialty: z.string().max(120),
  organization: z.string().max(160),
  /** The server's own view (for ordering); browsers trust only `verification`, checked under pinned administrator keys. */
  verified: z.boolean(),
  /** The clinician's current identity key, which a verification statement binds. */
  identityPublicKey: base64url(32).length(43),
  /** The latest administrator statement about this entry (verify or revoke), as signed. */
  verification: directoryStatementSchema.nullable(),
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

/** Fewer characters (once trimmed) match too much of the directory to be a search for someone: the server refuses them (400). */
export const directoryQueryMinLength = 3;
/** At most this many entries per search; `more` says others match (the person should type more). */
export const directoryResultCap = 20;

export const directorySearchSchema = z.object({ clinicians: z.array(directoryEntrySchema).max(directoryResultCap), more: z.boolean() });
export type DirectorySearch = z.infer<typeof directorySearchSchema>;

/**
 * A user's published keys: the Ed25519 identity key and the certificate it signed over the
 * encryption key (browsers verify it themselves), and the directory entry of a clinician.
 */
export const publishedKeysSchema = z.object({
  userId: uuid,
  identityPublicKey: base64url(32).length(43),
  certificate: base64url(1024).min(1),
  directory: directoryEntrySchema.nullable(),
});
export type PublishedKeys = z.infer<typeof publishedKeysSchema>;

// ---- What clinicians receive.

/**
 * A grant as the clinician receives it: the terms, the signed statement and signature, the
 * share key and profile sealed to them (null once ended), and the patient's published keys.
 */
export const receivedGrantSchema = z.object({
  grantId: uuid,
  patientId: uuid,
  scope: grantScopeSchema,
  permission: grantPermissionSchema,
  expiresAt: timestamp.nullable(),
  sealedShareKey: base64url(256).min(43).nullable(),
  sealedProfile: base64url(4096).nullable(),
  statement: grantStatement,
  signature: grantSignature,
  revision: revisionSchema,
  recordIds: recordIdList,
  patientKeys: publishedKeysSchema,
  /** For a grant to a care team the caller is a member of: the team, and the team key version the share key is sealed to. */
  team: z.object({ teamId: uuid, keyVersion: z.number().int().min(1).max(1_000_000) }).nullish(),
});
export type ReceivedGrant = z.infer<typeof receivedGrantSchema>;

/** One record under a grant: its current version, every version's statement, and its key wrapped under the share key. */
export const sharedRecordSchema = z.object({
  id: uuid,
  keyVersion: z.number().int().min(1).max(1_000_000),
  currentVersion: z.number().int().min(1).max(1_000_000),
  updatedAt: timestamp,
  wrappedKey,
  current: versionSchema,
  statements: z.array(statementSchema).max(1_000_000),
});
export type SharedRecordJson = z.infer<typeof sharedRecordSchema>;

/** A clinician's new record in the patient's chart (client/sharing/sharing.ts `contributeRecord`). */
export const contributionSchema = z.object({
  id: uuid,
  /** The record key sealed to the patient's certified encryption key. */
  sealedOwnerKey: base64url(256).min(43),
  /** The record key wrapped under the grant's share key, so the author can read it back. */
  grantWrap: wrappedKey,
  version: versionPayloadSchema,
});
export type Contribution = z.infer<typeof contributionSchema>;

// ---- Key upkeep.

/** The patient's own copy of a record key: wrapped under the owner key, or sealed to them (a clinician's record). */
const ownerWrap = base64url(256).min(43);

/**
 * What the patient's browser must do after a revoke or an end date: records to move to a new
 * key (with their current version, and the grants that still cover them), and records an
 * active grant covers but cannot open yet.
 */
export const keyMaintenanceSchema = z.object({
  rotations: z
    .array(
      z.object({
        recordId: uuid,
        keyVersion: z.number().int().min(1).max(1_000_000),
        ownerWrap,
        currentVersion: z.number().int().min(1).max(1_000_000),
        current: versionSchema,
        grantIds: z.array(uuid).max(maxGrants),
      }),
    )
    .max(1_000_000),
  missingWraps: z.array(z.object({ recordId: uuid, keyVersion: z.number().int().min(1).max(1_000_000), ownerWrap, grantId: uuid })).max(1_000_000),
});
export type KeyMaintenance = z.infer<typeof keyMaintenanceSchema>;

// ---- Routes.

/** Grants a patient makes, changes and revokes; key wraps for "all records" grants. */
export const grantsRoutes = {
  list: defineRoute({ method: "GET", path: "/api/grants", access: "session", response: z.object({ grants: z.array(grantSummarySchema).max(maxGrants) }) }),
  /** Re-sending the same signed grant changes nothing (a retried request). */
  create: defineRoute({
    method: "POST",
    path: "/api/grants",
    access: "session",
    bodyLimit: bodyLimits.grant,
    body: newGrantSchema,
    status: 201,
    response: z.object({ grantId: uuid }),
  }),
  change: defineRoute({
    method: "POST",
    path: "/api/grants/[id]/change",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.grant,
    body: grantChangeSchema,
    response: grantChangeResultSchema,
  }),
  revoke: defineRoute({ method: "POST", path: "/api/grants/[id]/revoke", access: "session", params: idParams, response: "empty" }),
  revokeRecord: defineRoute({
    method: "POST",
    path: "/api/grants/[id]/records/[recordId]/revoke",
    access: "session",
    params: z.object({ id: uuid, recordId: uuid }),
    response: "empty",
  }),
  addWraps: defineRoute({
    method: "POST",
    path: "/api/grants/wraps",
    access: "session",
    bodyLimit: bodyLimits.grantWraps,
    body: grantWrapsRequestSchema,
    response: "empty",
  }),
};

/** What clinicians see: grants made to them and the records under each, and their contributions. */
export const sharedRoutes = {
  list: defineRoute({ method: "GET", path: "/api/shared", access: "session", response: z.object({ grants: z.array(receivedGrantSchema).max(maxGrants) }) }),
  /** The records under one grant a page at a time, by record id: `?limit=` (contract/pages.ts) and the `cursor` the last page answered. */
  records: defineRoute({
    method: "GET",
    path: "/api/shared/[grantId]/records",
    access: "session",
    params: z.object({ grantId: uuid }),
    query: recordPageQuerySchema,
    response: z.object({ records: z.array(sharedRecordSchema).max(recordPageSize.max), ...pageFields }),
  }),
  contribute: defineRoute({
    method: "POST",
    path: "/api/shared/[grantId]/records",
    access: "session",
    params: z.object({ grantId: uuid }),
    bodyLimit: bodyLimits.oneRecord,
    body: contributionSchema,
    status: 201,
    response: z.object({ id: uuid }),
  }),
};

/** Finding clinicians and reading anyone's published keys. */
export const directoryRoutes = {
  /** `q`: at least three characters once trimmed (the server says so with a 400), at most 100. */
  search: defineRoute({
    method: "GET",
    path: "/api/directory",
    access: "session",
    query: z.object({ q: z.string().max(100).default("") }),
    response: directorySearchSchema,
  }),
  userKeys: defineRoute({ method: "GET", path: "/api/users/[id]/keys", access: "session", params: idParams, response: publishedKeysSchema }),
};

/** Key upkeep after a revoke: the records whose keys the patient's browser must rotate. */
export const keyMaintenanceRoutes = {
  pending: defineRoute({ method: "GET", path: "/api/me/key-maintenance", access: "session", response: keyMaintenanceSchema }),
};
