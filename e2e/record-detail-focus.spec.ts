import { writeFileSync } from "node:fs";
import { expect, test, type Locator, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { chooseClinician, newPerson } from "./support/sharing";

/** A collection Bundle of `count` problems, "Problem 01" the oldest, so it is listed last. */
function problemsBundle(count: number) {
  return {
    resourceType: "Bundle",
    type: "collection",
    entry: Array.from({ length: count }, (_, index) => {
      const number = String(index + 1).padStart(2, "0");
      return {
        fullUrl: `urn:uuid:00000000-0000-4000-8000-0000000000${number}`,
        resource: {
          resourceType: "Condition",
          id: `problem-${number}`,
          clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }] },
          code: { text: `Problem ${number}` },
          onsetDateTime: `20${number}-01-15`,
        },
      };
    }),
  };
}

async function importBundle(page: Page, path: string, count: number) {
  await page.getByLabel("Bundle file (.json)").setInputFiles(path);
  await page.getByRole("button", { name: `Import ${count} records` }).click();
  await expect(page.getByText(`Imported ${count} records.`)).toBeVisible({ timeout: 30_000 });
}

const scrollY = (page: Page) => page.evaluate(() => window.scrollY);
const focusInside = (panel: Locator) => panel.evaluate((element) => element.contains(document.activeElement));

test("a record low in a long list opens under its row with focus in it; closing gives focus back where the person was", async ({ page }, testInfo) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Lena Longlist" });
  await page.getByRole("link", { name: "My records" }).first().click();
  const bundlePath = testInfo.outputPath("problems.json");
  writeFileSync(bundlePath, JSON.stringify(problemsBundle(30)));
  await importBundle(page, bundlePath, 30);
  await expect(page.getByTestId("group-condition").getByRole("listitem")).toHaveCount(30);

  for (const title of ["Problem 01", "Problem 15"]) {
    const opener = page.getByTestId("group-condition").getByRole("button", { name: title, exact: true });
    await opener.evaluate((element) => element.scrollIntoView({ block: "center" }));
    const before = await scrollY(page);
    expect(before).toBeGreaterThan(500);
    await opener.click();

    const detail = page.getByTestId("record-detail");
    const heading = detail.getByRole("heading", { name: title });
    await expect(heading).toBeFocused();
    await expect(heading).toBeInViewport();
    expect(await focusInside(detail)).toBe(true);
    await expect(opener).toHaveAttribute("aria-expanded", "true");

    await detail.getByRole("button", { name: "Close" }).click();
    await expect(detail).toHaveCount(0);
    await expect(opener).toBeFocused();
    await expect(opener).toHaveAttribute("aria-expanded", "false");
    expect(Math.abs((await scrollY(page)) - before)).toBeLessThanOrEqual(1);
  }

  // Deleting the open record moves focus to the record that takes its place.
  await page.getByTestId("group-condition").getByRole("button", { name: "Problem 02", exact: true }).click();
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByTestId("record-detail").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("group-condition").getByRole("button", { name: "Problem 01", exact: true })).toBeFocused();
  await expect(page.getByTestId("chart-status")).toHaveText("Deleted “Problem 02”.");
});

test("every panel in the chart takes focus when it opens and gives it back to its opener when it closes", async ({ page }, testInfo) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Pia Panels" });
  await page.getByRole("link", { name: "My records" }).first().click();

  /** Opens a panel with `open`, checks focus is on its heading, closes it with `close`, checks focus is back on `open`. */
  async function roundTrip(open: Locator, heading: Locator, close: Locator) {
    await open.click();
    await expect(heading).toBeFocused();
    await expect(heading).toBeInViewport();
    await close.click();
    await expect(heading).toHaveCount(0);
    await expect(open).toBeFocused();
  }

  // The add forms.
  for (const [button, title] of [
    ["Add a note", "New note"],
    ["Add a problem", "New problem"],
    ["Add an immunization", "New immunization"],
  ]) {
    await roundTrip(page.getByRole("button", { name: button }), page.getByRole("heading", { name: title }), page.getByRole("button", { name: "Cancel" }));
  }
  // Saving closes the form and gives focus back too.
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Condition", { exact: true }).fill("Hay fever");
  await page.getByRole("button", { name: "Save problem" }).click();
  await expect(page.getByRole("heading", { name: "New problem" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add a problem" })).toBeFocused();

  // Inside a record: editing, the versions, one version.
  const row = page.getByTestId("group-condition").getByRole("button", { name: "Hay fever", exact: true });
  await row.click();
  const detail = page.getByTestId("record-detail");
  await expect(detail.getByRole("heading", { name: "Hay fever" })).toBeFocused();
  await roundTrip(
    detail.getByRole("button", { name: "Edit" }),
    detail.getByRole("heading", { name: "Edit problem" }),
    detail.getByRole("button", { name: "Cancel" }),
  );
  await detail.getByRole("button", { name: "Show all versions" }).click();
  await expect(detail.getByRole("heading", { name: "1 version" })).toBeFocused();
  await roundTrip(
    detail.getByRole("button", { name: "View version 1" }),
    detail.getByRole("heading", { name: /^Version 1 of 1, saved .+, by you$/ }),
    detail.getByRole("button", { name: "Close version 1" }),
  );
  await detail.getByRole("button", { name: "Hide versions" }).click();
  await expect(detail.getByRole("heading", { name: "1 version" })).toHaveCount(0);
  await expect(detail.getByRole("button", { name: "Show all versions" })).toBeFocused();
  await detail.getByRole("button", { name: "Close" }).click();
  await expect(row).toBeFocused();

  // A file's preview.
  const imagePath = testInfo.outputPath("rash.png");
  writeFileSync(imagePath, Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64"));
  await page.getByLabel("File", { exact: true }).setInputFiles(imagePath);
  await expect(page.getByText("rash.png was encrypted and saved.")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("group-document").getByRole("button", { name: "rash.png" }).click();
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Preview of rash.png" })).toBeFocused();
  await expect(page.getByRole("img", { name: "Preview of rash.png" })).toBeVisible();
  await page.getByRole("button", { name: "Hide preview" }).click();
  await expect(page.getByRole("img", { name: "Preview of rash.png" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Show", exact: true })).toBeFocused();

  // The import plan, cancelled.
  const bundlePath = testInfo.outputPath("two-problems.json");
  writeFileSync(bundlePath, JSON.stringify(problemsBundle(2)));
  const fileInput = page.getByLabel("Bundle file (.json)");
  await fileInput.setInputFiles(bundlePath);
  await expect(page.getByRole("heading", { name: "Ready to import 2 records." })).toBeFocused();
  await page.getByTestId("import-plan").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("import-plan")).toHaveCount(0);
  await expect(fileInput).toBeFocused();
});

test("the share form takes focus when a clinician is chosen and gives it back on Cancel", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Fiona Focus", specialty: "Focusology" });
  const patient = await newPerson(browser, { role: "patient", name: "Otto Opener" });
  // Without ticking the comparison, which would take the focus itself.
  await chooseClinician(patient.page, "Focusology", "Dr Fiona Focus", { compare: false });
  const form = patient.page.getByTestId("share-form");
  await expect(form.getByRole("heading", { name: "Share with Dr Fiona Focus" })).toBeFocused();
  await form.getByRole("button", { name: "Cancel" }).click();
  await expect(form).toHaveCount(0);
  await expect(patient.page.getByRole("button", { name: "Choose Dr Fiona Focus" })).toBeFocused();
  await doctor.close();
  await patient.close();
});
