import type { AuditAction } from "@/contract/me";
import { countOf, formatDateTime } from "@/client/format";

/**
 * Plain words for audit actions: what the server saw, never more (a list sent is "received",
 * not "opened": what a clinician then reads happens in their browser, out of the server's sight).
 */
export const actionLabels: Record<AuditAction, string> = {
  "sign-in": "Signed in",
  "sign-in-new-browser": "Signed in from a browser or device not used before",
  "sign-in-failed": "Tried to sign in with one of your passkeys",
  "passkey-added": "Added a passkey",
  "passkey-renamed": "Renamed a passkey",
  "passkey-removed": "Removed a passkey",
  "account-recovered": "Recovered the account with the recovery key",
  "recovery-key-changed": "Made a new recovery key",
  "record-created": "Added a record",
  // Worded with its count by labelOf.
  "records-imported": "Imported records",
  "record-updated": "Edited a record",
  "record-deleted": "Deleted a record",
  // An event naming its records (a batch of rotations) is worded with its count by labelOf.
  "record-key-rotated": "Moved a record to a new key",
  // An event naming its records (a page of the chart) is worded with its count by labelOf.
  "chart-fetched": "Loaded the whole chart",
  "record-versions-fetched": "Opened a record's versions",
  // Older trails: one of these per record in a list the clinician loaded, opened or not.
  "record-fetched": "Received a record in a list",
  // Worded with its count by labelOf.
  "records-received": "Received records",
  "file-fetched": "Downloaded a file",
  "share-key-fetched": "Received the key to a share",
  "records-exported": "Exported records",
  "grant-created": "Shared records",
  "grant-revoked": "Revoked a share",
  "grant-record-revoked": "Stopped sharing a record",
  "grant-changed": "Changed a share",
  "grant-permission-changed": "Changed what a share allows",
  "grant-end-date-changed": "Changed when a share ends",
  "grant-record-added": "Added a record to a share",
  "grant-expired": "A share ended on its end date",
  "grant-holder-departed": "A share ended: the clinician deleted their account",
  "emergency-contact-named": "Named an emergency contact",
  "emergency-requested": "Asked for emergency access",
  "emergency-approved": "Approved an emergency request",
  "emergency-refused": "Refused an emergency request",
  "emergency-ended": "Ended an emergency contact",
  "emergency-records-received": "Received the emergency set",
  "account-disabled": "An administrator disabled the account",
  "account-enabled": "An administrator enabled the account again",
  "directory-entry-verified": "An administrator verified the directory entry",
  "directory-verification-withdrawn": "An administrator withdrew the directory entry's verification",
  "administrator-enrolled": "Enrolled as an administrator",
  "organization-created": "Created an organization",
  "team-member-added": "Joined a care team you share with: can open what you share with the team",
  // Worded with who left and the team by labelOf when the event names them.
  "team-member-removed": "A member left a care team you share with; your records move to new keys",
  "grant-renewed": "Renewed a share with a care team under a new key after a member left",
  "access-refused": "Was refused access",
  // SMART Health Links. An open and a wrong passcode are worded with the recipient's name by labelOf when it is known.
  "link-created": "Made a link to share records",
  "link-revoked": "Revoked a link",
  "link-updated": "Updated a long-term link's contents",
  "link-opened": "One of your links was opened",
  "link-passcode-refused": "A wrong passcode was tried on one of your links",
  "link-disabled": "One of your links stopped after too many wrong passcodes",
  "link-passcode-throttled": "One of your links is slowed down after many wrong passcodes",
};

/** When, in the person's own time zone and language, to the second (events often come in quick succession). */
export const when = (iso: string) => formatDateTime(iso, { seconds: true });

/**
 * What happened, in words; an event about many records says how many ("Received 7 records"),
 * a team event who joined or left which team ("Dr Bob Example left Cardiology · Riverside; …"),
 * and a counted event how many attempts and between when ("Was refused access 3,000 times,
 * from … to …").
 */
export function labelOf(event: {
  action: AuditAction;
  /** Team events: who joined or left (their directory name) and the team, when the trail page names them. */
  actorName?: string;
  teamName?: string;
  /** Link events: the name the opener gave, chained with the event (crypto/audit-chain.ts). */
  recipient?: string | null;
  recordIds?: readonly string[] | null;
  count?: number | null;
  windowStart?: string | null;
  windowEnd?: string | null;
}): string {
  if (event.action === "records-received") {
    const count = event.recordIds?.length ?? 0;
    return count === 0 ? "Received the list of shared records (it was empty)" : `Received ${countOf(count, "record")}`;
  }
  // One page of the chart: the event names the records served (older events, without them, were the whole chart).
  if (event.action === "chart-fetched" && event.recordIds) {
    return event.recordIds.length === 0 ? "Loaded the chart (it was empty)" : `Loaded ${countOf(event.recordIds.length, "record")} of the chart`;
  }
  // One batch of rotations after a revoke: the event names the records it moved to new keys.
  if (event.action === "record-key-rotated" && event.recordIds?.length) return `Moved ${countOf(event.recordIds.length, "record")} to new keys`;
  // Who left or joined which team, when the event names them (older events name neither).
  if (event.action === "team-member-removed" && event.teamName && event.actorName) {
    return `${event.actorName} left ${event.teamName}; the share and your records move to new keys`;
  }
  if (event.action === "team-member-added" && event.teamName && event.actorName) {
    return `${event.actorName} joined ${event.teamName}: can open what you share with the team`;
  }
  if (event.action === "records-imported") return `Imported ${countOf(event.count ?? 0, "record")}`;
  if (event.action === "link-opened" && event.recipient) return `Link opened by ${event.recipient}`;
  if (event.action === "link-passcode-refused" && event.recipient) return `Wrong passcode for one of your links, from ${event.recipient}`;
  const label = actionLabels[event.action];
  if (!event.count || event.count === 1 || !event.windowStart || !event.windowEnd) return label;
  return `${label} ${countOf(event.count, "time")}, from ${when(event.windowStart)} to ${when(event.windowEnd)}`;
}

/**
 * Which care team someone else's action came through ("through Cardiology · Riverside"), for the
 * History's Who column: when the event's grant is a team's and the actor is not the trail's owner.
 * Joining or leaving a team names it in its own words (`labelOf`); null otherwise.
 */
export function throughTeam(event: { action: AuditAction; actorId: string | null; teamName?: string }, ownerId: string): string | null {
  if (!event.teamName || !event.actorId || event.actorId === ownerId) return null;
  if (event.action === "team-member-added" || event.action === "team-member-removed") return null;
  return `through ${event.teamName}`;
}

export const outcomeLabel = (outcome: string) => (outcome === "success" ? "Done" : outcome === "denied" ? "Refused" : "Failed");
