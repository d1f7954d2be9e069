import path from "node:path";
import { expect, test, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

// Every real-world fixture imported through the page, with the result fixtures/real-world/README.md
// states as far as the page shows it: counts per group and titles that do not depend on how
// values and dates are displayed (other work of issue 14 changes that).
const fixtures = path.resolve(__dirname, "../fixtures");
const realWorld = (name: string) => path.join(fixtures, "real-world", name);

async function newPatient(page: Page, name: string) {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name });
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "My records" })).toBeVisible();
}

const fileInput = (page: Page) => page.getByLabel("Bundle file (.json)");
const plan = (page: Page) => page.getByTestId("import-plan");
const rows = (page: Page, kind: string) => page.getByTestId(`group-${kind}`).getByRole("listitem");
const importError = (page: Page) => page.getByRole("region", { name: "Import a FHIR file" }).getByRole("alert");
const allRows = (page: Page) => page.locator("[data-testid^='group-'] > ul > li");

/** Chooses a file and imports what the plan offers: `expected` new records. */
async function importFile(page: Page, file: string, expected: number, timeout = 30_000) {
  await fileInput(page).setInputFiles(file);
  await expect(plan(page).getByRole("heading", { name: `Ready to import ${expected} records` })).toBeVisible({ timeout });
  await plan(page)
    .getByRole("button", { name: `Import ${expected} records` })
    .click();
  await expect(page.getByText(`Imported ${expected} records.`)).toBeVisible({ timeout });
}

test("01 imported twice: the second time says the records are already in the chart and adds nothing", async ({ page }) => {
  await newPatient(page, "Dana Duplicate");
  await importFile(page, realWorld("01-ips-minimal.json"), 3);
  for (const kind of ["condition", "medication", "allergy", "composition"]) await expect(rows(page, kind)).toHaveCount(1);
  await expect(plan(page)).toHaveCount(0);

  await fileInput(page).setInputFiles(realWorld("01-ips-minimal.json"));
  await expect(plan(page).getByRole("heading", { name: "Nothing new to import." })).toBeVisible();
  await expect(plan(page)).toContainText("3 records and the document's summary are already in your chart, unchanged: they will be skipped.");
  await expect(plan(page).getByRole("button", { name: "Import 0 records" })).toBeDisabled();
  // What is not a record is said plainly.
  await plan(page)
    .getByText(/entries will not be imported as records/)
    .click();
  await expect(plan(page)).toContainText("(Patient): your own details stay in your profile, not in records.");
  await expect(plan(page)).toContainText("(Medication): not a record of its own; kept with the 1 record that refers to it.");
  await plan(page).getByRole("button", { name: "Cancel" }).click();
  await expect(allRows(page)).toHaveCount(4);
});

test("every other bundle shape and a bare resource import into one chart with the records their README states", async ({ page }) => {
  test.setTimeout(180_000);
  await newPatient(page, "Rita Realworld");
  await importFile(page, realWorld("02-ips-no-info.json"), 2);
  await expect(rows(page, "immunization")).toHaveCount(2);
  await expect(rows(page, "composition")).toHaveCount(1);
  // The document's empty sections say why they are empty, in the summary it is kept as.
  await rows(page, "composition").getByRole("button").first().click();
  await expect(page.getByTestId("record-detail")).toContainText("No information available");
  await page.getByRole("button", { name: "Close", exact: true }).first().click();

  await importFile(page, realWorld("04-ips-with-immunization.json"), 14);
  await importFile(page, realWorld("05-synthea-transaction.json"), 8);
  for (const kind of ["encounter", "report", "procedure", "note"]) await expect(rows(page, kind)).toHaveCount(1);
  // 04's "No known food allergy" is a statement, not counted as an allergy; 05's panel reads with its numbers.
  await expect(page.getByTestId("statements-allergy")).toContainText("No known food allergy");
  await expect(page.getByTestId("group-allergy").getByRole("heading")).toContainText("(1)");
  await expect(rows(page, "observation").filter({ hasText: /Blood pressure \d+\/\d+ mmHg/ })).toHaveCount(1);

  await importFile(page, realWorld("07-everything-searchset.json"), 2);
  await expect(page.getByTestId("group-condition").getByRole("button", { name: "2型糖尿病" })).toBeVisible();

  await importFile(page, realWorld("10-values-and-dates.json"), 13);
  await fileInput(page).setInputFiles(realWorld("13-single-resource.json"));
  await expect(plan(page)).toContainText("This file is a single Observation.");
  await plan(page).getByRole("button", { name: "Import 1 record" }).click();
  await expect(page.getByText("Imported 1 record.")).toBeVisible();
  await importFile(page, realWorld("15-med-effective-datetime.json"), 2);

  // 2 + 14 + 8 + 2 + 13 + 1 + 2 records and the 2 documents' summaries, grouped by kind.
  await expect(allRows(page)).toHaveCount(44);
  await expect(rows(page, "immunization")).toHaveCount(5);
  await expect(rows(page, "composition")).toHaveCount(2);
  await expect(rows(page, "medication")).toHaveCount(5);
  await expect(rows(page, "condition")).toHaveCount(7);

  // NDJSON, read line by line; a bad line is named.
  const line = (id: string) =>
    JSON.stringify({ resourceType: "Goal", id, lifecycleStatus: "active", description: { text: `Walk ${id} km a day` }, subject: { display: "me" } });
  await fileInput(page).setInputFiles({ name: "goals.ndjson", mimeType: "application/fhir+ndjson", buffer: Buffer.from(`${line("3")}\n\n${line("5")}\n`) });
  await expect(plan(page)).toContainText("This file is an NDJSON file.");
  await plan(page).getByRole("button", { name: "Import 2 records" }).click();
  await expect(page.getByText("Imported 2 records.")).toBeVisible();
  await expect(rows(page, "goal")).toHaveCount(2);
  await fileInput(page).setInputFiles({ name: "broken.ndjson", mimeType: "application/fhir+ndjson", buffer: Buffer.from(`${line("7")}\n{"resourceType":\n`) });
  await expect(importError(page)).toContainText("Line 2 of this file is not valid JSON");

  // Not FHIR at all: said plainly, nothing imported.
  await fileInput(page).setInputFiles(path.join(fixtures, "shl", "IPS_IG-bundle-01-shl-details.json"));
  await expect(importError(page)).toContainText("not FHIR");
  await fileInput(page).setInputFiles(path.join(fixtures, "shl", "IPS_IG-bundle-01-enc.txt"));
  await expect(importError(page)).toContainText("This file is not JSON");
  await expect(allRows(page)).toHaveCount(46);
});

test("08: 2,001 observations import with progress and all end up in the chart", async ({ page }) => {
  test.setTimeout(300_000);
  await newPatient(page, "Otto Observations");
  await fileInput(page).setInputFiles(realWorld("08-2001-observations.json"));
  await expect(plan(page).getByRole("heading", { name: "Ready to import 2,001 records." })).toBeVisible({ timeout: 60_000 });
  await plan(page).getByRole("button", { name: "Import 2,001 records" }).click();
  await expect(page.getByLabel("Import progress")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^Saved \d[\d,]* of 2,001 records$/ })).toBeVisible();
  await expect(page.getByText("Imported 2,001 records.")).toBeVisible({ timeout: 240_000 });
  await expect(rows(page, "observation")).toHaveCount(2001, { timeout: 60_000 });
});

test("09: the inline PDF is stored as an encrypted file that opens, beside the other two records", async ({ page }) => {
  test.setTimeout(120_000);
  await newPatient(page, "Pia Pdf");
  await importFile(page, realWorld("09-big-inline-pdf.json"), 3, 60_000);
  await expect(rows(page, "condition")).toHaveCount(1);
  await expect(rows(page, "immunization")).toHaveCount(1);
  await page.getByTestId("group-document").getByRole("button", { name: "Lab report March 2024.pdf" }).click();
  await page.getByRole("button", { name: "Show", exact: true }).click();
  const preview = page.getByRole("region", { name: "Preview of Lab report March 2024.pdf" });
  await expect(preview).toBeVisible({ timeout: 30_000 });
  await expect(preview.locator("canvas").first()).toBeVisible({ timeout: 30_000 });
});
