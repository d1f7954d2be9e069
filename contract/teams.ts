import { z } from "zod";
import { base64url, idParams, uuid } from "./common";
import { defineRoute } from "./route";
import { publishedKeysSchema } from "./sharing";

/**
 * Organizations and care teams (lib/teams, client/teams). The server sees names, who
 * administers and who is a member, public team keys and sealed private ones; never a private
 * key or a share key in the clear.
 */

const keyVersion = z.number().int().min(1).max(1_000_000);
const name = z.string().trim().min(1).max(120);
/** At most this many members in one team, and holders one key version is sealed to. */
export const maxTeamHolders = 200;
/** Grants re-sealed per request (a batch of the background re-key). */
export const resealBatchSize = 50;

/** A team key sealed to one holder (crypto/team-key.ts `sealTeamKey`, kind 12: 2 + 48 + canonical fields). */
const sealedTeamKey = base64url(512).min(43);
/** A share key sealed to a team key (crypto/share-key.ts `sealShareKey`). */
const sealedShareKey = base64url(256).min(43);

/** A team key version as its maker's browser certifies it (crypto/team-key.ts `TeamKeyCertificate`), with the private key sealed to each holder. */
export const newTeamKeySchema = z.object({
  keyVersion,
  publicKey: base64url(32).length(43),
  /** The certificate's createdAt: milliseconds since the epoch, as signed. */
  signedAt: z.number().int().min(0).max(8_640_000_000_000_000),
  signature: base64url(64).length(86),
  seals: z
    .array(z.object({ userId: uuid, sealedKey: sealedTeamKey }))
    .min(1)
    .max(maxTeamHolders),
});
export type NewTeamKeyJson = z.infer<typeof newTeamKeySchema>;

const issuedAt = z.number().int().min(0).max(8_640_000_000_000_000);

/**
 * A deployment administrator's statement that an account administers an organization
 * (crypto/organization-admin-statement.ts), as served: the first link of a team's chain of trust.
 */
export const organizationAdminStatementSchema = z.object({
  id: uuid,
  organizationId: uuid,
  organizationName: z.string().max(120),
  adminId: uuid,
  adminIdentityPublicKey: base64url(32).length(43),
  signerId: uuid,
  signerName: z.string().max(120),
  issuedAt,
  signature: base64url(64).length(86),
});
export type OrganizationAdminStatementJson = z.infer<typeof organizationAdminStatementSchema>;

/**
 * One certified team key version as served, for a browser to verify under its maker's identity
 * key (kept with the version, so it outlives the maker's account) and, through `chain`, up to a
 * deployment administrator key the browser pinned. `chain` is null for a version no statement
 * certifies (made by a member, or before organizations had statements): the team is then unverified.
 */
export const teamKeyCertificateSchema = z.object({
  teamId: uuid,
  organizationId: uuid,
  keyVersion,
  publicKey: base64url(32).length(43),
  makerId: uuid,
  signedAt: z.number().int().min(0),
  signature: base64url(64).length(86),
  makerIdentityPublicKey: base64url(32).length(43),
  chain: organizationAdminStatementSchema.nullable(),
});
export type TeamKeyCertificateJson = z.infer<typeof teamKeyCertificateSchema>;

/**
 * A new organization: its administrators, each with the creating deployment administrator's
 * signed statement naming them (crypto/organization-admin-statement.ts; the organization id and
 * name, the administrator's id and the signer's id are the request's and the session's).
 */
export const newOrganizationSchema = z.object({
  id: uuid,
  name,
  administratorIds: z.array(uuid).min(1).max(50),
  statements: z
    .array(
      z.object({
        id: uuid,
        adminId: uuid,
        adminIdentityPublicKey: base64url(32).length(43),
        signerName: name,
        issuedAt,
        signature: base64url(64).length(86),
      }),
    )
    .min(1)
    .max(50),
});

export const newTeamSchema = z.object({ id: uuid, name, memberIds: z.array(uuid).max(maxTeamHolders), key: newTeamKeySchema });

export const newMemberSchema = z.object({ userId: uuid, keyVersion, sealedKey: sealedTeamKey });

const teamSummarySchema = z.object({
  id: uuid,
  name: z.string().max(120),
  keyVersion,
  /** A member was removed: a new key version is to be made (then `grantsToReseal` re-sealed). */
  needsNewKey: z.boolean(),
  grantsToReseal: z.number().int().min(0),
  members: z.array(z.object({ userId: uuid, displayName: z.string().max(120) })).max(maxTeamHolders),
});
export type TeamSummary = z.infer<typeof teamSummarySchema>;

export const organizationSummarySchema = z.object({
  id: uuid,
  name: z.string().max(120),
  /** The organization's administrators' published keys: each new team key is sealed to them too (browsers verify the certificates). */
  administrators: z.array(publishedKeysSchema).max(50),
  teams: z.array(teamSummarySchema).max(1000),
});
export type OrganizationSummary = z.infer<typeof organizationSummarySchema>;

/** A team as a patient finds it to share with: its name, organization and current certified key. */
export const teamEntrySchema = z.object({
  teamId: uuid,
  name: z.string().max(120),
  organizationName: z.string().max(120),
  /** The current key version, with its maker's identity key and chain: the browser verifies them all before sealing to it. */
  certificate: teamKeyCertificateSchema,
  /** The key is being replaced after a member left: sharing waits until it is. */
  needsNewKey: z.boolean(),
});
export type TeamEntry = z.infer<typeof teamEntrySchema>;

/** What the caller holds of a team: every key version's certificate, and the versions sealed to them. */
export const teamKeysSchema = z.object({
  teamId: uuid,
  organizationId: uuid,
  keyVersion,
  needsNewKey: z.boolean(),
  certificates: z.array(teamKeyCertificateSchema).max(10_000),
  seals: z.array(z.object({ keyVersion, sealedKey: sealedTeamKey })).max(10_000),
  /** Who must hold the next key version, with their published keys: the members and the organization's administrators. */
  holders: z.array(publishedKeysSchema).max(maxTeamHolders + 50),
});
export type TeamKeys = z.infer<typeof teamKeysSchema>;

const teamParams = z.object({ id: uuid });

export const teamsRoutes = {
  createOrganization: defineRoute({
    method: "POST",
    path: "/api/admin/organizations",
    access: "session",
    body: newOrganizationSchema,
    status: 201,
    response: z.object({ id: uuid }),
  }),
  myOrganizations: defineRoute({
    method: "GET",
    path: "/api/organizations",
    access: "session",
    response: z.object({ organizations: z.array(organizationSummarySchema).max(100) }),
  }),
  createTeam: defineRoute({
    method: "POST",
    path: "/api/organizations/[id]/teams",
    access: "session",
    params: idParams,
    body: newTeamSchema,
    status: 201,
    response: z.object({ id: uuid }),
  }),
  addMember: defineRoute({ method: "POST", path: "/api/teams/[id]/members", access: "session", params: teamParams, body: newMemberSchema, response: "empty" }),
  removeMember: defineRoute({
    method: "DELETE",
    path: "/api/teams/[id]/members/[userId]",
    access: "session",
    params: z.object({ id: uuid, userId: uuid }),
    response: "empty",
  }),
  keys: defineRoute({ method: "GET", path: "/api/teams/[id]/key", access: "session", params: teamParams, response: teamKeysSchema }),
  nextKey: defineRoute({ method: "POST", path: "/api/teams/[id]/keys", access: "session", params: teamParams, body: newTeamKeySchema, response: "empty" }),
  toReseal: defineRoute({
    method: "GET",
    path: "/api/teams/[id]/reseals",
    access: "session",
    params: teamParams,
    response: z.object({
      keyVersion,
      /** A member was removed and no holder has made the next key version yet. */
      needsNewKey: z.boolean(),
      grants: z.array(z.object({ grantId: uuid, teamKeyVersion: keyVersion, sealedShareKey })).max(resealBatchSize),
    }),
  }),
  reseal: defineRoute({
    method: "POST",
    path: "/api/teams/[id]/reseals",
    access: "session",
    params: teamParams,
    body: z.object({
      keyVersion,
      reseals: z
        .array(z.object({ grantId: uuid, sealedShareKey }))
        .min(1)
        .max(resealBatchSize),
    }),
    response: z.object({ resealed: z.number().int().min(0) }),
  }),
  search: defineRoute({
    method: "GET",
    path: "/api/teams",
    access: "session",
    query: z.object({ q: z.string().max(100).default("") }),
    response: z.object({ teams: z.array(teamEntrySchema).max(20) }),
  }),
};
