import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { expect, test, type Locator, type Page } from "./support/test";
import { unlockVault } from "./support/accounts";
import { addNote, chooseClinician, newPerson, sameOrigin } from "./support/sharing";

// Far from UTC, so a date shown in UTC (or as ISO) cannot pass for one in the person's zone.
const timeZone = "Asia/Tokyo";
test.use({ timezoneId: timeZone, locale: "en-US" });

const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The text a history row's time must read: that instant in the browser's zone, by Intl, never ISO. */
async function expectLocalTime(page: Page, row: Locator) {
  const time = row.locator("time");
  const instant = await time.getAttribute("datetime", { timeout: 10_000 }).catch(() => null);
  expect(instant, "the row shows when it happened").toBeTruthy();
  if (!instant) return;
  const expected = await page.evaluate(
    ([value, zone]) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: zone }).format(new Date(value)),
    [instant, timeZone] as const,
  );
  const inUtc = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }).format(new Date(instant));
  await expect(time).toHaveText(expected);
  expect(expected).not.toBe(inUtc);
  await expect(time).not.toHaveText(iso);
}

async function openHistory(page: Page) {
  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByTestId("history-table")).toBeVisible();
}

test("the trail says what the server saw, a revoke reads as access ended, sizes, dates and counts read as people say them, and the clinician's history keeps the names they were shown", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Wanda Words", specialty: "Endocrinology", organization: "Plain Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Pia Plain" });
  // The browsers run in Tokyo time: what the pages show must be in it.
  expect(await patient.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timeZone);

  await test.step("a small file's upload progress reads in bytes and kB, never 0.0 MB", async () => {
    await patient.page.getByRole("link", { name: "My records" }).first().click();
    await addNote(patient.page, "Thyroid panel", "TSH 2.1 mIU/L.");
    const filePath = testInfo.outputPath("lab-report.txt");
    writeFileSync(filePath, randomBytes(12_345));
    // Holds the chunk a moment so the progress line can be read.
    await patient.page.route("**/api/blobs/*/chunks/*", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await patient.page.getByLabel("File", { exact: true }).setInputFiles(filePath);
    const progress = patient.page.locator("label[for=upload-progress]");
    await expect(progress).toContainText("0 bytes of 12.3 kB");
    await expect(patient.page.getByText("lab-report.txt was encrypted and saved.")).toBeVisible({ timeout: 30_000 });
    await patient.page.unroute("**/api/blobs/*/chunks/*");
  });

  await test.step("the patient shares both records, read and add notes, with an end date", async () => {
    await chooseClinician(patient.page, "Endocrinology", "Dr Wanda Words");
    const form = patient.page.getByTestId("share-form");
    await form.getByLabel("Thyroid panel", { exact: true }).check();
    await form.getByLabel("lab-report.txt", { exact: true }).check();
    await form.getByLabel("Permission").selectOption("contribute");
    await form.getByLabel("Until (optional)").fill("2030-06-15");
    await form.getByRole("button", { name: "Share", exact: true }).click();
    await expect(patient.page.getByText("Shared with Dr Wanda Words.")).toBeVisible();
    await patient.page.getByRole("link", { name: "History" }).click();
    await expect(patient.page.getByTestId("new-accesses")).toHaveText("No new accesses since your last visit.");
  });

  const shared = doctor.page.getByTestId("shared-patient");
  await test.step("the doctor's list loads, nothing clicked: the patient's history says the records were received, not opened", async () => {
    await doctor.page.getByRole("link", { name: "Shared with me" }).click();
    await expect(shared.getByRole("button", { name: "Thyroid panel" })).toBeVisible();
    await expect(shared.getByRole("button", { name: "lab-report.txt" })).toBeVisible();
    await expect(shared).toContainText("Read and add notes · until Jun 15, 2030");

    await patient.page.reload();
    await unlockVault(patient.page);
    // One list, one access: a count of one reads in the singular.
    await expect(patient.page.getByTestId("new-accesses")).toHaveText("1 new access since your last visit");
    const rows = patient.page.getByTestId("history-row");
    await expect(rows.filter({ hasText: "Opened" })).toHaveCount(0);
    const received = rows.filter({ hasText: "Received 2 records" });
    await expect(received).toHaveCount(1);
    await expect(received.getByRole("cell").nth(1)).toHaveText("Dr Wanda Words");
    await expect(received.getByRole("cell").nth(3)).toContainText("Thyroid panel");
    await expect(received.getByRole("cell").nth(3)).toContainText("lab-report.txt");
    await expectLocalTime(patient.page, received);
    await expect(patient.page.getByTestId("history-table")).not.toContainText(iso);
  });

  await test.step("the doctor opens the file record (its size reads 12.3 kB) and downloads it: the trail says downloaded", async () => {
    await shared.getByRole("button", { name: "lab-report.txt" }).click();
    await expect(shared.locator(".field-pair").filter({ hasText: /^Size/ })).toContainText("12.3 kB");
    await expect(shared).not.toContainText(iso);
    const download = doctor.page.waitForEvent("download");
    await shared.getByRole("button", { name: "Download decrypted" }).click();
    await download;

    await patient.page.reload();
    await unlockVault(patient.page);
    const downloaded = patient.page.getByTestId("history-row").filter({ hasText: "Downloaded a file" });
    await expect(downloaded).toHaveCount(1);
    await expect(downloaded.getByRole("cell").nth(3)).toHaveText("lab-report.txt");
    await expect(patient.page.getByTestId("history-row").filter({ hasText: "Opened" })).toHaveCount(0);
  });

  await test.step("after a revoke, the open page says access ended: for the file and for a note, never tampering or 'try again'", async () => {
    const { grants } = (await (await patient.page.request.get("/api/grants")).json()) as { grants: Array<{ id: string }> };
    expect((await patient.page.request.post(`/api/grants/${grants[0]!.id}/revoke`, { headers: sameOrigin(patient.page) })).ok()).toBe(true);

    await shared.getByRole("button", { name: "Download decrypted" }).click();
    const fileError = shared.getByRole("alert");
    await expect(fileError).toHaveText("Pia Plain no longer shares this with you, so the file could not be downloaded.");
    await expect(shared).not.toContainText("altered or damaged");

    await shared.getByRole("button", { name: "Add a note to Pia Plain's chart" }).click();
    await doctor.page.getByLabel("Title").fill("Follow-up");
    await doctor.page.getByLabel("Note", { exact: true }).fill("Recheck TSH in 6 weeks.");
    await doctor.page.getByRole("button", { name: "Save note" }).click();
    await expect(doctor.page.getByText("Pia Plain no longer shares this with you, so your note was not added.")).toBeVisible();
    await expect(doctor.page.getByText(/try again/i)).toHaveCount(0);
  });

  await test.step("the doctor's own history names the patient and the records they were shown, after the access ended", async () => {
    await openHistory(doctor.page);
    const rows = doctor.page.getByTestId("history-row");
    const received = rows.filter({ hasText: "Received 2 records" });
    await expect(received).toHaveCount(1);
    await expect(received.getByRole("cell").nth(1)).toHaveText("Pia Plain");
    await expect(received.getByRole("cell").nth(3)).toContainText("Thyroid panel");
    await expect(received.getByRole("cell").nth(3)).toContainText("lab-report.txt");
    const downloaded = rows.filter({ hasText: "Downloaded a file" });
    await expect(downloaded.getByRole("cell").nth(3)).toHaveText("lab-report.txt");
    await expectLocalTime(doctor.page, downloaded);
    await expect(doctor.page.getByTestId("history-table")).not.toContainText(/Record [0-9a-f]{8}|Patient [0-9a-f]{8}|no longer shared/);
  });

  await Promise.all([doctor.close(), patient.close()]);
});
