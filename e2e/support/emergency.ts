import type { Page } from "@playwright/test";
import type { Person } from "./sharing";
import { expect } from "./test";

export interface ContactJson {
  grantId: string;
  contactId: string;
  state: string;
  recordIds: string[];
}

/** The patient's emergency contacts, through the API. */
export const contactsOf = async (page: Page) => ((await (await page.request.get("/api/emergency-contacts")).json()) as { contacts: ContactJson[] }).contacts;

/** A person's own share code, as their Emergency contacts page shows it. */
export async function shareCodeOf(person: Person): Promise<string> {
  await person.page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(person.page.getByRole("heading", { name: "You are an emergency contact" })).toBeVisible({ timeout: 30_000 });
  return (await person.page.getByTestId("own-share-code").textContent())!.trim();
}

/**
 * The patient (on their Emergency contacts page) names a contact by their share code, with the
 * default kinds, the chosen wait, the name they call them by and, if given, how to reach them.
 */
export async function nameContact(page: Page, code: string, wait: string, person: { name: string; reach?: string }) {
  const before = (await contactsOf(page)).length;
  const form = page.getByTestId("name-contact");
  await form.getByLabel("Your contact's share code").fill(code);
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByTestId("contact-checked")).toBeVisible();
  await form.getByLabel(/^Your contact's name/).fill(person.name);
  if (person.reach) await form.getByLabel(/^How to reach them/).fill(person.reach);
  await form.getByLabel("Wait after a request").selectOption({ label: wait });
  await form.getByRole("button", { name: "Name emergency contact" }).click();
  await expect(form.getByTestId("name-contact-outcome")).toHaveText(/^Emergency contact named/, { timeout: 30_000 });
  await expect(form.getByTestId("name-contact-outcome")).toBeFocused();
  await expect(page.getByTestId("emergency-contact")).toHaveCount(before + 1);
}
