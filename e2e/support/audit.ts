import type { Page } from "@playwright/test";

/** An event of the signed-in person's trail as GET /api/me/audit returns it. */
export interface TrailEventJson {
  seq: number;
  actorId: string | null;
  action: string;
  recordId: string | null;
  /** The records an event about many records names (a list received, a batch of key rotations). */
  recordIds: string[] | null;
  count: number | null;
  hash: string;
}

/** The signed-in person's whole audit trail, oldest first, as the server returns it (page after page). */
export async function trailEvents(page: Page): Promise<TrailEventJson[]> {
  const events: TrailEventJson[] = [];
  for (;;) {
    const response = await page.request.get(`/api/me/audit?after=${events.length}&limit=500`);
    const body = (await response.json()) as { head: { seq: number }; events: TrailEventJson[] };
    events.push(...body.events);
    if (body.events.length === 0 || events.length >= body.head.seq) return events;
  }
}

/** The actions in the signed-in person's audit trail, oldest first, as the server returns them. */
export async function trailActions(page: Page): Promise<string[]> {
  return (await trailEvents(page)).map((event) => event.action);
}
