import { randomBytes } from "node:crypto";
import { adminEnrolmentToken } from "../playwright.config";
import { addNote, newPerson } from "./support/sharing";
import { checkA11y, expect, test, type Page } from "./support/test";
import { expectFitsViewport } from "./support/viewport";

/** Letters only, so each run's names are its own in a shared directory. */
const tag = () =>
  [...randomBytes(6)]
    .map((byte) => String.fromCharCode(97 + (byte % 26)))
    .join("")
    .replace(/^./, (first) => first.toUpperCase());

/** Searches the directory on the Sharing page (reached through the menu, so the vault stays open). */
async function search(page: Page, query: string) {
  if (!page.url().endsWith("/share")) await page.getByRole("link", { name: "Sharing" }).click();
  await page.getByLabel("Name, specialty or organization").fill(query);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("directory-entry").first()).toBeVisible();
}

/** Opens the administrator's directory page; after a full page load the vault asks for one passkey tap. */
async function openAdminDirectory(page: Page) {
  await page.goto("/admin/directory");
  const adminName = page.getByLabel("Your name as patients will see it");
  const unlock = page.getByRole("button", { name: "Unlock with passkey" });
  await expect(adminName.or(unlock)).toBeVisible();
  if (await unlock.isVisible()) await unlock.click();
  await adminName.fill("Ada Admin, registrar");
}

test("an administrator verifies a clinician: the patient sees it verified while a namesake is flagged; a withdrawal shows; an unverified entry needs the comparison", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const surname = tag();
  const name = `Dr Amara ${surname}`;
  const clinic = { specialty: "Cardiology", organization: `Riverside ${surname} Clinic` };
  const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken });
  const doctor = await newPerson(browser, { role: "doctor", name, ...clinic, licenceNumber: "GMC 7654321" });
  const impostor = await newPerson(browser, { role: "doctor", name, ...clinic, licenceNumber: "GMC 0000000" });
  const patient = await newPerson(browser, { role: "patient", name: "Pat Compare" });

  // The administrator verifies the real one (fresh from signing up, so no extra passkey tap).
  await openAdminDirectory(admin.page);
  const row = admin.page.getByTestId("admin-directory-entry").filter({ hasText: "declared number GMC 7654321" }).filter({ hasText: name });
  await row.getByRole("button", { name: `Verify ${name}` }).click();
  await expect(row.getByLabel(`Licence or registry number you checked for ${name}`)).toHaveValue("GMC 7654321");
  await row.getByRole("button", { name: `Sign verification of ${name}` }).click();
  await expect(row.getByTestId("admin-entry-status")).toContainText("Verified: GMC 7654321, by Ada Admin, registrar");
  // Focus lands on what changed, not on the top of the page.
  await expect(row.getByTestId("admin-entry-status")).toBeFocused();
  await checkA11y(admin.page, "/admin/directory");

  // The namesake is told apart by account and sign-up day; verifying it under the number already
  // verified for the real one (written differently) asks first, and going back signs nothing.
  const namesakeRows = admin.page.getByTestId("admin-directory-entry").filter({ hasText: name });
  await expect(namesakeRows.getByTestId("admin-same-name")).toHaveCount(2);
  await expect(namesakeRows.getByTestId("admin-same-name").first()).toContainText("2 entries share this name");
  await expect(row.getByTestId("admin-entry-account")).toContainText(`Account ${doctor.userId.slice(0, 8)} · signed up`);
  const impostorRow = namesakeRows.filter({ hasText: "declared number GMC 0000000" });
  await impostorRow.getByRole("button", { name: `Verify ${name}, account ${impostor.userId.slice(0, 8)}` }).click();
  await impostorRow.getByLabel(`Licence or registry number you checked for ${name}`).fill("gmc 765-4321");
  await impostorRow.getByRole("button", { name: `Sign verification of ${name}` }).click();
  const warning = impostorRow.getByTestId("admin-duplicate-number");
  await expect(warning).toContainText(`gmc 765-4321 is already verified for ${name} (account ${doctor.userId.slice(0, 8)}`);
  // It is not the number this clinician declared either: said too.
  await expect(warning.getByTestId("admin-number-differs")).toContainText(`gmc 765-4321 is not the number ${name} declared (GMC 0000000)`);
  await expect(warning.getByRole("button", { name: "Go back" })).toBeFocused();
  await warning.getByRole("button", { name: "Go back" }).click();
  await impostorRow.getByRole("button", { name: "Cancel" }).click();
  await expect(impostorRow.getByTestId("admin-entry-status")).toHaveText("Not verified");

  // The patient searches: one verified entry with its details, one not, both flagged as sharing the name.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Echo report", "Normal.");
  await search(patient.page, surname);
  const entries = patient.page.getByTestId("directory-entry");
  await expect(entries).toHaveCount(2);
  await expect(patient.page.getByTestId("entry-verified")).toHaveCount(1);
  await expect(patient.page.getByTestId("entry-verified")).toContainText("licence or registry number GMC 7654321, verified by Ada Admin, registrar");
  await expect(patient.page.getByTestId("entry-unverified")).toHaveCount(1);
  await expect(patient.page.getByTestId("same-name-warning")).toHaveCount(2);
  await expect(patient.page.getByTestId("same-name-warning").first()).toContainText("2 clinicians share this name");
  // The administrator's key is now pinned in the patient's vault like a contact.
  await checkA11y(patient.page, "/share with a verified entry and a namesake");

  // The unverified namesake: the share form refuses until the codes were compared.
  const impostorEntry = entries.filter({ has: patient.page.getByTestId("entry-unverified") });
  await impostorEntry.getByRole("button", { name: `Choose ${name}` }).click();
  const form = patient.page.getByTestId("share-form");
  await expect(form.getByTestId("entry-unverified")).toBeVisible();
  await form.getByLabel("Echo report", { exact: true }).check();
  await expect(form.getByTestId("share-needs-comparison")).toBeVisible();
  await expect(form.getByRole("button", { name: "Share", exact: true })).toBeDisabled();
  await form.getByRole("button", { name: "Cancel" }).click();

  // The verified one can be shared with without the comparison.
  const verifiedEntry = entries.filter({ has: patient.page.getByTestId("entry-verified") });
  await verifiedEntry.getByRole("button", { name: `Choose ${name}` }).click();
  await expect(form.getByTestId("entry-verified")).toBeVisible();
  // Nothing chosen yet: pressing Share says what is missing (a disabled button said nothing).
  await form.getByRole("button", { name: "Share", exact: true }).click({ force: true });
  await expect(form.getByRole("alert")).toHaveText("Choose at least one record to share, or all your records.");
  await form.getByLabel("Echo report", { exact: true }).check();
  await expect(form.getByTestId("share-needs-comparison")).toHaveCount(0);
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText(`Shared with ${name}.`)).toBeVisible();
  const grantsBefore = ((await (await patient.page.request.get("/api/grants")).json()) as { grants: unknown[] }).grants.length;

  // A statement the server moves onto the impostor's entry is not accepted, and the page says why.
  await patient.page.route(/\/api\/directory\?/, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { clinicians: Array<{ userId: string; verification: unknown }> };
    const genuine = body.clinicians.find((entry) => entry.verification)?.verification;
    await route.fulfill({ response, json: { ...body, clinicians: body.clinicians.map((entry) => ({ ...entry, verification: genuine ?? null })) } });
  });
  await search(patient.page, surname);
  await expect(patient.page.getByTestId("entry-verified")).toHaveCount(1);
  await expect(patient.page.getByTestId("entry-not-verified")).toContainText("its signature does not match this entry");
  await patient.page.unroute(/\/api\/directory\?/);

  // The administrator withdraws the verification; the patient sees it withdrawn.
  await openAdminDirectory(admin.page);
  const again = admin.page.getByTestId("admin-directory-entry").filter({ hasText: "declared number GMC 7654321" }).filter({ hasText: name });
  await again.getByRole("button", { name: `Withdraw verification of ${name}` }).click();
  // Withdrawing asks first (the confirming button is the only one of that name now).
  await expect(again.getByTestId("admin-confirm-withdraw")).toContainText("Patients will see it withdrawn");
  await again.getByRole("button", { name: `Withdraw verification of ${name}` }).click();
  await expect(again.getByTestId("admin-entry-status")).toContainText("Verification withdrawn by Ada Admin, registrar");
  await search(patient.page, surname);
  await expect(patient.page.getByTestId("entry-revoked")).toContainText("Ada Admin, registrar withdrew this entry's verification");
  await expect(patient.page.getByTestId("entry-verified")).toHaveCount(0);
  expect(((await (await patient.page.request.get("/api/grants")).json()) as { grants: unknown[] }).grants.length).toBe(grantsBefore);

  // At 390 px: the results, the flags and the form fit.
  await patient.page.setViewportSize({ width: 390, height: 844 });
  await expectFitsViewport(patient.page, "/share results at 390 px");
  await checkA11y(patient.page, "/share results at 390 px");
  await admin.page.setViewportSize({ width: 390, height: 844 });
  await expectFitsViewport(admin.page, "/admin/directory at 390 px");
  await Promise.all([admin.close(), doctor.close(), impostor.close(), patient.close()]);
});

test("patients are not administrators: the directory page and its routes refuse them", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Pat Nosy" });
  await patient.page.goto("/admin/directory");
  await expect(patient.page.getByText("Only administrators verify directory entries.")).toBeVisible();
  await patient.close();
});
