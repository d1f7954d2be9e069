import { expect, test, type Page } from "@playwright/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

async function addNote(page: Page, title: string, text: string) {
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Note", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Save note" }).click();
  await expect(page.getByTestId("group-note").getByRole("button", { name: title })).toBeVisible();
}

test("a patient shares one record read-only with a doctor, the doctor opens it, and revoking cuts the doctor off", async ({ browser }) => {
  const doctorContext = await browser.newContext();
  const doctor = await doctorContext.newPage();
  await doctor.goto("/");
  await addVirtualAuthenticator(doctor, { prf: true });
  await signUpThroughPage(doctor, { role: "doctor", name: "Dr Sharon Share", specialty: "Neurology", organization: "Lakeside Clinic" });

  const patientContext = await browser.newContext();
  const patient = await patientContext.newPage();
  await patient.goto("/");
  await addVirtualAuthenticator(patient, { prf: true });
  await signUpThroughPage(patient, { role: "patient", name: "Pia Patient" });
  await patient.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient, "Shared migraine diary", "Aura before each episode.");
  await addNote(patient, "Private note", "Not for the neurologist.");

  await patient.getByRole("link", { name: "Sharing" }).click();
  await patient.getByLabel("Name, specialty or organization").fill("Neurology");
  await patient.getByRole("button", { name: "Search" }).click();
  await patient.getByRole("button", { name: "Choose Dr Sharon Share" }).click();
  await expect(patient.getByTestId("clinician-safety-code")).toHaveText(/^\d{5}( \d{5}){11}$/);
  await patient.getByTestId("share-form").getByLabel("Shared migraine diary").check();
  await patient.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.getByText("Shared with Dr Sharon Share.")).toBeVisible();
  await expect(patient.getByTestId("grant-row")).toContainText("1 record · read only · active");

  await doctor.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.getByTestId("shared-patient");
  await expect(shared.getByRole("button", { name: "Shared migraine diary" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Private note" })).toHaveCount(0);
  await shared.getByRole("button", { name: "Shared migraine diary" }).click();
  await expect(shared).toContainText("Read only");

  const before = await doctor.request.get("/api/shared");
  const grantId = ((await before.json()) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;
  expect((await doctor.request.get(`/api/shared/${grantId}/records`)).status()).toBe(200);

  patient.once("dialog", (dialog) => dialog.accept());
  await patient.getByRole("button", { name: "Revoke Dr Sharon Share" }).click();
  await expect(patient.getByTestId("grant-row")).toContainText("revoked");

  const refused = await doctor.request.get(`/api/shared/${grantId}/records`);
  expect(refused.status()).toBe(404);
  expect((await refused.json()).error.code).toBe("not-found");
  await doctor.reload();
  await doctor.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(doctor.getByText("No patient is sharing records with you right now.")).toBeVisible();

  // Someone else entirely gets nothing from the sharing endpoints.
  expect((await patient.request.get("/api/shared")).status()).toBe(403);
  expect((await doctor.request.get("/api/grants")).status()).toBe(403);
  await Promise.all([doctorContext.close(), patientContext.close()]);
});
