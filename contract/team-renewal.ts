import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { base64url, idParams, timestamp, uuid } from "./common";
import { defineRoute } from "./route";
import { grantPermissionSchema, grantScopeSchema, grantSignature, grantStatement, grantWrapSchema, recordIdList, revisionSchema } from "./sharing";
import { teamEntrySchema } from "./teams";

/**
 * Renewing a share with a care team after a member left it (lib/teams/team-grant-renewal.ts,
 * client/sharing/team-renewal.ts): the patient's browser makes a successor grant with a new
 * share key, and the server stores it and ends the old grant in one transaction.
 */

/** One grant to renew, with the terms its successor keeps and the statement the patient signed for them. */
export const teamRenewalSchema = z.object({
  grantId: uuid,
  teamId: uuid,
  /** The team's current certified key; null while the team waits for its new key (the renewal waits too). */
  team: teamEntrySchema.nullable(),
  scope: grantScopeSchema,
  permission: grantPermissionSchema,
  expiresAt: timestamp.nullable(),
  revision: revisionSchema,
  statement: grantStatement,
  signature: grantSignature,
  /** What the patient revealed to the team, under the old share key: opened and sealed again under the new one. */
  sealedProfile: base64url(4096).nullable(),
  recordIds: recordIdList,
  excludedRecordIds: recordIdList,
});
export type TeamRenewal = z.infer<typeof teamRenewalSchema>;

/** The successor as the patient's browser seals it (its scope, permission and end date are the old grant's, copied by the server). */
export const grantRenewalSchema = z.object({
  grantId: uuid,
  teamKeyVersion: z.number().int().min(1).max(1_000_000),
  sealedShareKey: base64url(256).min(43),
  statement: grantStatement,
  signature: grantSignature,
  sealedProfile: base64url(4096).nullable(),
  recordIds: recordIdList,
  wraps: z.array(grantWrapSchema).max(20_000),
});
export type GrantRenewalJson = z.infer<typeof grantRenewalSchema>;

export const teamRenewalRoutes = {
  pending: defineRoute({
    method: "GET",
    path: "/api/me/team-renewals",
    access: "session",
    response: z.object({ renewals: z.array(teamRenewalSchema).max(10_000) }),
  }),
  /** Re-sending the same successor changes nothing (a retried request): `renewed` is then false. */
  renew: defineRoute({
    method: "POST",
    path: "/api/grants/[id]/renewal",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.grant,
    body: grantRenewalSchema,
    response: z.object({ renewed: z.boolean() }),
  }),
};
