import { watchApiCalls as watch } from "./support/api-routes";
import type { Page } from "@playwright/test";
import { apiClientHeader } from "@/contract/api-client-header";
import { expect, test } from "./support/test";
import { fillRecoveryKeyCheck, signUpThroughPage } from "./support/accounts";
import { AppServer } from "./support/app-server";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { e2ePorts } from "./support/ports";

/**
 * Fresh proof for sensitive actions (lib/auth/fresh-proof.ts): removing a passkey and making a
 * new recovery key need a passkey assertion with user verification made within
 * FRESH_PROOF_MINUTES. This server's window is 3 seconds, so a test waits it out instead of
 * waiting five minutes; the server decides, the page asks for the tap.
 */

test.describe.configure({ mode: "serial", timeout: 180_000 });

const port = e2ePorts.freshProof;
const server = new AppServer(port, ".e2e-data-fresh-proof");
const windowMs = 3_000;
test.use({ baseURL: server.url });

test.beforeAll(async () => {
  expect(await server.start({ FRESH_PROOF_MINUTES: String(windowMs / 60_000) })).toEqual({ state: "ready" });
});
test.afterAll(async () => {
  await server.stop();
});

/** Lets the sign-up's own proof go stale. Not a timing assertion: the server's window is the point. */
const outlastWindow = (page: Page) => page.waitForTimeout(windowMs + 1_000);

async function patientWithTwoPasskeys(page: Page, name: string) {
  await page.goto("/");
  const first = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name });
  // An authenticator holds one passkey per account: the second comes from another device,
  // which gives the proof when the first (oldest, listed first) is removed.
  await first.remove();
  const second = await addVirtualAuthenticator(page, { prf: true });
  await page.getByRole("link", { name: "Security settings" }).click();
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-row")).toHaveCount(2);
  return second;
}

test("removing a passkey after the window asks for a passkey tap, then removes it", async ({ page }) => {
  await patientWithTwoPasskeys(page, "Fola Fresh");
  await outlastWindow(page);
  const seen = watch(page, /^\/api\/me\/(passkeys\/|fresh-proof)/);
  page.once("dialog", (dialog) => dialog.accept());
  await page
    .getByTestId("passkey-row")
    .first()
    .getByRole("button", { name: /^Remove / })
    .click();
  await expect(page.getByTestId("passkey-row")).toHaveCount(1);
  expect(seen).toEqual([
    expect.stringMatching(/^DELETE \/api\/me\/passkeys\/.+ 403$/),
    "POST /api/me/fresh-proof/options 200",
    "POST /api/me/fresh-proof 200",
    expect.stringMatching(/^DELETE \/api\/me\/passkeys\/.+ 204$/),
  ]);
});

test("without user verification nothing is removed, and a script with the session alone is refused", async ({ page }) => {
  const authenticator = await patientWithTwoPasskeys(page, "Nour Nope");
  await outlastWindow(page);
  await authenticator.setUserVerified(false);
  page.once("dialog", (dialog) => dialog.accept());
  const row = page.getByTestId("passkey-row").first();
  await row.getByRole("button", { name: /^Remove / }).click();
  await expect(row.getByRole("alert")).toContainText("did not confirm it is you");
  await expect(page.getByTestId("passkey-row")).toHaveCount(2);

  // Whoever holds the session cookie, without a passkey, gets the same refusal.
  const { passkeys } = (await (await page.request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ id: string }> };
  const response = await page.request.delete(`/api/me/passkeys/${encodeURIComponent(passkeys[0]!.id)}`, {
    headers: { origin: server.origin, [apiClientHeader.name]: apiClientHeader.value },
  });
  expect(response.status()).toBe(403);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("fresh-proof-required");
  expect(((await (await page.request.get("/api/me/passkeys")).json()) as { passkeys: unknown[] }).passkeys).toHaveLength(2);
});

test("a new recovery key: a refused tap keeps the new key on screen, and the next tap saves it", async ({ page }) => {
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Rhea Recovers" });
  await page.getByRole("link", { name: "Security settings" }).click();
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Make a new recovery key" }).click();
  const newKey = await fillRecoveryKeyCheck(page);
  const shown = page.getByTestId("recovery-key");
  await outlastWindow(page);

  // The person is away from their passkey: this device holds none of the account's.
  const saved = await authenticator.credentials();
  await authenticator.remove();
  const elsewhere = await addVirtualAuthenticator(page, { prf: true });
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "did not confirm it is you" })).toBeVisible();
  await expect(shown).toHaveText(newKey);

  // Back with it: one tap saves the key still on screen.
  await elsewhere.addCredentials(saved);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await expect(page.getByText("Your new recovery key is active.")).toBeVisible();
});

test("deleting the account: a refused tap deletes nothing and blames the tap, not the phrase typed", async ({ page }) => {
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Dora Deletes" });
  await page.getByRole("link", { name: "Security settings" }).click();
  await outlastWindow(page);
  await authenticator.setUserVerified(false);
  const phrase = page.getByLabel(/^To confirm, type/);
  await phrase.fill("delete my account");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByTestId("leave-failure")).toContainText("did not confirm it is you");
  await expect(phrase).not.toHaveAttribute("aria-invalid", "true");
  await expect(phrase).toHaveValue("delete my account");
  expect((await page.request.get("/api/me/vault")).status()).toBe(200);
});
