import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { unzipSync } from "fflate";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { expectFitsViewport, goThroughMenu } from "./support/viewport";

/** Without the save dialog (which a test cannot answer), the backup comes as an ordinary download. */
const withoutSaveDialog = (page: Page) =>
  page.addInitScript(() => Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true, writable: true }));

async function addNoteWithTwoVersions(page: Page) {
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill("Knee after the run");
  await page.getByLabel("Note", { exact: true }).fill("Swelling on the left knee.");
  await page.getByRole("button", { name: "Save note" }).click();
  await page.getByTestId("group-note").getByRole("button", { name: "Knee after the run" }).click();
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Text").fill("Swelling gone after a week.");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByTestId("record-detail")).toContainText("version 2");
}

async function expectNoteVersions(page: Page) {
  await page.getByTestId("group-note").getByRole("button", { name: "Knee after the run" }).click();
  await page.getByRole("button", { name: "Show all versions" }).click();
  await expect(page.getByTestId("versions").getByRole("listitem")).toHaveCount(2);
  await expect(page.getByTestId("versions")).toContainText("Swelling on the left knee.");
  await expect(page.getByTestId("versions")).toContainText("Swelling gone after a week.");
}

test("a patient downloads everything as a ZIP that opens, and a new account restores it: records, versions and the file byte-equal", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  const scan = randomBytes(700_000);
  const scanPath = testInfo.outputPath("knee scan.pdf");
  writeFileSync(scanPath, scan);

  await withoutSaveDialog(page);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Bea Backup" });
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNoteWithTwoVersions(page);
  await page.getByLabel("File", { exact: true }).setInputFiles(scanPath);
  await expect(page.getByText("knee scan.pdf was encrypted and saved.")).toBeVisible({ timeout: 60_000 });

  await page.getByRole("link", { name: "Backup" }).first().click();
  await expect(page.getByRole("heading", { name: "Download everything" })).toBeVisible();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download everything" }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^health-records-backup-\d{4}-\d{2}-\d{2}\.zip$/);
  // Streamed through the download service worker as it is written (client/records/streamed-download.ts), not built as a Blob first.
  expect(download.url()).toMatch(/^http:\/\/localhost:\d+\/downloads\/[A-Za-z0-9_-]{22}$/);
  const archivePath = testInfo.outputPath("backup.zip");
  await download.saveAs(archivePath);
  await expect(page.getByTestId("backup-status")).toContainText("2 records with 3 versions and 1 file");

  // The ZIP opens with another reader: the Bundle with every version, the file byte-equal, the README.
  const entries = unzipSync(new Uint8Array(readFileSync(archivePath)));
  expect(Object.keys(entries).sort()).toEqual(["README.txt", "backup.json", "files/001-knee scan.pdf", "health-records.json"]);
  expect(Buffer.from(entries["files/001-knee scan.pdf"]!).equals(scan)).toBe(true);
  const bundle = JSON.parse(Buffer.from(entries["health-records.json"]!).toString("utf8")) as fhir4.Bundle;
  expect(bundle.type).toBe("collection");
  expect(bundle.entry!.map((entry) => [entry.resource!.resourceType, entry.resource!.meta?.versionId]).sort()).toEqual(
    [
      ["DocumentReference", "1"],
      ["DocumentReference", "1"],
      ["DocumentReference", "2"],
    ].sort(),
  );
  expect(JSON.stringify(bundle)).toContain('"url":"files/001-knee%20scan.pdf"');
  expect(Buffer.from(entries["README.txt"]!).toString("utf8")).toContain("2 records with all 3 of their versions");

  // A new account restores it.
  const context = await browser.newContext();
  const other = await context.newPage();
  await withoutSaveDialog(other);
  await other.goto("/");
  await addVirtualAuthenticator(other, { prf: true });
  await signUpThroughPage(other, { role: "patient", name: "Bea Restored" });
  // Through the menu: a page load would lock the vault, which lives in this page's memory only.
  await other.getByRole("link", { name: "Backup" }).first().click();
  await other.getByLabel("Backup file (ZIP)").setInputFiles(archivePath);
  await expect(other.getByTestId("backup-contents")).toContainText("2 records with 3 versions and 1 file");
  await other.getByRole("button", { name: "Restore into this account" }).click();
  await expect(other.getByTestId("restore-status")).toContainText("Restored 2 records with 3 versions and 1 file.", { timeout: 60_000 });

  await other.getByRole("link", { name: "My records" }).first().click();
  await expectNoteVersions(other);
  await other.getByTestId("group-document").getByRole("button", { name: "knee scan.pdf" }).click();
  const restoredDownload = other.waitForEvent("download");
  await other.getByRole("button", { name: "Download decrypted" }).click();
  const restoredPath = testInfo.outputPath("restored.pdf");
  await (await restoredDownload).saveAs(restoredPath);
  expect(readFileSync(restoredPath).equals(scan)).toBe(true);

  // Restoring again into the account that now has records is refused, saying why.
  await other.getByRole("link", { name: "Backup" }).first().click();
  await other.getByLabel("Backup file (ZIP)").setInputFiles(archivePath);
  await other.getByRole("button", { name: "Restore into this account" }).click();
  await expect(other.getByRole("main").getByRole("alert")).toContainText("Your chart already has 2 records. A backup is restored only into an empty chart");
  await context.close();
});

test("the Backup page fits a phone, and an empty chart backs up as an empty archive", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await withoutSaveDialog(page);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Pia Phone" });
  await goThroughMenu(page, "Backup");
  await expect(page.getByRole("heading", { name: "Restore a backup" })).toBeVisible();
  await expectFitsViewport(page, "Backup page");
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download everything" }).click();
  const entries = unzipSync(new Uint8Array(readFileSync(await (await downloadPromise).path())));
  expect(Object.keys(entries).sort()).toEqual(["README.txt", "backup.json", "health-records.json"]);
  await expect(page.getByTestId("backup-status")).toContainText("0 records with 0 versions and 0 files");
  await expectFitsViewport(page, "Backup page after a download");
});
