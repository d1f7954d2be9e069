import type { Page } from "@playwright/test";

/** The actions in the signed-in person's audit trail, oldest first, as the server returns them. */
export async function trailActions(page: Page): Promise<string[]> {
  const response = await page.request.get("/api/me/audit");
  return ((await response.json()) as { events: Array<{ action: string }> }).events.map((event) => event.action);
}
