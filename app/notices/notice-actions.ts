import { noticeKinds, type Notice, type NoticeKind } from "@/contract/notices";
import type { RevealedShare } from "@/client/sharing/sharing";

/** Where a notice's reader acts on it: a page of the app and the link's words. Kinds not listed need no action beyond reading. */
export const noticeActions: Partial<Record<NoticeKind, { href: string; text: string }>> = {
  "new-sign-in": { href: "/settings/security", text: "Review your sessions and passkeys" },
  "new-passkey": { href: "/settings/security", text: "Review your passkeys" },
  "records-opened": { href: "/history", text: "See who opened what in History" },
  "link-opened": { href: "/links", text: "See your links" },
  "link-stopped": { href: "/links", text: "See your links" },
  "link-guessed": { href: "/emergency-card", text: "Open your emergency card" },
  "note-added": { href: "/chart", text: "Open your records" },
  "clinician-left": { href: "/share", text: "See your shares" },
  "team-member-joined": { href: "/share", text: "See your shares" },
  "emergency-request": { href: "/emergency-contacts", text: "Approve or refuse it" },
  "emergency-request-ended": { href: "/emergency-contacts", text: "Open Emergency contacts" },
  "emergency-answered": { href: "/emergency-contacts", text: "Open Emergency contacts" },
  "patient-shared": { href: "/shared", text: "Open what is shared with you" },
  "patient-stopped-sharing": { href: "/shared", text: "Open what is shared with you" },
};

/**
 * Where the reader acts on this notice: a clinician's notice about a share they still hold
 * leads to that share on Shared with me, named as its patient chose (this browser opened the
 * name); any other, or one whose share is gone, to its kind's page (`noticeActions`).
 */
export function noticeActionOf(notice: Notice, shares: ReadonlyMap<string, RevealedShare>): { href: string; text: string } | undefined {
  const share = notice.grantId ? shares.get(notice.grantId) : undefined;
  if (noticeKinds[notice.kind].audience === "clinician" && share)
    return { href: `/shared#share-${notice.grantId}`, text: share.revealedName ? `Open what ${share.revealedName} shares with you` : "Open this share" };
  return noticeActions[notice.kind];
}
