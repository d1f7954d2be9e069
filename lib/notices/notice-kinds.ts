import { noticeKinds, type NoticeKind } from "@/contract/notices";
import type { AuditAction } from "@/contract/me";

/** What one notice names: ids the server already holds, never a name or record content. */
export interface NoticeInput {
  recipientId: string;
  kind: NoticeKind;
  actorId: string | null;
  grantId: string | null;
  linkId: string | null;
  recordId: string | null;
}

/** The audit event fields a notice is made from (lib/audit/audit-log.ts AuditInput, narrowed). */
export interface NoticeSource {
  subjectId: string;
  actorId: string | null;
  action: AuditAction;
  outcome: "success" | "failure" | "denied";
  grantId?: string | null;
  recordId?: string | null;
  /** A link opener's declared name: never read here, so it never reaches a notice or an email. */
  recipient?: string | null;
}

/** Audit action → the kind it raises: built once from contract/notices.ts's table. */
const kindOfAction = new Map<AuditAction, NoticeKind>(
  Object.entries(noticeKinds).flatMap(([kind, entry]) => entry.raisedBy.map((action) => [action as AuditAction, kind as NoticeKind] as const)),
);

/** Kinds about a SMART Health Link: the link's id travels in the audit event's grant id. */
const linkKinds: ReadonlySet<NoticeKind> = new Set<NoticeKind>(["link-opened", "link-stopped", "link-guessed"]);

/** A grant's grantees by grant id: its clinician, or its care team's members (lib/notices/notice-store.ts `granteesOf`). */
export type Grantees = ReadonlyMap<string, readonly string[]>;

/** The grants whose grantees the notices of these events go to (kinds `to: "grantees"`): look them up before `noticesOf`. */
export function granteeGrantIds(events: readonly NoticeSource[]): string[] {
  const ids = events.flatMap((event) => {
    const kind = kindOfAction.get(event.action);
    return kind && event.outcome === "success" && noticeKinds[kind].to === "grantees" && event.grantId ? [event.grantId] : [];
  });
  return [...new Set(ids)];
}

/**
 * The notices a batch of audit events raises, in order: one per successful event whose action
 * a kind lists (contract/notices.ts), skipping the subject's own actions where the kind says
 * `othersOnly`. A link's id travels in the audit event's grant id (lib/links/link-store.ts).
 * A kind `to: "grantees"` gives one notice per grantee of the event's grant (from `grantees`,
 * none for a grant not in it), naming the patient (the trail's subject) as its actor.
 */
export function noticesOf(events: readonly NoticeSource[], grantees: Grantees = new Map()): NoticeInput[] {
  return events.flatMap((event) => {
    const kind = kindOfAction.get(event.action);
    if (!kind || event.outcome !== "success") return [];
    if (noticeKinds[kind].to === "grantees") {
      const grantId = event.grantId ?? null;
      const recipients = grantId ? (grantees.get(grantId) ?? []) : [];
      return recipients
        .filter((recipientId) => recipientId !== event.subjectId)
        .map((recipientId) => ({ recipientId, kind, actorId: event.subjectId, grantId, linkId: null, recordId: null }));
    }
    if (noticeKinds[kind].othersOnly && (event.actorId === null || event.actorId === event.subjectId)) return [];
    const isLink = linkKinds.has(kind);
    return [
      {
        recipientId: event.subjectId,
        kind,
        actorId: event.actorId === event.subjectId ? null : event.actorId,
        grantId: isLink ? null : (event.grantId ?? null),
        linkId: isLink ? (event.grantId ?? null) : null,
        recordId: event.recordId ?? null,
      },
    ];
  });
}
