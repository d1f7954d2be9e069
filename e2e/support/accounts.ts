import { randomInt } from "node:crypto";
import { expect, type Page } from "@playwright/test";

export interface SignUpInput {
  role: "patient" | "doctor" | "nurse" | "admin";
  name: string;
  specialty?: string;
  organization?: string;
  licenceNumber?: string;
  /** For an administrator: the token the page is given (the server's ADMIN_ENROLMENT_TOKEN, or a wrong one). */
  enrolmentToken?: string;
}

const roleLabel = { patient: "Patient", doctor: "Doctor", nurse: "Nurse", admin: "Administrator" } as const;

/** Fills and submits the sign-up form (an administrator's at /sign-up?enrol=admin). */
export async function submitSignUp(page: Page, input: SignUpInput): Promise<void> {
  await page.goto(input.role === "admin" ? "/sign-up?enrol=admin" : "/sign-up");
  await page.getByRole("radio", { name: roleLabel[input.role] }).check();
  if (input.role === "patient" || input.role === "admin") {
    await page.getByLabel("Your name").fill(input.name);
    if (input.role === "admin") await page.getByLabel("Administrator enrolment token").fill(input.enrolmentToken ?? "");
  } else {
    await page.getByLabel("Name as patients know you").fill(input.name);
    await page.getByLabel("Specialty").fill(input.specialty ?? "General practice");
    await page.getByLabel("Organization").fill(input.organization ?? "Riverside Clinic");
    // Each clinician a number of their own, as on a real register (an administrator is warned when one number is verified twice).
    await page.getByLabel("Licence or registration number").fill(input.licenceNumber ?? `GMC-${randomInt(1_000_000, 10_000_000)}`);
  }
  await page.getByRole("button", { name: "Create account with a passkey" }).click();
}

/** Signs up through the real page and confirms the recovery key; returns the key as shown. */
export async function signUpThroughPage(page: Page, input: SignUpInput): Promise<string> {
  await submitSignUp(page, input);
  const recoveryKey = await fillRecoveryKeyCheck(page, 20_000);
  await page.getByRole("button", { name: /I have saved it/ }).click();
  await expect(page).toHaveURL(/\/home$/);
  return recoveryKey;
}

/**
 * Signs in on the sign-in page. The page also offers passkeys through autofill
 * (conditional mediation), which a virtual authenticator may answer by itself; the
 * button is pressed only if that has not already signed in.
 */
/**
 * Reads the recovery key the page shows (waiting up to `timeoutMs` for it) and types back the
 * group the page asks for, as a person who saved it would; returns the key. The caller confirms.
 */
export async function fillRecoveryKeyCheck(page: Page, timeoutMs = 5_000): Promise<string> {
  const shown = page.getByTestId("recovery-key");
  await expect(shown).toBeVisible({ timeout: timeoutMs });
  const recoveryKey = (await shown.textContent())!.trim();
  const check = page.getByLabel(/type group \d+ of the key/);
  const label = await check.evaluate((input) => (input as HTMLInputElement).labels?.[0]?.textContent ?? "");
  await check.fill(recoveryKey.split("-")[Number(/group (\d+)/.exec(label)![1]) - 1]!);
  return recoveryKey;
}

export async function signInThroughPage(page: Page): Promise<void> {
  await page.goto("/sign-in");
  await signInOnSignInPage(page);
}

/**
 * On the sign-in page: signs in with the button, unless the passkey autofill (conditional
 * mediation) signs in first, which it may do at any moment, on a busy machine seconds after the
 * page loaded. A click that waited for the button after the autofill had taken the page away
 * waited for ever; so the click is tried a second at a time, and the page's address checked in
 * between. Resolves once signed in by either or once the button was clicked (the caller waits
 * for where that leads).
 */
export async function signInOnSignInPage(page: Page, timeoutMs = 60_000): Promise<void> {
  const signedIn = () => /\/(home|unlock)$/.test(new URL(page.url()).pathname);
  const button = page.getByRole("button", { name: "Sign in with a passkey" });
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (signedIn()) return;
    if (
      await button.click({ timeout: 1_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new Error(`neither signed in nor able to press "Sign in with a passkey" within ${timeoutMs / 1000} s, at ${page.url()}`);
}

/**
 * On a page whose vault is locked (after a reload or a full page load): presses "Unlock with
 * passkey" and waits, up to `timeoutMs`, until the vault is open. The unlock (a passkey
 * assertion, the vault fetched and opened, the page's own data fetched) can take longer than an
 * assertion's default wait on a busy machine, and a click made meanwhile can be undone by the
 * page's re-render. Only for unlocks that must succeed: a refused one keeps the heading, and fails.
 */
export async function unlockVault(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(page.getByRole("heading", { name: "Your vault is locked" })).toHaveCount(0, { timeout: timeoutMs });
  await expect(page.getByText("Unlocking your vault…")).toHaveCount(0, { timeout: timeoutMs });
}

export async function signOutThroughPage(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
}
