import { expect, type Page } from "@playwright/test";

export interface SignUpInput {
  role: "patient" | "doctor" | "nurse";
  name: string;
  specialty?: string;
  organization?: string;
  licenceNumber?: string;
}

/** Signs up through the real page and confirms the recovery key; returns the key as shown. */
export async function signUpThroughPage(page: Page, input: SignUpInput): Promise<string> {
  await page.goto("/sign-up");
  await page.getByRole("radio", { name: input.role === "patient" ? "Patient" : input.role === "doctor" ? "Doctor" : "Nurse" }).check();
  if (input.role === "patient") {
    await page.getByLabel("Your name").fill(input.name);
  } else {
    await page.getByLabel("Name as patients know you").fill(input.name);
    await page.getByLabel("Specialty").fill(input.specialty ?? "General practice");
    await page.getByLabel("Organization").fill(input.organization ?? "Riverside Clinic");
    await page.getByLabel("Licence or registration number").fill(input.licenceNumber ?? "GMC-1234567");
  }
  await page.getByRole("button", { name: "Create account with a passkey" }).click();
  const shown = page.getByTestId("recovery-key");
  await expect(shown).toBeVisible({ timeout: 20_000 });
  const recoveryKey = (await shown.textContent())!.trim();
  const label = await page.getByLabel(/type group \d+ of the key/).evaluate((input) => (input as HTMLInputElement).labels?.[0]?.textContent ?? "");
  const groupNumber = Number(/group (\d+)/.exec(label)![1]);
  await page.getByLabel(/type group \d+ of the key/).fill(recoveryKey.split("-")[groupNumber - 1]!);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await expect(page).toHaveURL(/\/home$/);
  return recoveryKey;
}

/**
 * Signs in on the sign-in page. The page also offers passkeys through autofill
 * (conditional mediation), which a virtual authenticator may answer by itself; the
 * button is pressed only if that has not already signed in.
 */
export async function signInThroughPage(page: Page): Promise<void> {
  await page.goto("/sign-in");
  const signedIn = await page
    .waitForURL(/\/(home|unlock)$/, { timeout: 2_000 })
    .then(() => true)
    .catch(() => false);
  if (!signedIn) await page.getByRole("button", { name: "Sign in with a passkey" }).click();
}

export async function signOutThroughPage(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
}
