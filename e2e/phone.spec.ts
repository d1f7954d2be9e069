import { submitSignUp } from "./support/accounts";
import { addNote, chooseClinician, newPerson, type Person } from "./support/sharing";
import { checkA11y, expect, test, type Page } from "./support/test";
import { expectAppStyle, expectFitsViewport, goThroughMenu, menuButton, phoneViewports } from "./support/viewport";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

/**
 * Checks one page state at this size; at the second (last) size also with axe, and keeps
 * a full-page screenshot in the report for a person to look at.
 */
async function check(page: Page, label: string, withAxe: boolean) {
  await expectFitsViewport(page, label);
  // Dates are written for people: never a raw ISO timestamp on any page.
  expect(await page.locator("body").innerText(), `${label}: a raw ISO timestamp`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  if (!withAxe) return;
  await checkA11y(page, `${label} (phone)`);
  // Kept as a file in the test's output folder (test-results/), so it can be looked at after any run.
  const path = test.info().outputPath(`${label.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(label, { contentType: "image/png", path });
}

/** A full page load clears the keys from memory: unlock again with the passkey. */
async function reloadUnlocked(person: Person, path: string) {
  await person.page.goto(path);
  await person.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(person.page.getByRole("button", { name: "Unlock with passkey" })).toHaveCount(0);
}

test("every page fits a phone screen, with nothing to scroll sideways and every control reachable", async ({ browser }) => {
  test.setTimeout(240_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Phoebe Phone", specialty: "Cardiology", organization: "Harbour Heart Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Paloma Patient" });

  // State worth seeing: records, a grant, a shared record opened (history on both sides).
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Blood pressure diary kept every morning and evening for the cardiology clinic", "Morning 128/82, evening 135/88.");
  await addNote(patient.page, "Questions for the cardiologist", "Is the dose right?");
  await chooseClinician(patient.page, "Cardiology", "Dr Phoebe Phone");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("I compared this code with Dr Phoebe Phone", { exact: false }).check();
  await form.getByLabel("Questions for the cardiologist", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Phoebe Phone.")).toBeVisible();
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Questions for the cardiologist" }).click();
  await expect(doctor.page.getByTestId("shared-patient")).toContainText("Is the dose right?");

  const visitor = await browser.newContext();
  const anonymous = await visitor.newPage();

  for (const [index, size] of phoneViewports.entries()) {
    const withAxe = index === phoneViewports.length - 1;
    const at = `${size.width}×${size.height}`;

    // Public pages, signed out.
    await anonymous.setViewportSize(size);
    for (const [path, heading] of [
      ["/", "Your health records"],
      ["/sign-in", "Sign in"],
      ["/sign-up", "Create an account"],
      ["/recover", "Recover your account"],
      ["/no-such-page", "Page not found"],
    ] as const) {
      await anonymous.goto(path);
      await expect(anonymous.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await check(anonymous, `${path} signed out at ${at}`, withAxe);
    }
    await anonymous.goto("/sign-up");
    await anonymous.getByRole("radio", { name: "Doctor" }).check();
    await expect(anonymous.getByLabel("Licence or registration number")).toBeVisible();
    await check(anonymous, `/sign-up as a doctor at ${at}`, withAxe);

    // The patient's pages, reached through the header menu.
    for (const page of [patient.page, doctor.page]) await page.setViewportSize(size);
    const page = patient.page;
    await check(page, `the patient's last page at ${at}`, false);
    await goThroughMenu(page, "Home");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await check(page, `/home (patient) at ${at}`, withAxe);

    await goThroughMenu(page, "My records");
    const longRecord = page.getByRole("button", { name: /^Blood pressure diary/ });
    await expect(longRecord).toBeVisible();
    await check(page, `/chart at ${at}`, withAxe);
    await longRecord.click();
    await expect(page.getByTestId("record-detail")).toBeVisible();
    await check(page, `/chart with a record open at ${at}`, withAxe);
    await page.getByTestId("record-detail").getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "Add a note" }).click();
    await expect(page.getByLabel("Note", { exact: true })).toBeVisible();
    await check(page, `/chart adding a note at ${at}`, withAxe);

    await goThroughMenu(page, "Sharing");
    await expect(page.getByTestId("grant-row")).toBeVisible();
    await check(page, `/share at ${at}`, withAxe);
    await page.getByLabel("Name, specialty or organization").fill("Cardiology");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("button", { name: "Choose Dr Phoebe Phone" }).click();
    await expect(page.getByTestId("share-form")).toBeVisible();
    await check(page, `/share with the share form open at ${at}`, withAxe);

    await goThroughMenu(page, "Emergency contacts");
    await expect(page.getByTestId("name-contact")).toBeVisible({ timeout: 30_000 });
    await check(page, `/emergency-contacts (patient) at ${at}`, withAxe);
    await expectAppStyle(page, `/emergency-contacts (patient) at ${at}`);

    await goThroughMenu(page, "History");
    await expect(page.getByTestId("history-row").first()).toBeVisible();
    await check(page, `/history (patient) at ${at}`, withAxe);
    // Each filter's label stays on the line of its control: a lone "Record" at one line's end, its list on the next, read as two things.
    for (const id of ["history-scope", "history-actor", "history-record", "history-from", "history-until"]) {
      const label = await page.locator(`label[for="${id}"]`).boundingBox();
      const control = await page.locator(`#${id}`).boundingBox();
      const middle = label!.y + label!.height / 2;
      expect(middle, `${id}: its label beside it at ${at}`).toBeGreaterThan(control!.y);
      expect(middle, `${id}: its label beside it at ${at}`).toBeLessThan(control!.y + control!.height);
      expect(label!.x, `${id}: its label before it at ${at}`).toBeLessThan(control!.x);
    }

    await goThroughMenu(page, "Security");
    await expect(page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
    await check(page, `/settings/security (patient) at ${at}`, withAxe);

    // The menu itself: Escape closes it and gives focus back to its button.
    await menuButton(page).click();
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
    await check(page, `menu open at ${at}`, withAxe);
    await page.keyboard.press("Escape");
    await expect(menuButton(page)).toHaveAttribute("aria-expanded", "false");
    await expect(menuButton(page)).toBeFocused();
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeHidden();

    // The notice centre, with the doctor's read in it (a full load: the section below loads pages afresh anyway).
    await page.goto("/notices");
    await expect(page.getByTestId("notice-row").first()).toBeVisible();
    await expect(page.getByRole("heading", { name: "Email notices" })).toBeVisible();
    await check(page, `/notices (patient) at ${at}`, withAxe);

    // A full load: the locked vault, then the recovery-key page.
    await page.goto("/history");
    await expect(page.getByRole("button", { name: "Unlock with passkey" })).toBeVisible();
    await check(page, `locked vault at ${at}`, withAxe);
    await page.goto("/unlock");
    await expect(page.getByRole("heading", { level: 1, name: "Unlock your vault" })).toBeVisible();
    await check(page, `/unlock at ${at}`, withAxe);
    await reloadUnlocked(patient, "/home");

    // The doctor's pages.
    await goThroughMenu(doctor.page, "Home");
    await expect(doctor.page.getByRole("heading", { level: 1 })).toBeVisible();
    await check(doctor.page, `/home (doctor) at ${at}`, withAxe);
    await goThroughMenu(doctor.page, "Shared with me");
    const shared = doctor.page.getByTestId("shared-patient");
    await shared.getByRole("button", { name: "Questions for the cardiologist" }).click();
    await expect(shared).toContainText("Is the dose right?");
    await check(doctor.page, `/shared with a record open at ${at}`, withAxe);
    await goThroughMenu(doctor.page, "History");
    await expect(doctor.page.getByTestId("history-row").first()).toBeVisible();
    await check(doctor.page, `/history (doctor) at ${at}`, withAxe);
    await goThroughMenu(doctor.page, "Emergency contacts");
    await expect(doctor.page.getByRole("heading", { name: "You are an emergency contact" })).toBeVisible({ timeout: 30_000 });
    await check(doctor.page, `/emergency-contacts (doctor) at ${at}`, withAxe);
    await goThroughMenu(doctor.page, "Security");
    await expect(doctor.page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
    await check(doctor.page, `/settings/security (doctor) at ${at}`, withAxe);
  }

  // Signing up on a phone: the recovery key step.
  await addVirtualAuthenticator(anonymous, { prf: true });
  await submitSignUp(anonymous, { role: "patient", name: "Pablo Phone" });
  await expect(anonymous.getByTestId("recovery-key")).toBeVisible({ timeout: 20_000 });
  await check(anonymous, "the recovery key at sign-up", true);

  // On a wide screen the header is a plain row of links, with no menu button.
  await patient.page.setViewportSize({ width: 1280, height: 800 });
  await expect(menuButton(patient.page)).toBeHidden();
  await expect(patient.page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "History" })).toBeVisible();
  await expect(patient.page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();

  await Promise.all([doctor.close(), patient.close(), visitor.close()]);
});
