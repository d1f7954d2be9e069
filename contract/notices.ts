import { z } from "zod";
import { auditActionSchema } from "./me";
import { timestamp, uuid } from "./common";
import { defineRoute } from "./route";

/**
 * Every kind of notice, the audit actions that raise it, and its words: the one table the
 * server records from (lib/notices/notice-kinds.ts), the browser words from and the email
 * sender writes from. A new kind is one entry here (say, `"emergency-requested": { raisedBy:
 * ["emergency-requested"], ... }` once that audit action exists). The words name nobody and
 * nothing a record holds: the browser adds who, where it can (a clinician's directory entry).
 * - `raisedBy`: the audit actions (contract/me.ts) whose successful events raise it, in the
 *   trail's subject's notice centre.
 * - `othersOnly`: only when someone other than the subject acted (a clinician's read, not the
 *   patient's own).
 * - `to`: whose notice centre: the trail's `subject` (the patient, or whoever signed in), or the
 *   `grantees` of the event's grant: its clinician, or every member of its care team. A
 *   grantee's notice names the patient's account as its actor; the clinician's browser adds
 *   the name the patient revealed, where it can open it.
 * - `audience`: who can get it, so settings offer each person only their kinds.
 * - `email`: the whole body of the email sent for it: no names, no health data.
 */
export const noticeKinds = {
  "records-opened": {
    raisedBy: ["records-received", "file-fetched"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "A clinician opened records you shared",
    email: "Someone opened records you shared. Sign in to see who.",
  },
  "link-opened": {
    raisedBy: ["link-opened"],
    othersOnly: false,
    to: "subject",
    audience: "patient",
    label: "A link you made was opened",
    email: "Someone opened a link you made to your records. Sign in to see when.",
  },
  "link-stopped": {
    raisedBy: ["link-disabled"],
    othersOnly: false,
    to: "subject",
    audience: "patient",
    label: "A link you made stopped working after too many wrong passcodes: make a new one if it is still needed",
    email: "A link you made to your records stopped working after too many wrong passcodes. Sign in to make a new one.",
  },
  "link-guessed": {
    raisedBy: ["link-passcode-throttled"],
    othersOnly: false,
    to: "subject",
    audience: "patient",
    label: "Someone tried many wrong passcodes on your emergency card's link: it is slowed down for a day. If the card is lost, reissue it",
    email: "Someone tried many wrong passcodes on a long-term link you made, so it is slowed down for a day. Sign in to reissue it if the card is lost.",
  },
  "note-added": {
    raisedBy: ["record-created"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "A clinician added a note to your records",
    email: "Someone added a note to your records. Sign in to read it.",
  },
  "clinician-left": {
    raisedBy: ["grant-holder-departed"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "A clinician you shared records with deleted their account: that share has ended, and its records move to new keys",
    email: "Someone you shared records with deleted their account, so that share has ended. Sign in to see more.",
  },
  "team-member-joined": {
    raisedBy: ["team-member-added"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "Someone joined a care team you share with, and can now open what you share with it",
    email: "Someone joined a care team you share records with. Sign in to see who, and to stop sharing if you wish.",
  },
  "new-passkey": {
    raisedBy: ["passkey-added", "account-recovered"],
    othersOnly: false,
    to: "subject",
    audience: "anyone",
    label: "A new passkey (a new device) can now sign in to your account",
    email: "A new passkey was added to your account. If this was not you, sign in and remove it.",
  },
  "new-sign-in": {
    raisedBy: ["sign-in-new-browser"],
    othersOnly: false,
    to: "subject",
    audience: "anyone",
    label:
      "Your account was signed in to from a browser or device it had not been used on before. If this was not you, end your other sessions and remove passkeys you do not recognise in Security",
    email:
      "Your account was signed in to from a browser or device it had not been used on before. If this was not you, sign in, end your other sessions and check your passkeys.",
  },
  "emergency-request": {
    raisedBy: ["emergency-requested"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "Your emergency contact asked for access to your emergency set",
    email: "Someone you named as an emergency contact asked for access. Sign in to approve or refuse it.",
  },
  "emergency-request-ended": {
    raisedBy: ["emergency-records-received"],
    othersOnly: true,
    to: "subject",
    audience: "patient",
    label: "Your emergency contact opened your emergency set",
    email: "Someone you named as an emergency contact opened your emergency set. Sign in to see when, or to end it.",
  },
  /** Raised by no audit action: recorded for the contact directly (lib/emergency/emergency-store.ts), since the trail is the patient's. */
  "emergency-answered": {
    raisedBy: [],
    othersOnly: false,
    to: "subject",
    audience: "anyone",
    label: "Someone who named you as their emergency contact approved, refused or ended your access: see Emergency contacts",
    email: "Your emergency access to someone's records changed. Sign in to see how.",
  },
  "patient-shared": {
    raisedBy: ["grant-created"],
    othersOnly: false,
    to: "grantees",
    audience: "clinician",
    label: "A patient started sharing records with you",
    email: "A patient started sharing records with you. Sign in to see them.",
  },
  "patient-stopped-sharing": {
    raisedBy: ["grant-revoked", "grant-expired"],
    othersOnly: false,
    to: "grantees",
    audience: "clinician",
    label: "A patient's share with you ended: they stopped sharing, or its end date passed",
    email: "A patient's share with you has ended. Sign in to see which records you can still open.",
  },
  "patient-left": {
    // The patient's trail leaves with their account: account deletion raises it itself (lib/accounts/account-deletion.ts).
    raisedBy: [],
    othersOnly: false,
    to: "grantees",
    audience: "clinician",
    label: "A patient who shared records with you deleted their account, so that share has ended",
    email: "A patient who shared records with you deleted their account, so that share has ended.",
  },
} as const satisfies Record<
  string,
  {
    raisedBy: readonly z.infer<typeof auditActionSchema>[];
    othersOnly: boolean;
    to: "subject" | "grantees";
    audience: "patient" | "clinician" | "anyone";
    label: string;
    email: string;
  }
>;

export type NoticeKind = keyof typeof noticeKinds;
export const noticeKindSchema = z.enum(Object.keys(noticeKinds) as [NoticeKind, ...NoticeKind[]]);
export const noticeKindList = noticeKindSchema.options;

/** The kinds a person in `role` can get (the email choices offered to them). */
export function noticeKindsFor(role: "patient" | "doctor" | "nurse" | "admin"): NoticeKind[] {
  const audience = role === "patient" ? "patient" : role === "admin" ? null : "clinician";
  return noticeKindList.filter((kind) => noticeKinds[kind].audience === "anyone" || noticeKinds[kind].audience === audience);
}

/** One notice as its recipient reads it: what happened (kind), who acted and on what (ids only), how often, when. */
export const noticeSchema = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,18}$/),
  kind: noticeKindSchema,
  /** The account that acted (a clinician), where one did: the browser looks its directory entry up. */
  actorId: uuid.nullable(),
  grantId: uuid.nullable(),
  linkId: uuid.nullable(),
  recordId: uuid.nullable(),
  /** How many events this notice folds together (a burst of opens is one notice). */
  count: z.number().int().min(1),
  firstAt: timestamp,
  lastAt: timestamp,
  read: z.boolean(),
});
export type Notice = z.infer<typeof noticeSchema>;

/** Notices per page: the newest first. */
export const noticesPageSize = 100;

const emailAddress = z.email().max(254);

/** What a person chose about emails: the address notices go to (none: no email), and for which kinds. */
export const noticeSettingsSchema = z.object({
  email: emailAddress.nullable(),
  emailKinds: z.array(noticeKindSchema).max(noticeKindList.length),
});
export type NoticeSettings = z.infer<typeof noticeSettingsSchema>;

/** The settings as stored, and whether this deployment sends email at all (SMTP_URL set). */
const storedNoticeSettingsSchema = noticeSettingsSchema.extend({ emailAvailable: z.boolean() });

export const noticeRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/me/notices",
    access: "session",
    response: z.object({ notices: z.array(noticeSchema).max(noticesPageSize), unread: z.number().int().min(0) }),
  }),
  /** Marks the listed notices read, or all of them with `all`; answers how many are still unread. */
  markRead: defineRoute({
    method: "POST",
    path: "/api/me/notices/read",
    access: "session",
    body: z.union([z.strictObject({ ids: z.array(noticeSchema.shape.id).min(1).max(noticesPageSize) }), z.strictObject({ all: z.literal(true) })]),
    response: z.object({ unread: z.number().int().min(0) }),
  }),
  /**
   * Server-sent events (text/event-stream, not JSON): an `unread` event with `{"unread": n}`
   * at once and whenever the person's notices change, for `seconds` (default 60), then the
   * stream ends and the browser's EventSource reconnects (checking the session again).
   */
  stream: defineRoute({
    method: "GET",
    path: "/api/me/notices/stream",
    access: "session",
    query: z.object({ seconds: z.coerce.number().int().min(1).max(300).optional() }),
    response: "binary",
  }),
  settings: defineRoute({ method: "GET", path: "/api/me/notice-settings", access: "session", response: storedNoticeSettingsSchema }),
  updateSettings: defineRoute({
    method: "PUT",
    path: "/api/me/notice-settings",
    access: "session",
    body: noticeSettingsSchema,
    response: storedNoticeSettingsSchema,
  }),
};
