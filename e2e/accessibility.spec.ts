import AxeBuilder from "@axe-core/playwright";
import { addNote, grantThroughApi, newPerson } from "./support/sharing";
import { expect, test } from "./support/test";

test("two grants from one patient appear as two regions a screen reader can tell apart", async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Lena Landmark", specialty: "Dermatology" });
  const patient = await newPerson(browser, { role: "patient", name: "Lars Landmark" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Mole check", "Left shoulder, unchanged.");
  const { records } = (await (await patient.page.request.get("/api/records")).json()) as { records: Array<{ id: string }> };
  // The same patient, under the same name, twice: once read only, once with notes allowed.
  await grantThroughApi(patient, doctor.userId, { recordIds: [records[0]!.id], expiresAt: null, revealedName: "Lars Landmark" });
  await grantThroughApi(patient, doctor.userId, { recordIds: [records[0]!.id], expiresAt: null, permission: "contribute", revealedName: "Lars Landmark" });

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient")).toHaveCount(2);
  const results = await new AxeBuilder({ page: doctor.page }).withRules(["landmark-unique"]).setLegacyMode(true).analyze();
  expect(results.violations.map((violation) => violation.id)).toEqual([]);
  // Each heading names its share, so the two read differently to everyone, not only to axe.
  const headings = await doctor.page.getByTestId("shared-patient").getByRole("heading", { level: 2 }).allTextContents();
  expect(new Set(headings).size).toBe(2);

  await Promise.all([doctor.close(), patient.close()]);
});
