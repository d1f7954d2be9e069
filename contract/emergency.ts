import { z } from "zod";
import { bodyLimits } from "./body-limits";
import { base64url, idParams, timestamp, uuid } from "./common";
import { defineRoute } from "./route";
import { grantSignature, grantStatement, grantWrapSchema, publishedKeysSchema, sharedRecordSchema } from "./sharing";

/**
 * Emergency access (issue 18, item 1): a patient names a trusted person (any account), the
 * keys of an emergency set are wrapped for them ahead of time, and the server serves them only
 * after a request and a wait on its own clock the patient did not refuse (or approved early).
 */

/** The waits a patient may choose, in seconds: immediately, 24 hours, 48 hours, 7 days. */
export const emergencyWaits = [0, 86_400, 172_800, 604_800] as const;
export const emergencyWaitSchema = z.literal(emergencyWaits);
export type EmergencyWait = (typeof emergencyWaits)[number];

/**
 * Where an emergency contact stands: `standby` (named, no request), `requested` (waiting),
 * `open` (approved early, or the wait ended without a refusal: the keys are served),
 * `refused` (the patient refused the last request), `ended` (the patient ended it).
 */
export const emergencyStateSchema = z.enum(["standby", "requested", "open", "refused", "ended"]);
export type EmergencyState = z.infer<typeof emergencyStateSchema>;

/** The most records an emergency set holds. */
const maxEmergencyRecords = 2_000;
const recordIds = z.array(uuid).max(maxEmergencyRecords);
const revision = z.number().int().min(1).max(1_000_000_000);
/** The patient's choice (kinds and named records), sealed under their vault key (client/emergency/choice-seal.ts). */
const sealedChoice = base64url(16 * 1024).min(43);

const requestFields = {
  requestedAt: timestamp.nullable(),
  /** When the wait of the open request ends, on the server's clock. */
  opensAt: timestamp.nullable(),
  approvedAt: timestamp.nullable(),
  refusedAt: timestamp.nullable(),
};

/** One of the patient's emergency contacts as their own page lists it. */
export const emergencyContactSchema = z.object({
  grantId: uuid,
  contactId: uuid,
  waitSeconds: emergencyWaitSchema,
  state: emergencyStateSchema,
  createdAt: timestamp,
  endedAt: timestamp.nullable(),
  revision,
  recordIds,
  sealedChoice,
  ...requestFields,
});
export type EmergencyContact = z.infer<typeof emergencyContactSchema>;

/** A new emergency contact as the patient's browser seals it (client/emergency/emergency-contacts.ts). */
export const newEmergencyContactSchema = z.object({
  grantId: uuid,
  contactId: uuid,
  waitSeconds: emergencyWaitSchema,
  sealedShareKey: base64url(256).min(43),
  statement: grantStatement,
  signature: grantSignature,
  /** The name the patient reveals to the contact, under the share key (crypto/grant-profile.ts). */
  sealedProfile: base64url(4096),
  sealedChoice,
  recordIds,
  wraps: z.array(grantWrapSchema).max(maxEmergencyRecords),
});
export type NewEmergencyContact = z.infer<typeof newEmergencyContactSchema>;

/** The set kept current: records joining (with their wraps) at the next revision, and the choice as it now is. */
export const emergencyChangeSchema = z.object({
  revision: revision.min(2),
  statement: grantStatement,
  signature: grantSignature,
  recordIds,
  wraps: z.array(grantWrapSchema).max(maxEmergencyRecords),
  sealedChoice,
});
export type EmergencyChange = z.infer<typeof emergencyChangeSchema>;

/** What the contact sees of someone who named them: an account id and where the request stands, nothing more until it opens. */
export const emergencyRoleSchema = z.object({
  grantId: uuid,
  patientId: uuid,
  waitSeconds: emergencyWaitSchema,
  state: emergencyStateSchema,
  ...requestFields,
});
export type EmergencyRole = z.infer<typeof emergencyRoleSchema>;

/** An open emergency grant as the contact receives it: the signed terms, the sealed keys and the set's ciphertext. */
export const emergencyOpenedSchema = z.object({
  grantId: uuid,
  patientId: uuid,
  waitSeconds: emergencyWaitSchema,
  revision,
  statement: grantStatement,
  signature: grantSignature,
  sealedShareKey: base64url(256).min(43),
  sealedProfile: base64url(4096),
  recordIds,
  patientKeys: publishedKeysSchema,
  records: z.array(sharedRecordSchema).max(maxEmergencyRecords),
});
export type EmergencyOpened = z.infer<typeof emergencyOpenedSchema>;

/** The patient's side: name, keep current, approve, refuse, end. */
export const emergencyContactRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/emergency-contacts",
    access: "session",
    response: z.object({ contacts: z.array(emergencyContactSchema).max(100) }),
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/emergency-contacts",
    access: "session",
    bodyLimit: bodyLimits.grant,
    body: newEmergencyContactSchema,
    status: 201,
    response: z.object({ grantId: uuid }),
  }),
  change: defineRoute({
    method: "POST",
    path: "/api/emergency-contacts/[id]/change",
    access: "session",
    params: idParams,
    bodyLimit: bodyLimits.grant,
    body: emergencyChangeSchema,
    response: "empty",
  }),
  /**
   * An account's published keys by the share code its owner shows (`?code=hsc1.…`): served only
   * when the code names that account's identity key, so an account id alone reveals nothing.
   */
  contactKeys: defineRoute({
    method: "GET",
    path: "/api/emergency-contacts/keys",
    access: "session",
    query: z.object({ code: z.string().min(1).max(200) }),
    response: publishedKeysSchema,
  }),
  approve: defineRoute({ method: "POST", path: "/api/emergency-contacts/[id]/approve", access: "session", params: idParams, response: "empty" }),
  refuse: defineRoute({ method: "POST", path: "/api/emergency-contacts/[id]/refuse", access: "session", params: idParams, response: "empty" }),
  end: defineRoute({ method: "POST", path: "/api/emergency-contacts/[id]/end", access: "session", params: idParams, response: "empty" }),
};

/** The contact's side: see who named them, request access, read the set once open. */
export const emergencyAccessRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/emergency-access",
    access: "session",
    response: z.object({ roles: z.array(emergencyRoleSchema).max(1_000) }),
  }),
  request: defineRoute({ method: "POST", path: "/api/emergency-access/[id]/request", access: "session", params: idParams, response: emergencyRoleSchema }),
  open: defineRoute({ method: "GET", path: "/api/emergency-access/[id]", access: "session", params: idParams, response: emergencyOpenedSchema }),
};
