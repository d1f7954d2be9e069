import { z } from "zod";
import { newPasskeyWrapSchema, passkeyNameSchema, sealedBundleMaxBytes, storedPasskeySchema, vaultMaterialSchema } from "./account";
import { bodyLimits } from "./body-limits";
import { base64url, timestamp, uuid } from "./common";
import { defineRoute } from "./route";
import { authenticationResponseSchema, creationOptionsSchema, registrationResponseSchema, requestOptionsSchema } from "./webauthn";

const bytes = z.number().int().nonnegative();

/** An account's storage use and limits, in bytes (10^6 per MB); clinicians store nothing and read zeros. */
export const storageUsageSchema = z.object({
  usedBytes: bytes,
  fileBytes: bytes,
  recordBytes: bytes,
  quotaBytes: bytes,
  unfinishedUploads: z.number().int().nonnegative(),
  unfinishedUploadsMax: z.number().int().nonnegative(),
});
export type StorageUsage = z.infer<typeof storageUsageSchema>;

/** A device remembered for unlocking: the vault key under a key only that browser's non-extractable key derives. */
export const deviceWrapSchema = z.object({
  method: z.literal("device"),
  methodId: uuid,
  salt: base64url(16).min(16),
  wrappedKey: base64url(128).min(43),
});
export type DeviceWrap = z.infer<typeof deviceWrapSchema>;

/** The signed-in person's vault material: fetched at unlock, the encrypted bundle replaced, device wraps added. */
export const vaultRoutes = {
  get: defineRoute({ method: "GET", path: "/api/me/vault", access: "session", response: vaultMaterialSchema }),
  /** Replaced only while the server still holds `revision` (409 `conflict` otherwise); answers the new revision. */
  putBundle: defineRoute({
    method: "PUT",
    path: "/api/me/vault/bundle",
    access: "session",
    bodyLimit: bodyLimits.vaultBundle,
    body: z.object({ bundle: base64url(sealedBundleMaxBytes).min(43), revision: z.number().int().min(1) }),
    response: z.object({ revision: z.number().int().min(2) }),
  }),
  addDeviceWrap: defineRoute({ method: "POST", path: "/api/me/vault/device-wraps", access: "session", body: deviceWrapSchema, response: "empty" }),
};

/**
 * Every action the audit trail records: the one list the server writes, the browser checks,
 * words and filters by. An action is part of each event's hash, so an unknown one is a shape
 * the browser refuses.
 */
export const auditActionSchema = z.enum([
  "sign-in",
  /** A sign-in from a browser the account had not signed in from (lib/sessions/known-browsers.ts): announced as a notice. */
  "sign-in-new-browser",
  "sign-in-failed",
  "passkey-added",
  "passkey-renamed",
  "passkey-removed",
  "account-recovered",
  "recovery-key-changed",
  "record-created",
  /** A committed import: one event, counting its records (count), from the import's start to its commit (window). */
  "records-imported",
  "record-updated",
  "record-deleted",
  "record-key-rotated",
  "chart-fetched",
  "record-versions-fetched",
  // Written until clinicians' list loads were recorded as what they are (records-received):
  // one per record in the list, whether opened or not. Kept so older trails still read.
  "record-fetched",
  /** A clinician's list of the records one grant shares: one event naming every record sent. */
  "records-received",
  "file-fetched",
  "share-key-fetched",
  "records-exported",
  "grant-created",
  "grant-revoked",
  "grant-record-revoked",
  "grant-changed",
  "grant-permission-changed",
  "grant-end-date-changed",
  "grant-record-added",
  "grant-expired",
  /** The clinician a grant was to deleted their account: the grant ended with it (lib/accounts/account-deletion.ts). */
  "grant-holder-departed",
  /** Emergency access (lib/emergency): a contact named, a request (by the contact), approved early, refused, ended; the contact reading the set once open. */
  "emergency-contact-named",
  "emergency-requested",
  "emergency-approved",
  "emergency-refused",
  "emergency-ended",
  "emergency-records-received",
  "access-refused",
  /** SMART Health Links (lib/links): made, revoked, opened by a recipient (GET of a U link, a manifest), a wrong passcode. */
  "link-created",
  "link-revoked",
  /** The patient's browser replaced a long-term link's contents (the emergency card kept current). */
  "link-updated",
  "link-opened",
  "link-passcode-refused",
  /** A passcode link (P) used its last allowed wrong passcode and stopped for good. */
  "link-disabled",
  /** A long-term passcode link (LP) used up its window's passcode tries: it is slowed until the window passes. */
  "link-passcode-throttled",
  /** Administrative actions (lib/admin): in the administration trail, and in the trail of the account acted on. */
  "account-disabled",
  "account-enabled",
  /** An administrator signed a verification of a clinician's directory entry, or withdrew one (lib/directory/verification-store.ts). */
  "directory-entry-verified",
  "directory-verification-withdrawn",
  /** An administrator signed up with the deployment's enrolment token (in the administration trail only). */
  "administrator-enrolled",
  /** A deployment administrator created an organization and named its administrators (in the administration trail only). */
  "organization-created",
  /**
   * A member left a care team the patient shares with (the actor is who left; the grant names the team): the team's
   * access continues, the share and the records' keys are replaced (lib/teams).
   */
  "team-member-removed",
  /** The patient's browser renewed a share with a care team under a new share key after a member left (the grant is the new one; lib/teams/team-grant-renewal.ts). */
  "grant-renewed",
  /** Someone joined a care team the patient shares with (the actor is who joined): they can open what the team is shown from now on (lib/teams). */
  "team-member-added",
]);
export type AuditAction = z.infer<typeof auditActionSchema>;
export const auditActions = auditActionSchema.options;

export const auditOutcomeSchema = z.enum(["success", "failure", "denied"]);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

/** Events per page of a trail: the default, and the most one request may ask for. */
export const trailPageSize = { default: 100, max: 500 } as const;

const seq = z.number().int().min(0).max(2_147_483_647);
const hash = base64url(32).length(43);

/** What every audit event says: what was done, to which records or grant, how it went, when. */
const eventFields = {
  action: auditActionSchema,
  recordId: uuid.nullable(),
  /** The records an event about many covers (records-received), sorted; null otherwise. */
  recordIds: z.array(uuid).max(10_000).nullable(),
  grantId: uuid.nullable(),
  outcome: auditOutcomeSchema,
  occurredAt: timestamp,
};

/** One event of a person's trail with the hash that chains it to the one before (crypto/ auditEventHash). */
export const trailEventSchema = z
  .object({
    seq: seq.min(1),
    actorId: uuid.nullable(),
    ...eventFields,
    /** A counted event: how many attempts, the first and the last; null for one event. */
    count: z.number().int().min(1).nullable(),
    windowStart: timestamp.nullable(),
    windowEnd: timestamp.nullable(),
    /** The name a SMART Health Link's opener declared (link-opened, link-passcode-refused); null otherwise. */
    recipient: z.string().max(200).nullable(),
    hash,
  })
  .refine((event) => (event.count === null) === (event.windowStart === null) && (event.count === null) === (event.windowEnd === null), {
    message: "A counted event has a count and both ends of its window; any other event has none.",
    path: ["count"],
  });
export type TrailEvent = z.infer<typeof trailEventSchema>;

/**
 * One page of a trail, oldest first: `head` is the chain's last link (seq 0 and the genesis hash
 * for an empty trail), `previousHash` the hash the page's first event chains from (null for an
 * empty page), `actors` the public directory names of the clinicians on the page.
 */
export const trailPageSchema = z.object({
  head: z.object({ seq, hash }),
  previousHash: hash.nullable(),
  events: z.array(trailEventSchema).max(trailPageSize.max),
  actors: z.record(uuid, z.string().max(200)),
  /** For events on a care team's grant (joining or leaving it, a member's read through it): the team's name and organization, by grant id. */
  teams: z.record(uuid, z.string().max(250)).optional(),
});
export type TrailPageJson = z.infer<typeof trailPageSchema>;

const seqParam = z.coerce.number().int().min(0).max(2_147_483_647);

/**
 * `?after=<seq>&limit=<n>` (the events after a sequence number, oldest first; after defaults to 0)
 * or `?before=<seq>&limit=<n>` (the `limit` events just before one: an older page).
 */
export const trailQuerySchema = z
  .object({
    after: seqParam.optional(),
    before: seqParam.min(1).optional(),
    limit: z.coerce.number().int().min(1).max(trailPageSize.max).default(trailPageSize.default),
  })
  .strict()
  .refine((query) => query.after === undefined || query.before === undefined, { message: "Give after or before, not both.", path: ["before"] });

/**
 * One thing a clinician did in someone else's chart (refused attempts left out: see lib/audit).
 * `subjectId` is null for a patient who has since deleted their account (their id is gone).
 */
export const clinicianActionSchema = z.object({ subjectId: uuid.nullable(), ...eventFields });
export type ClinicianAction = z.infer<typeof clinicianActionSchema>;

/** The person's audit trail, in pages, and its export record. */
export const auditRoutes = {
  trail: defineRoute({ method: "GET", path: "/api/me/audit", access: "session", query: trailQuerySchema, response: trailPageSchema }),
  actions: defineRoute({
    method: "GET",
    path: "/api/me/audit/actions",
    access: "session",
    response: z.object({ events: z.array(clinicianActionSchema).max(2000) }),
  }),
  recordExport: defineRoute({ method: "POST", path: "/api/me/audit/exports", access: "session", response: "empty" }),
};

/** One of the account's passkeys as its settings list it. */
export const passkeySummarySchema = z.object({
  id: base64url(1024).min(1),
  name: z.string().max(200),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  prfCapable: z.boolean(),
});
export type PasskeySummary = z.infer<typeof passkeySummarySchema>;

/** One signed-in session of the account. */
export const sessionSummarySchema = z.object({ id: uuid, createdAt: timestamp, lastSeenAt: timestamp, current: z.boolean() });
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

const recoveryPublicKey = base64url(32).length(43);

/**
 * A recovery key replacement (lib/accounts/recovery-key-swap.ts): the current key's public half
 * (the swap happens only while it is still current), the new one, the vault key wrapped under
 * the new key, and the new signing key's signature over all of it.
 */
export const recoveryKeyReplacementSchema = z.object({
  previousRecoveryPublicKey: recoveryPublicKey,
  recoveryPublicKey,
  wrappedKey: base64url(256).min(43),
  signature: base64url(64).length(86),
});
export type RecoveryKeyReplacement = z.infer<typeof recoveryKeyReplacementSchema>;

const passkeyParams = z.object({ id: base64url(1024).min(1) });

/** Security settings: passkeys, the recovery key, sessions, storage used. */
export const securityRoutes = {
  passkeys: defineRoute({
    method: "GET",
    path: "/api/me/passkeys",
    access: "session",
    response: z.object({ passkeys: z.array(passkeySummarySchema).max(1000) }),
  }),
  addPasskeyOptions: defineRoute({
    method: "POST",
    path: "/api/me/passkeys/options",
    access: "session",
    response: z.object({ options: creationOptionsSchema }),
  }),
  addPasskey: defineRoute({
    method: "POST",
    path: "/api/me/passkeys",
    access: "session",
    status: 201,
    body: z.object({ name: passkeyNameSchema, credential: registrationResponseSchema, vaultWrap: newPasskeyWrapSchema }),
    response: storedPasskeySchema,
  }),
  renamePasskey: defineRoute({
    method: "PATCH",
    path: "/api/me/passkeys/[id]",
    access: "session",
    params: passkeyParams,
    body: z.object({ name: passkeyNameSchema }),
    response: "empty",
  }),
  /** Needs a fresh proof (403 fresh-proof-required otherwise). */
  removePasskey: defineRoute({ method: "DELETE", path: "/api/me/passkeys/[id]", access: "session", params: passkeyParams, response: "empty" }),
  /** Assertion options for a fresh proof: the signed-in person's own passkeys, user verification required. */
  freshProofOptions: defineRoute({ method: "POST", path: "/api/me/fresh-proof/options", access: "session", response: requestOptionsSchema }),
  /** A fresh proof: the assertion is verified against the session's person and recorded on the session. */
  freshProof: defineRoute({
    method: "POST",
    path: "/api/me/fresh-proof",
    access: "session",
    body: z.object({ credential: authenticationResponseSchema }),
    response: z.object({ verifiedAt: timestamp }),
  }),
  recoveryKey: defineRoute({ method: "GET", path: "/api/me/recovery-key", access: "session", response: z.object({ recoveryPublicKey, createdAt: timestamp }) }),
  /** Needs a fresh proof (403 fresh-proof-required otherwise). */
  replaceRecoveryKey: defineRoute({ method: "PUT", path: "/api/me/recovery-key", access: "session", body: recoveryKeyReplacementSchema, response: "empty" }),
  sessions: defineRoute({
    method: "GET",
    path: "/api/me/sessions",
    access: "session",
    response: z.object({ sessions: z.array(sessionSummarySchema).max(10_000) }),
  }),
  endOtherSessions: defineRoute({
    method: "POST",
    path: "/api/me/sessions/end-others",
    access: "session",
    response: z.object({ ended: z.number().int().nonnegative() }),
  }),
  storage: defineRoute({ method: "GET", path: "/api/me/storage", access: "session", response: storageUsageSchema }),
  /**
   * Deletes the signed-in person's account and everything in it (lib/accounts/account-deletion.ts).
   * `?userId=` names the account the page was showing: a request meant for one account never
   * deletes another (409 `conflict`). Needs a fresh proof (403 fresh-proof-required otherwise).
   * Answers the id under which the account's audit trail is kept (README "Leaving") and ends the session.
   */
  deleteAccount: defineRoute({
    method: "DELETE",
    path: "/api/me",
    access: "session",
    query: z.object({ userId: uuid }),
    response: z.object({ trailId: uuid, keptEvents: z.number().int().nonnegative() }),
  }),
};
