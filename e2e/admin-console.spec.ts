import { watchApiCalls as watch } from "./support/api-routes";
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { apiClientHeader } from "@/contract/api-client-header";
import { checkA11y, expect, test } from "./support/test";
import { signInThroughPage } from "./support/accounts";
import { AppServer } from "./support/app-server";
import { addNote, chooseClinician, newPerson } from "./support/sharing";
import { expectFitsViewport } from "./support/viewport";
import { e2ePorts } from "./support/ports";

/**
 * The administration console (/admin, lib/admin): an administrator sees the deployment's
 * counts, disables a clinician (with a passkey tap: this server's fresh-proof window is 3
 * seconds), the clinician is signed out and refused, the patient sees the clinician as
 * disabled; enabling again works; the administration trail shows both, checks out in the
 * browser and exports as FHIR AuditEvents. Checked at 390 px too.
 */

test.describe.configure({ mode: "serial", timeout: 240_000 });

const port = e2ePorts.adminConsole;
const server = new AppServer(port, ".e2e-data-admin-console");
const windowMs = 3_000;
const enrolmentToken = "admin-console-e2e-enrolment-token-0123456789abcdef";
test.use({ baseURL: server.url });

test.beforeAll(async () => {
  expect(
    await server.start({
      FRESH_PROOF_MINUTES: String(windowMs / 60_000),
      ADMIN_ENROLMENT_TOKEN: enrolmentToken,
      AUTH_RATE_LIMIT_PER_ADDRESS: "100000",
      SIGN_UP_LIMIT_PER_ADDRESS: "100000",
    }),
  ).toEqual({ state: "ready" });
});
test.afterAll(async () => {
  await server.stop();
});

/** Lets the administrator's sign-up proof go stale, so the next action asks for a tap. */
const outlastWindow = (page: Page) => page.waitForTimeout(windowMs + 1_000);

/** Loads the page again, as a later visit does, and unlocks the vault (keys live only in memory) with the passkey. */
async function reloadUnlocked(page: Page) {
  await page.reload();
  await page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(page.getByRole("button", { name: "Unlock with passkey" })).toHaveCount(0);
}

test("an administrator disables a clinician, who is refused at once, and enables them again; the trail shows both", async ({ browser }, testInfo) => {
  const baseURL = server.url;
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Dana Dormant", specialty: "Dermatology", organization: "Hillside Clinic" }, { baseURL });
  const patient = await newPerson(browser, { role: "patient", name: "Paz Patient" }, { baseURL });

  // The patient shares a note with the doctor, who can read the list.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Rash diary", "Worse after sun.");
  await chooseClinician(patient.page, "Dermatology", "Dr Dana Dormant");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("I compared this code with Dr Dana Dormant", { exact: false }).check();
  await form.getByLabel("Rash diary", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Dana Dormant.")).toBeVisible();
  const { grants } = (await (await doctor.page.request.get("/api/shared")).json()) as { grants: unknown[] };
  expect(grants).toHaveLength(1);

  // The administrator: counts of the deployment, no record, no patient's name.
  const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken }, { baseURL });
  const page = admin.page;
  await page.getByRole("link", { name: "Administration" }).first().click();
  await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
  await expect(page.getByTestId("count-patient")).toHaveText("1");
  await expect(page.getByTestId("count-doctor")).toHaveText("1");
  await expect(page.getByTestId("count-admin")).toHaveText("1");
  await expect(page.getByTestId("count-records")).toHaveText("1");
  await expect(page.getByTestId("count-grants")).toHaveText("1");
  await expect(page.getByTestId("count-disabled")).toHaveText("0");
  await expect(page.getByTestId("health")).toContainText("up to date");
  // The administrator's own enrolment is already on the record.
  await expect(page.getByTestId("admin-trail-verified")).toHaveText("The one event checks out.");
  await expect(page.locator("main")).not.toContainText("Paz Patient");
  await expect(page.locator("main")).not.toContainText("Rash diary");
  await checkA11y(page, "administration console");

  // Disabling, after the sign-up's proof went stale: the server asks, the page gets the tap, then it is done.
  await outlastWindow(page);
  const seen = watch(page, /^\/api\/(admin\/accounts\/|me\/fresh-proof)/);
  await page.getByLabel("Clinician's name or account id").fill("Dana");
  await page.getByRole("button", { name: "Find accounts" }).click();
  await expect(page.getByTestId("admin-account-row")).toHaveCount(1);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Disable Dr Dana Dormant" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Dr Dana Dormant is disabled." })).toBeVisible();
  expect(seen).toEqual([
    expect.stringMatching(/^POST \/api\/admin\/accounts\/.+\/disable 403$/),
    "POST /api/me/fresh-proof/options 200",
    "POST /api/me/fresh-proof 200",
    expect.stringMatching(/^POST \/api\/admin\/accounts\/.+\/disable 204$/),
  ]);
  await expect(page.getByTestId("count-disabled")).toHaveText("1");

  // The clinician is signed out at once, and cannot sign in again.
  expect((await doctor.page.request.get("/api/shared")).status()).toBe(401);
  await doctor.page.goto("/sign-in");
  const signInButton = doctor.page.getByRole("button", { name: "Sign in with a passkey" });
  const refusal = doctor.page.getByRole("alert").filter({ hasText: "disabled by an administrator" });
  await expect(signInButton.or(refusal).first()).toBeVisible();
  if (!(await refusal.isVisible())) await signInButton.click();
  await expect(refusal).toBeVisible();
  expect((await doctor.page.request.get("/api/shared")).status()).toBe(401);

  // The patient sees it where the share is listed, next time the page loads.
  await reloadUnlocked(patient.page);
  await expect(patient.page.getByTestId("grant-row").getByTestId("clinician-disabled")).toContainText("disabled by an administrator");

  // A script holding the administrator's session but no fresh tap is refused.
  await outlastWindow(page);
  const doctorId = doctor.userId;
  const bare = await page.request.post(`/api/admin/accounts/${doctorId}/enable`, {
    headers: { origin: server.origin, [apiClientHeader.name]: apiClientHeader.value },
  });
  expect(bare.status()).toBe(403);
  expect(((await bare.json()) as { error: { code: string } }).error.code).toBe("fresh-proof-required");

  // Enabling again, through the page (with a tap): the clinician signs in and reads the share again.
  await page.getByRole("button", { name: "Enable Dr Dana Dormant" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Dr Dana Dormant is enabled again." })).toBeVisible();
  await signInThroughPage(doctor.page);
  await expect(doctor.page).toHaveURL(/\/(home|unlock)$/);
  expect((await doctor.page.request.get("/api/shared")).status()).toBe(200);
  await reloadUnlocked(patient.page);
  await expect(patient.page.getByTestId("grant-row")).toHaveCount(1);
  await expect(patient.page.getByTestId("clinician-disabled")).toHaveCount(0);

  // The trail: both actions, newest first, checked in the browser; exported as FHIR AuditEvents.
  // The administrator's own enrolment is the first event.
  await expect(page.getByTestId("admin-trail-verified")).toHaveText("All 3 events check out.");
  // Administrators have no directory entry: the server knows no name for them, so the trail names them by the start of their id.
  const adminShown = `Administrator ${admin.userId.slice(0, 8)}`;
  await expect(page.getByTestId("admin-trail-event")).toHaveText([
    new RegExp(`${adminShown} enabled again Dr Dana Dormant`),
    new RegExp(`${adminShown} disabled Dr Dana Dormant`),
    new RegExp(`^${adminShown} enrolled as an administrator(?! An account)`),
  ]);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export as FHIR AuditEvents" }).click();
  const saved = testInfo.outputPath("administration-trail.json");
  await (await download).saveAs(saved);
  const bundle = JSON.parse(readFileSync(saved, "utf8")) as fhir4.Bundle<fhir4.AuditEvent>;
  expect(bundle.resourceType).toBe("Bundle");
  const events = (bundle.entry ?? []).map((entry) => entry.resource!);
  expect(events.map((event) => [event.resourceType, event.subtype?.[0]?.code, event.type.code, event.outcome])).toEqual([
    ["AuditEvent", "administrator-enrolled", "110137", "0"],
    ["AuditEvent", "account-disabled", "110137", "0"],
    ["AuditEvent", "account-enabled", "110137", "0"],
  ]);
  expect(events.slice(1).every((event) => event.entity?.[0]?.what?.identifier?.value === doctorId)).toBe(true);
  expect(events[0]!.entity?.[0]?.what?.identifier?.value).toBe(admin.userId);
  expect(events.every((event) => event.agent[0]?.who?.identifier?.value === admin.userId)).toBe(true);

  // A patient, or the clinician, gets no console.
  await patient.page.goto("/admin");
  await expect(patient.page.getByText("Only administrators use the administration console.")).toBeVisible();
  expect((await patient.page.request.get("/api/admin/overview")).status()).toBe(403);

  // At phone size: fits, and passes axe.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("admin-trail-verified")).toHaveText("All 3 events check out.");
  await expectFitsViewport(page, "administration console at 390 px");
  await checkA11y(page, "administration console (phone)");

  await Promise.all([doctor, patient, admin].map((person) => person.close()));
});
