import { z } from "zod";
import { base64url, idParams, timestamp, uuid } from "./common";
import { healthReportSchema } from "./system";
import { defineRoute } from "./route";

/**
 * The administration console (/admin, lib/admin): counts, health and security events of the
 * deployment, accounts to disable and enable, and the administration trail. Only an
 * administrator is answered; nothing here is a record, a name a patient typed, or anything
 * else the server must not know (counts, ids, roles, times, clinicians' public names).
 */

const count = z.number().int().nonnegative();

/** One periodic task of the answering server instance, as it last ran (lib/periodic-task.ts). */
export const backgroundTaskSchema = z.object({
  name: z.string().max(100),
  intervalSeconds: z.number().nonnegative(),
  lastFinishedAt: timestamp.nullable(),
  lastOutcome: z.enum(["ok", "failed"]).nullable(),
  /** Whether it has not finished a run for more than twice its interval (or not yet, long after the start). */
  overdue: z.boolean(),
});

/** What the console's first screen shows: every figure is a count or a size; security events are of the last 24 hours. */
export const adminOverviewSchema = z.object({
  accounts: z.object({ patient: count, doctor: count, nurse: count, admin: count, disabled: count }),
  records: count,
  /** Bytes of ciphertext stored: record envelopes (padded) and files (padded), across all accounts. */
  storageBytes: count,
  activeGrants: count,
  activeLinks: count,
  /** Records waiting for their patient's browser to move them to a new key (key_rotations). */
  rotationQueue: count,
  health: z.object({
    report: healthReportSchema.nullable(),
    /** Why the health report could not be made (the database or the file store unreachable), or null. */
    problem: z.string().max(200).nullable(),
    /** Audit events waiting to join their chains (audit_inbox). */
    auditBacklog: count,
    background: z.array(backgroundTaskSchema).max(50),
  }),
  security: z.object({
    /** Requests answered 429 (any limit), and sign-ins refused (a passkey or recovery key that did not sign in, a disabled account). */
    rateLimited: count,
    refusedSignIns: count,
    /** Requests refused as not the caller's (404 or 403 on someone else's), counted into trails. */
    refusedRequests: count,
    since: timestamp,
  }),
});
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

/** At most this many accounts per answer; a search narrows it. */
export const adminAccountListMax = 100;

/** One account as the console lists it: id, role, when made and disabled; a clinician's public directory name. */
export const adminAccountSchema = z.object({
  userId: uuid,
  role: z.enum(["patient", "doctor", "nurse", "admin"]),
  createdAt: timestamp,
  disabledAt: timestamp.nullable(),
  /** The public directory name of a clinician; null for patients and administrators (the server knows no other name). */
  displayName: z.string().max(200).nullable(),
});
export type AdminAccount = z.infer<typeof adminAccountSchema>;

/** `?q=`: a clinician's directory name (part of it, at least 3 characters) or an account id; none: the newest accounts. */
export const adminAccountQuerySchema = z.object({ q: z.string().trim().min(3).max(100).optional() }).strict();

export const adminActionSchema = z.enum([
  "account-disabled",
  "account-enabled",
  "directory-entry-verified",
  "directory-verification-withdrawn",
  "administrator-enrolled",
  "organization-created",
]);

/** Events per page of the administration trail: the default, and the most one request may ask for. */
export const adminTrailPageSize = { default: 100, max: 500 } as const;

const seq = z.number().int().min(0).max(2_147_483_647);
const hash = base64url(32).length(43);

/** One event of the administration trail with its hash (crypto/ auditEventHash: subjectId the account acted on, actorId the administrator). */
export const adminTrailEventSchema = z.object({
  seq: seq.min(1),
  actorId: uuid,
  action: adminActionSchema,
  subjectId: uuid,
  outcome: z.enum(["success", "failure", "denied"]),
  occurredAt: timestamp,
  hash,
});
export type AdminTrailEvent = z.infer<typeof adminTrailEventSchema>;

/** A page of the administration trail, oldest first, with the chain's head and the public names of the clinicians it names. */
export const adminTrailPageSchema = z.object({
  head: z.object({ seq, hash }),
  previousHash: hash.nullable(),
  events: z.array(adminTrailEventSchema).max(adminTrailPageSize.max),
  names: z.record(uuid, z.string().max(200)),
});
export type AdminTrailPageJson = z.infer<typeof adminTrailPageSchema>;

const seqParam = z.coerce.number().int().min(0).max(2_147_483_647);

/** `?after=<seq>&limit=<n>` or `?before=<seq>&limit=<n>`, as for a person's own trail. */
export const adminTrailQuerySchema = z
  .object({
    after: seqParam.optional(),
    before: seqParam.min(1).optional(),
    limit: z.coerce.number().int().min(1).max(adminTrailPageSize.max).default(adminTrailPageSize.default),
  })
  .strict()
  .refine((query) => query.after === undefined || query.before === undefined, { message: "Give after or before, not both.", path: ["before"] });

export const adminConsoleRoutes = {
  overview: defineRoute({ method: "GET", path: "/api/admin/overview", access: "session", response: adminOverviewSchema }),
  accounts: defineRoute({
    method: "GET",
    path: "/api/admin/accounts",
    access: "session",
    query: adminAccountQuerySchema,
    response: z.object({ accounts: z.array(adminAccountSchema).max(adminAccountListMax) }),
  }),
  /** Needs a fresh proof (403 fresh-proof-required otherwise). Ends the account's sessions at once; its grants stop serving. */
  disableAccount: defineRoute({ method: "POST", path: "/api/admin/accounts/[id]/disable", access: "session", params: idParams, response: "empty" }),
  /** Needs a fresh proof (403 fresh-proof-required otherwise). */
  enableAccount: defineRoute({ method: "POST", path: "/api/admin/accounts/[id]/enable", access: "session", params: idParams, response: "empty" }),
  trail: defineRoute({ method: "GET", path: "/api/admin/trail", access: "session", query: adminTrailQuerySchema, response: adminTrailPageSchema }),
};
