import { expect, type Page } from "@playwright/test";
import type { Person } from "./sharing";

/** The administrator verifies a clinician's directory entry on /admin/directory (signed in their browser), as the verified-directory spec does. */
export async function verifyClinician(admin: Person, name: string) {
  await admin.page.goto("/admin/directory");
  const adminName = admin.page.getByLabel("Your name as patients will see it");
  const unlock = admin.page.getByRole("button", { name: "Unlock with passkey" });
  await expect(adminName.or(unlock)).toBeVisible();
  if (await unlock.isVisible()) await unlock.click();
  await adminName.fill("Ada Admin, registrar");
  const row = admin.page.getByTestId("admin-directory-entry").filter({ hasText: name });
  await row.getByRole("button", { name: `Verify ${name}` }).click();
  await row.getByRole("button", { name: `Sign verification of ${name}` }).click();
  await expect(row.getByTestId("admin-entry-status")).toContainText("Verified");
}

/** Opens a page by address; after the full load the vault asks for one passkey tap. */
export async function openUnlocked(page: Page, path: string, ready: ReturnType<Page["getByText"]>) {
  await page.goto(path);
  const unlock = page.getByRole("button", { name: "Unlock with passkey" });
  await expect(ready.or(unlock).first()).toBeVisible();
  if (await unlock.isVisible()) await unlock.click();
  await expect(ready.first()).toBeVisible();
}

/** The name the deployment administrator signs organization statements with: patients see teams "verified by" it. */
export const deploymentAdminName = "Ada Admin, registrar";

/**
 * The deployment administrator creates an organization on /admin, naming one administrator: their
 * browser (unlocked with a passkey tap after the page load) signs the statement naming them.
 */
export async function createOrganization(admin: Person, name: string, administratorId: string) {
  await admin.page.goto("/admin");
  const organizationName = admin.page.getByLabel("Organization name");
  const unlock = admin.page.getByRole("button", { name: "Unlock with passkey" });
  await expect(organizationName.or(unlock)).toBeVisible();
  if (await unlock.isVisible()) await unlock.click();
  await organizationName.fill(name);
  await admin.page.getByLabel("Your name as patients will see it").fill(deploymentAdminName);
  await admin.page.getByLabel("Administrator's account id").fill(administratorId);
  await admin.page.getByRole("button", { name: "Create organization" }).click();
  await expect(admin.page.getByText(`${name} is created.`)).toBeVisible();
}

/** The organization administrator makes a team on /organization. */
export async function createTeam(orgAdmin: Person, team: string) {
  await openUnlocked(orgAdmin.page, "/organization", orgAdmin.page.getByText("You make your organization"));
  await orgAdmin.page.getByLabel("New care team's name").fill(team);
  await orgAdmin.page.getByRole("button", { name: "Create team" }).click();
  await expect(orgAdmin.page.getByText(`The team ${team} is made.`)).toBeVisible();
}

/** The organization administrator adds a verified clinician to a team on /organization (found by `search`). */
export async function addMember(orgAdmin: Person, team: string, search: string, name: string) {
  await orgAdmin.page.getByLabel(`Add a verified clinician to ${team}`).fill(search);
  await orgAdmin.page.getByRole("button", { name: "Find clinicians" }).click();
  await orgAdmin.page.getByRole("button", { name: `Add ${name} to ${team}` }).click();
  await expect(orgAdmin.page.getByText(`${name} is a member of ${team}.`)).toBeVisible();
}
