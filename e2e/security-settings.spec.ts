import { expect, test } from "./support/test";
import { fillRecoveryKeyCheck, signInThroughPage, signOutThroughPage, signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { trailActions } from "./support/audit";

test("add a second passkey, sign in with it, and remove the first", async ({ page }) => {
  await page.goto("/");
  const first = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Sam Two-Keys" });
  const firstCredentials = await first.credentials();

  // The first device goes away; a second authenticator takes its place for the new passkey.
  await first.remove();
  const second = await addVirtualAuthenticator(page, { prf: true });
  // In-app navigation keeps the unlocked vault (a full reload would lock it).
  await page.getByRole("link", { name: "Security settings" }).click();
  await expect(page.getByTestId("safety-code")).toHaveText(/^\d{5}( \d{5}){11}$/);
  await expect(page.getByTestId("passkey-row")).toHaveCount(1);
  await expect(page.getByRole("button", { name: /^Remove / })).toBeDisabled();
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-row")).toHaveCount(2);
  expect(await second.credentials()).toHaveLength(1);

  await page.goto("/home");
  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Sam Two-Keys" })).toBeVisible();

  await page.getByRole("link", { name: "Security settings" }).click();
  const rows = page.getByTestId("passkey-row");
  await expect(rows).toHaveCount(2);
  await rows
    .first()
    .getByRole("button", { name: /^Rename / })
    .click();
  await page.getByLabel("New name").fill("Old laptop");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Old laptop", { exact: true })).toBeVisible();
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Remove Old laptop" }).click();
  await expect(rows).toHaveCount(1);
  expect(await trailActions(page)).toEqual(expect.arrayContaining(["sign-in", "passkey-added", "passkey-renamed", "passkey-removed"]));

  // The removed passkey no longer signs in anywhere.
  await signOutViaHome(page);
  await second.remove();
  const restored = await addVirtualAuthenticator(page, { prf: true });
  await restored.addCredentials(firstCredentials);
  await signInThroughPage(page);
  await expect(page.getByRole("alert").filter({ hasText: "could not sign you in" })).toBeVisible();
});

async function signOutViaHome(page: import("@playwright/test").Page) {
  await page.goto("/home");
  await signOutThroughPage(page);
}

test("sign out everywhere else ends the other browser's session", async ({ page, browser }) => {
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "nurse", name: "Nia Nurse" });

  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await other.goto("/");
  const otherAuthenticator = await addVirtualAuthenticator(other, { prf: true });
  await otherAuthenticator.addCredentials(await authenticator.credentials());
  await signInThroughPage(other);
  // Signed in there (its vault waits for the recovery key; the session is what matters here).
  await expect(other).toHaveURL(/\/(home|unlock)$/);
  expect((await other.request.get("/api/me/vault")).status()).toBe(200);

  await page.getByRole("link", { name: "Security settings" }).click();
  await expect(page.getByTestId("session-row")).toHaveCount(2);
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page.getByText("Signed out 1 other session.")).toBeVisible();
  await expect(page.getByTestId("session-row")).toHaveCount(1);
  expect((await other.request.get("/api/me/vault")).status()).toBe(401);
  await otherContext.close();
});

test("a new recovery key replaces the old one", async ({ page, browser }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const oldKey = await signUpThroughPage(page, { role: "patient", name: "Ravi Rotates" });
  await page.getByRole("link", { name: "Security settings" }).click();
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Make a new recovery key" }).click();
  const newKey = await fillRecoveryKeyCheck(page);
  expect(newKey).not.toBe(oldKey);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await expect(page.getByText("Your new recovery key is active.")).toBeVisible();
  expect(await trailActions(page)).toContain("recovery-key-changed");

  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto("/recover");
  await addVirtualAuthenticator(fresh, { prf: true });
  await fresh.getByLabel("Recovery key").fill(oldKey);
  await fresh.getByRole("button", { name: "Recover my account" }).click();
  await expect(fresh.getByText("does not match an account")).toBeVisible();
  await fresh.getByLabel("Recovery key").fill(newKey);
  await fresh.getByRole("button", { name: "Recover my account" }).click();
  await fresh.getByRole("button", { name: /^Keep “/ }).click();
  await expect(fresh.getByRole("heading", { name: "Welcome, Ravi Rotates" })).toBeVisible();
  await context.close();
});
