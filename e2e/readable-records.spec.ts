import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { chooseClinician, newPerson } from "./support/sharing";

const ipsPath = path.resolve(__dirname, "../fixtures/shl/IPS_IG-bundle-01.json");
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function newPatient(page: Page, name: string) {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name });
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "My records" })).toBeVisible();
}

/** Every field name in a JSON value that is camelCase (has a capital after a small letter). */
function camelCaseKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) camelCaseKeys(item, into);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (/[a-z][A-Z]/.test(key)) into.add(key);
      camelCaseKeys(inner, into);
    }
  }
  return into;
}

test("the readable view of every IPS record uses clinical labels, never FHIR field names", async ({ page }) => {
  await newPatient(page, "Lara Labels");
  await page.getByLabel("Bundle file (.json)").setInputFiles(ipsPath);
  await page.getByRole("button", { name: "Import 13 records" }).click();
  await expect(page.getByText("Imported 13 records.")).toBeVisible({ timeout: 30_000 });

  const labels = new Set<string>();
  const rows = page.locator("[data-testid^='group-'] > ul > li > button.link-button");
  const count = await rows.count();
  // The 13 records and the document's summary (its Composition), whose labels are checked too.
  expect(count).toBe(14);
  for (let index = 0; index < count; index += 1) {
    await rows.nth(index).click();
    const detail = page.getByTestId("record-detail");
    for (const label of await detail.locator("dt").allTextContents()) labels.add(label.trim());
    await detail.getByRole("button", { name: "Close" }).click();
  }

  const raw = camelCaseKeys(JSON.parse(readFileSync(ipsPath, "utf8")));
  expect(raw.size).toBeGreaterThan(10);
  const shown = [...labels];
  // No label is a field name as written, or one split into words with its FHIR data type ("Onset date time").
  expect(shown.filter((label) => raw.has(label))).toEqual([]);
  expect(shown.filter((label) => /date time|codeable concept|quantity|period unit|has member|dose and rate|_/i.test(label))).toEqual([]);
  for (const expected of [
    "Clinical status",
    "Verification status",
    "Severity",
    "Onset",
    "Criticality",
    // A dosage reads as one sentence ("1 tablet, once daily, by mouth"), under its own label.
    "Dosage",
    "When",
    "Value",
    "Performer",
    "Related results",
    "Notes",
    "Code",
  ]) {
    expect(shown, `label "${expected}"`).toContain(expected);
  }
});

test("every earlier version opens in the readable view, saying which version it is, when it was saved and by whom", async ({ page }) => {
  await newPatient(page, "Vera Versions");
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Condition", { exact: true }).fill("Sprained ankle");
  await page.getByLabel("Since (optional)").fill("2026-03-02");
  await page.getByRole("button", { name: "Save problem" }).click();
  await page.getByTestId("group-condition").getByRole("button", { name: "Sprained ankle" }).click();
  const detail = page.getByTestId("record-detail");
  await detail.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Status").selectOption("resolved");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(detail).toContainText("version 2");

  await detail.getByRole("button", { name: "Show all versions" }).click();
  await expect(detail.getByTestId("versions").getByRole("listitem")).toHaveCount(2);
  for (const [version, status] of [
    [1, "Active"],
    [2, "Resolved"],
  ] as const) {
    await detail.getByRole("button", { name: `View version ${version}` }).click();
    const view = detail.getByTestId("version-view");
    await expect(view.getByRole("heading")).toHaveText(new RegExp(`^Version ${version} of 2, saved \\w{3} \\d{1,2}, \\d{4}, .+, by you$`));
    await expect(view.locator(".field-pair", { hasText: "Clinical status" }).locator("dd")).toHaveText(status);
    await expect(view.locator(".field-pair", { hasText: "Onset" }).locator("dd")).toHaveText(/2026/);
    await view.getByRole("button", { name: `Close version ${version}` }).click();
    await expect(view).toHaveCount(0);
  }
});

test("the share form's inputs look like every other input in the app", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Stella Style", specialty: "Stylology" });
  const patient = await newPerson(browser, { role: "patient", name: "Sam Styled" });
  const page = patient.page;
  await page.getByRole("link", { name: "My records" }).first().click();
  await page.getByRole("button", { name: "Add a note" }).click();
  const looks = (selector: string) =>
    page.locator(selector).evaluate((element) => {
      const style = getComputedStyle(element);
      return {
        border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor}`,
        radius: style.borderTopLeftRadius,
        padding: `${style.paddingTop} ${style.paddingLeft}`,
        font: `${style.fontFamily} ${style.fontSize}`,
      };
    });
  const reference = await looks("#note-title");
  expect(reference.radius).toBe("8px");

  await chooseClinician(page, "Stylology", "Dr Stella Style");
  const form = page.getByTestId("share-form");
  await expect(form).toBeVisible();
  for (const selector of ["#share-name", "#share-until"]) expect(await looks(selector), selector).toEqual(reference);
  // Each label sits above its own input, as in the app's other forms.
  for (const label of ["Until (optional)", "Your name as Dr Stella Style will see it"]) {
    const labelBox = (await form.getByText(label, { exact: true }).boundingBox())!;
    const inputBox = (await form.getByLabel(label).boundingBox())!;
    expect(inputBox.y).toBeGreaterThanOrEqual(labelBox.y + labelBox.height - 1);
  }
  await doctor.close();
  await patient.close();
});

test("Export all includes the contents of files, and importing the export brings the files back", async ({ page, browser }, testInfo) => {
  test.setTimeout(120_000);
  await newPatient(page, "Ezra Export");
  // More than one upload chunk (1 MiB) and more than one base64 piece (768 KiB), not a multiple of 3.
  const original = randomBytes(1_900_001);
  const filePath = testInfo.outputPath("scan.bin");
  writeFileSync(filePath, original);
  await page.getByLabel("File", { exact: true }).setInputFiles(filePath);
  await expect(page.getByText("scan.bin was encrypted and saved.")).toBeVisible({ timeout: 30_000 });

  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export all" }).click();
  const exportedPath = testInfo.outputPath("export.json");
  await (await downloadPromise).saveAs(exportedPath);
  await expect(page.getByTestId("chart-status")).toHaveText("Exported 1 record, with the contents of 1 file.");
  const exported = JSON.parse(readFileSync(exportedPath, "utf8")) as {
    resourceType: string;
    entry: Array<{ resource: { resourceType: string; content: Array<{ attachment: { title: string; size: number; data: string } }> } }>;
  };
  expect(exported.resourceType).toBe("Bundle");
  const attachment = exported.entry[0]!.resource.content[0]!.attachment;
  expect(attachment.title).toBe("scan.bin");
  expect(attachment.size).toBe(original.length);
  expect(sha256(Buffer.from(attachment.data, "base64"))).toBe(sha256(original));
  // The page says so before and after.
  await expect(page.getByText("with the contents of your files inside it")).toBeVisible();

  // Another patient imports it, and the file opens byte for byte.
  const context = await browser.newContext();
  const other = await context.newPage();
  await newPatient(other, "Ida Importer");
  await other.getByLabel("Bundle file (.json)").setInputFiles(exportedPath);
  await other.getByRole("button", { name: /^Import 1 record/ }).click();
  await expect(other.getByText(/^Imported 1 record/)).toBeVisible({ timeout: 30_000 });
  await other.getByTestId("group-document").getByRole("button", { name: "scan.bin" }).click();
  const fileDownload = other.waitForEvent("download");
  await other.getByRole("button", { name: "Download decrypted" }).click();
  const savedPath = testInfo.outputPath("imported-scan.bin");
  await (await fileDownload).saveAs(savedPath);
  expect(sha256(readFileSync(savedPath))).toBe(sha256(original));
  // The record holds a reference to the encrypted file, not the contents inline.
  const { records } = (await (await other.request.get("/api/records")).json()) as { records: Array<{ current: { content: string } }> };
  expect(Buffer.from(records[0]!.current.content, "base64url").length).toBeLessThan(64 * 1024);
  await context.close();
});
