import { expect, test } from "./support/test";
import { adminEnrolmentToken } from "../playwright.config";
import { signInThroughPage, signOutThroughPage, signUpThroughPage, submitSignUp } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { trailActions } from "./support/audit";

test("a patient signs up with a PRF passkey, signs out, and signs back in to an unlocked vault", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const recoveryKey = await signUpThroughPage(page, { role: "patient", name: "Ada Patient" });
  expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){13}[0-9A-Z]{4}$/);
  await expect(page.getByRole("heading", { name: "Welcome, Ada Patient" })).toBeVisible();

  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page).toHaveURL(/\/home$/);
  // The name comes out of the decrypted vault: no prompt was needed to unlock it.
  await expect(page.getByRole("heading", { name: "Welcome, Ada Patient" })).toBeVisible();
  await expect(page.getByTestId("vault-status")).toContainText("unlocked");
});

test("a doctor signs up with a directory entry and signs back in", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "doctor", name: "Dr Grace Hopper", specialty: "Cardiology" });
  await expect(page.getByText("Signed in as a doctor")).toBeVisible();
  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Dr Grace Hopper" })).toBeVisible();
});

test("an administrator enrols only with the operator's token, and their home says what the account can do", async ({ page }) => {
  await page.goto("/sign-up");
  await expect(page.getByRole("radio", { name: "Administrator" })).toHaveCount(0);
  const authenticator = await addVirtualAuthenticator(page, { prf: true });

  await submitSignUp(page, { role: "admin", name: "Mallory Maybe", enrolmentToken: "a-guess-that-is-long-enough-to-be-taken-seriously" });
  const token = page.getByLabel("Administrator enrolment token");
  await expect(page.getByRole("alert").filter({ hasText: "only with this deployment's enrolment token" })).toBeVisible();
  await expect(token).toHaveAttribute("aria-invalid", "true");
  // Refused before the passkey prompt: nothing was made, nobody is signed in.
  expect(await authenticator.credentials()).toEqual([]);
  expect((await page.request.get("/api/me/vault")).status()).toBe(401);

  await signUpThroughPage(page, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken });
  await expect(page.getByText("Signed in as an administrator")).toBeVisible();
  await expect(page.getByTestId("admin-today")).toContainText("never see anyone's records");
  const nav = page.getByRole("navigation", { name: "Account" });
  for (const link of ["My records", "Sharing", "Shared with me", "History"]) await expect(nav.getByRole("link", { name: link })).toHaveCount(0);
  expect(((await (await page.request.get("/api/me/vault")).json()) as { role: string }).role).toBe("admin");
});

test("without PRF the device key unlocks here, and a new browser needs the recovery key once", async ({ page, browser }) => {
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: false });
  const recoveryKey = await signUpThroughPage(page, { role: "patient", name: "Noor No-PRF" });
  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Noor No-PRF" })).toBeVisible();

  // The same passkey on a fresh browser profile: signed in, but nothing here can unlock the vault.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await other.goto("/");
  const otherAuthenticator = await addVirtualAuthenticator(other, { prf: false });
  await otherAuthenticator.addCredentials(await authenticator.credentials());
  await signInThroughPage(other);
  await expect(other).toHaveURL(/\/unlock$/);
  await other.getByLabel("Recovery key").fill(recoveryKey.toLowerCase().replaceAll("-", " "));
  await other.getByRole("button", { name: "Unlock" }).click();
  await expect(other.getByRole("heading", { name: "Welcome, Noor No-PRF" })).toBeVisible();

  // This browser now remembers the device: the next sign-in unlocks by itself.
  await signOutThroughPage(other);
  await signInThroughPage(other);
  await expect(other.getByRole("heading", { name: "Welcome, Noor No-PRF" })).toBeVisible();
  await otherContext.close();
});

test("someone who lost every passkey recovers with the recovery key, and every other session ends", async ({ page, browser }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const recoveryKey = await signUpThroughPage(page, { role: "patient", name: "Rosa Recovered" });
  expect((await page.request.get("/api/me/vault")).status()).toBe(200);

  // A new device with no passkey at all.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto("/");
  const newAuthenticator = await addVirtualAuthenticator(fresh, { prf: true });
  await fresh.goto("/sign-in");
  await fresh.getByRole("link", { name: /Recover your account/ }).click();
  await fresh.getByLabel("Recovery key").fill(recoveryKey);
  await fresh.getByRole("button", { name: "Recover my account" }).click();
  await fresh.getByRole("button", { name: /^Keep “/ }).click();
  await expect(fresh).toHaveURL(/\/home$/);
  await expect(fresh.getByRole("heading", { name: "Welcome, Rosa Recovered" })).toBeVisible();
  expect(await newAuthenticator.credentials()).toHaveLength(1);
  expect(await trailActions(fresh)).toContain("account-recovered");

  // The session on the first device is over.
  expect((await page.request.get("/api/me/vault")).status()).toBe(401);

  // The new passkey signs in and unlocks by itself.
  await signOutThroughPage(fresh);
  await signInThroughPage(fresh);
  await expect(fresh.getByRole("heading", { name: "Welcome, Rosa Recovered" })).toBeVisible();
  await context.close();
});

test("a mistyped recovery key is caught before anything is sent", async ({ page }) => {
  await page.goto("/recover");
  const sent: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/")) sent.push(request.url());
  });
  await page.getByLabel("Recovery key").fill("8SJR-98Y2-W401-YFJX-FJDV-NPFR-2WV5-AX4K-PB8Z-03SE-9NP8-QAP9-X03W-ZG7H");
  await page.getByRole("button", { name: "Recover my account" }).click();
  await expect(page.getByText(/has a typo/)).toBeVisible();
  expect(sent).toEqual([]);
});
