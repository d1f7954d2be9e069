import type { AuditAction } from "@/contract/me";
import { routes } from "@/contract/routes";
import { reportIfBug } from "../failures";
import type { Transport } from "../transport/api";
import { linkOpenerActions } from "./trail-words";

interface LinkEvent {
  seq: number;
  action: AuditAction;
  /** A link event names its link here (the server writes the link's id in the event's grant field). */
  grantId: string | null;
  occurredAt: string;
}

/**
 * The recipient name behind each link event of a trail (`link-opened`, `link-passcode-refused`),
 * by event seq: read from each link's accesses (GET /api/links/{id}/accesses), the access of the
 * same link, outcome and instant as the event (the server writes both in one transaction, at one
 * time). Links whose accesses do not load (a link deleted with its account's data, an outage)
 * leave their events without a name: the history then says "Someone with your link".
 * The names are what openers typed, stored beside the link: the chain verifies the event, not the name.
 */
export async function linkRecipients(events: readonly LinkEvent[], transport: Transport): Promise<Map<number, string>> {
  const linkEvents = events.filter((event) => linkOpenerActions.has(event.action) && event.grantId !== null);
  const linkIds = [...new Set(linkEvents.map((event) => event.grantId!))];
  const byKey = new Map<string, string[]>();
  await Promise.all(
    linkIds.map(async (linkId) => {
      try {
        const { accesses } = await transport.call(routes.links.accesses, { params: { id: linkId } });
        // Oldest first, so that two accesses at one instant are handed out in order.
        for (const access of [...accesses].reverse()) {
          const key = `${linkId}|${access.outcome}|${new Date(access.at).getTime()}`;
          byKey.set(key, [...(byKey.get(key) ?? []), access.recipient]);
        }
      } catch (caught) {
        // A name that cannot be read leaves the event as it is; a bug is still reported.
        reportIfBug(caught);
      }
    }),
  );
  const names = new Map<number, string>();
  for (const event of [...linkEvents].sort((a, b) => a.seq - b.seq)) {
    const outcome = event.action === "link-opened" ? "opened" : "wrong-passcode";
    const queue = byKey.get(`${event.grantId}|${outcome}|${new Date(event.occurredAt).getTime()}`);
    const recipient = queue?.shift();
    if (recipient !== undefined) names.set(event.seq, recipient);
  }
  return names;
}
