import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { expectFitsViewport } from "./support/viewport";

const fixture15 = path.resolve(__dirname, "../fixtures/real-world/15-med-effective-datetime.json");

type Resource = { resourceType: string; [key: string]: unknown };

async function newPatient(page: Page, name: string) {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name });
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "My records" })).toBeVisible();
}

/** The chart's "Export all" file, decrypted in the browser: every stored resource as it is. */
async function exported(page: Page): Promise<Resource[]> {
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export all" }).click();
  const file = await (await download).path();
  const bundle = JSON.parse(readFileSync(file, "utf8")) as { entry?: Array<{ resource: Resource }> };
  return (bundle.entry ?? []).map((entry) => entry.resource);
}

for (const viewport of [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.name} width`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height }, timezoneId: "Europe/Paris", locale: "en-GB" });

    test("a year or a year and month typed into a date field is stored as that, never year 0009; a blood-pressure reading is one record", async ({ page }) => {
      await newPatient(page, `Yara Year ${viewport.name}`);

      await page.getByRole("button", { name: "Add a problem" }).click();
      await page.getByLabel("Condition", { exact: true }).fill("Hay fever");
      const since = page.getByLabel("Since (optional)");
      await since.fill("0009");
      await page.getByRole("button", { name: "Save problem" }).click();
      await expect(since).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByText(/9 is too long ago/)).toBeVisible();
      await since.fill("2019");
      await expect(page.getByText("Reads as: 2019")).toBeVisible();
      await expectFitsViewport(page, "the problem form with a year typed");
      await page.getByRole("button", { name: "Save problem" }).click();
      await page.getByTestId("group-condition").getByRole("button", { name: "Hay fever" }).click();
      await expect(page.getByTestId("record-detail")).toContainText("2019");
      await expect(page.getByTestId("record-detail")).not.toContainText("0009");
      await page.getByTestId("record-detail").getByRole("button", { name: "Close" }).click();

      await page.getByRole("button", { name: "Add a medication" }).click();
      await page.getByLabel("Medication", { exact: true }).fill("Cetirizine 10 mg");
      await page.getByLabel("Started (optional)").fill("May 2019");
      await expect(page.getByText("Reads as: May 2019")).toBeVisible();
      await page.getByRole("button", { name: "Save medication" }).click();
      await page.getByTestId("group-medication").getByRole("button", { name: "Cetirizine 10 mg" }).click();
      await expect(page.getByTestId("record-detail")).toContainText("May 2019");
      await page.getByTestId("record-detail").getByRole("button", { name: "Close" }).click();

      await page.getByRole("button", { name: "Add a result or measurement" }).click();
      await page.getByLabel("What kind").selectOption("blood-pressure");
      await expect(page.getByLabel("Value", { exact: true })).toHaveCount(0);
      await page.getByLabel("Systolic (the higher number)").fill("128");
      await page.getByLabel("Diastolic (the lower number)").fill("82");
      await page.getByLabel("Date", { exact: true }).fill("2026-03-02 08:15");
      await expect(page.getByText(/Reads as: 2 Mar 2026, 08:15/)).toBeVisible();
      await expectFitsViewport(page, "the blood-pressure form");
      await page.getByRole("button", { name: "Save result or measurement" }).click();
      await expect(page.getByTestId("group-observation").getByRole("listitem")).toHaveCount(1);

      const resources = await exported(page);
      expect(resources.find((resource) => resource.resourceType === "Condition")?.onsetDateTime).toBe("2019");
      expect(resources.find((resource) => resource.resourceType === "MedicationStatement")?.effectivePeriod).toEqual({ start: "2019-05" });
      const readings = resources.filter((resource) => resource.resourceType === "Observation");
      expect(readings).toHaveLength(1);
      expect(readings[0]).toMatchObject({
        code: { coding: [{ system: "http://loinc.org", code: "85354-9" }] },
        category: [{ coding: [{ code: "vital-signs" }] }],
        effectiveDateTime: "2026-03-02T08:15:00+01:00",
        component: [
          { code: { coding: [{ code: "8480-6" }] }, valueQuantity: { value: 128, code: "mm[Hg]", system: "http://unitsofmeasure.org" } },
          { code: { coding: [{ code: "8462-4" }] }, valueQuantity: { value: 82, code: "mm[Hg]", system: "http://unitsofmeasure.org" } },
        ],
      });
    });

    test("editing an imported record's status, or a result's value, keeps everything else exactly (fixture 15)", async ({ page }) => {
      const original = (JSON.parse(readFileSync(fixture15, "utf8")) as { entry: Array<{ resource: Resource }> }).entry.map((entry) => entry.resource);
      await newPatient(page, `Ed Edit ${viewport.name}`);
      await page.getByLabel("Bundle file (.json)").setInputFiles(fixture15);
      await page.getByRole("button", { name: "Import 2 records" }).click();
      await expect(page.getByText("Imported 2 records.")).toBeVisible({ timeout: 30_000 });

      await page
        .getByTestId("group-medication")
        .getByRole("button", { name: /metformin/i })
        .click();
      const detail = page.getByTestId("record-detail");
      await detail.getByRole("button", { name: "Edit" }).click();
      // The stored date-time is shown at the viewer's wall clock, and left alone it is kept as it was.
      await expect(page.getByLabel("Started (optional)")).toHaveValue("2020-06-15 08:00");
      await page.getByLabel("Status").selectOption("stopped");
      await expectFitsViewport(page, "editing an imported medication");
      await page.getByRole("button", { name: "Save as a new version" }).click();
      await expect(detail).toContainText("version 2");
      await detail.getByRole("button", { name: "Close" }).click();

      await page.getByTestId("group-observation").getByRole("button").first().click();
      await detail.getByRole("button", { name: "Edit" }).click();
      await expect(page.getByText(/Kept as it came: .*2021/)).toBeVisible();
      await expect(page.getByLabel("Unit", { exact: true })).toHaveValue("kg");
      await page.getByLabel("Value", { exact: true }).fill("81");
      await page.getByRole("button", { name: "Save as a new version" }).click();
      await expect(detail).toContainText("version 2");

      const resources = await exported(page);
      const statement = resources.find((resource) => resource.resourceType === "MedicationStatement")!;
      expect(statement).toEqual({ ...original[0], status: "stopped" });
      const weight = resources.find((resource) => resource.resourceType === "Observation")!;
      expect(weight).toEqual({ ...original[1], valueQuantity: { value: 81, unit: "kg", system: "http://unitsofmeasure.org", code: "kg" } });
    });
  });
}

test.describe("records no form writes", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("an imported prescription has no edit button and says why; it stays as it came", async ({ page }) => {
    const prescription = {
      resourceType: "MedicationRequest",
      id: "rx-1",
      status: "active",
      intent: "order",
      medicationCodeableConcept: { text: "Amoxicillin 500 mg capsule" },
      subject: { reference: "Patient/p1" },
      authoredOn: "2024-02-03",
    };
    await newPatient(page, "Rex Prescription");
    await page.getByLabel("Bundle file (.json)").setInputFiles({
      name: "prescription.json",
      mimeType: "application/fhir+json",
      buffer: Buffer.from(JSON.stringify({ resourceType: "Bundle", type: "collection", entry: [{ resource: prescription }] })),
    });
    await page.getByRole("button", { name: "Import 1 record" }).click();
    await expect(page.getByText("Imported 1 record.")).toBeVisible({ timeout: 30_000 });
    await page.getByTestId("group-medication").getByRole("button").first().click();
    const detail = page.getByTestId("record-detail");
    await expect(detail.getByText("Records of this type are kept exactly as they came, so they cannot be edited here; add a note instead.")).toBeVisible();
    await expect(detail.getByRole("button", { name: "Edit" })).toHaveCount(0);
    await expectFitsViewport(page, "a prescription's detail");
    const [stored] = await exported(page);
    expect(stored).toEqual(prescription);
  });
});

test("a record saved after the session ended elsewhere is refused beside the form, which keeps what was typed", async ({ page }) => {
  await newPatient(page, "Sasha Signedout");
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Condition", { exact: true }).fill("Eczema");
  // The session ends while the page stays open and unlocked (signed out in another tab, or ended by a recovery).
  await page.context().clearCookies();
  await page.getByRole("button", { name: "Save problem" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The record was not saved." })).toContainText("sign in again");
  await expect(page.getByLabel("Condition", { exact: true })).toHaveValue("Eczema");
  await expect(page.getByRole("button", { name: "Save problem" })).toBeEnabled();
});
