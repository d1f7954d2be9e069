import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { chooseClinician, importRecords, newPerson } from "./support/sharing";
import { expectFitsViewport } from "./support/viewport";

const ips = "fixtures/real-world/04-ips-with-immunization.json";
const ipsSections = ["Problems", "Medications", "Allergies and intolerances", "Immunizations", "Results", "Procedures"];

/** Imports fixture 04 (an IPS document with French text) through the chart's import panel. */
async function importIps(page: Page) {
  await importRecords(page, ips, 14);
}

/** Every page's text of a PDF, as pdf.js reads it back. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const document = await getDocument({ data: bytes, isEvalSupported: false, useSystemFonts: false, disableFontFace: true }).promise;
  const pages: string[] = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const content = await (await document.getPage(number)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join("\n"));
  }
  await document.destroy();
  return pages.join("\n");
}

async function expectIpsSummary(page: Page, patientLine: string, emptySection: string) {
  const summary = page.getByTestId("summary-document");
  await expect(summary.getByRole("heading", { name: "Patient summary", level: 2 })).toBeVisible();
  await expect(summary.getByTestId("summary-patient")).toHaveText(patientLine);
  await expect(summary).toContainText("Made from records in Health Safe Cloud, not a verified clinical document.");
  // The IPS sections first, in order (extras, when any, follow them).
  await expect(summary.getByRole("heading", { level: 3 }).first()).toHaveText("Problems");
  expect((await summary.getByRole("heading", { level: 3 }).allTextContents()).slice(0, 6)).toEqual(ipsSections);
  await expect(summary.getByRole("region", { name: "Immunizations" })).toContainText("Vaccin anti diphtérie-coqueluche-tétanos-poliomyélite");
  const allergies = summary.getByRole("region", { name: "Allergies and intolerances" });
  await expect(allergies.locator(".summary-statements")).toHaveText("No known food allergy");
  await expect(allergies.locator(".summary-lines li")).toHaveCount(1);
  await expect(summary.getByRole("region", { name: "Problems" })).toContainText("Malignant tumor of breast");
  await expect(summary.getByRole("region", { name: "Problems" })).toContainText("Jan 2015");
  await expect(summary.getByRole("region", { name: "Procedures" })).toHaveText(new RegExp(`Procedures\\s*${emptySection}`));
}

test("a patient prints and downloads the summary of their records: IPS sections, real text with accents, only the summary on paper", async ({
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const patient = await newPerson(browser, { role: "patient", name: "Martha DeLarosa" });
  const { page } = patient;
  await importIps(page);

  await page.getByRole("banner").getByRole("link", { name: "Summary" }).click();
  await expect(page.getByRole("heading", { name: "Patient summary", level: 1 })).toBeVisible();
  await page.getByLabel("Your date of birth (optional)").fill("1972-05");
  await expectIpsSummary(page, "Martha DeLarosa, born May 1972", "No information");

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download PDF" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^patient-summary-\d{4}-\d{2}-\d{2}\.pdf$/);
  const path = testInfo.outputPath("summary.pdf");
  await download.saveAs(path);
  const bytes = new Uint8Array(readFileSync(path));
  expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
  const text = await pdfText(bytes);
  for (const words of [
    ...ipsSections,
    "Martha DeLarosa, born May 1972",
    "Vaccin anti diphtérie-coqueluche-tétanos-poliomyélite",
    "Malignant tumor of breast",
    "No known food allergy",
    "Page 1 of",
  ]) {
    expect(text).toContain(words);
  }

  // On paper: the summary alone, no site menu, no controls.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("banner")).toBeHidden();
  await expect(page.getByRole("button", { name: "Download PDF" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "Patient summary", level: 1 })).toBeHidden();
  await expect(page.getByTestId("summary-document")).toBeVisible();
  await page.emulateMedia({ media: "screen" });
  await expect(page.getByRole("banner")).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("summary-document")).toBeVisible();
  await expectFitsViewport(page, "patient summary at 390 px");
  await patient.close();
});

test("a clinician opens the summary of what a patient shared, naming the patient and birth date as the patient revealed them", async ({ browser }) => {
  test.setTimeout(180_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Sam Summary", specialty: "Oncology", organization: "Harbour Hospital" });
  const patient = await newPerson(browser, { role: "patient", name: "Martha DeLarosa" });
  await importIps(patient.page);

  await chooseClinician(patient.page, "Oncology", "Dr Sam Summary");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("All my records, including future ones").check();
  await form.getByLabel("Your name as Dr Sam Summary will see it").fill("Martha D.");
  await form.getByLabel("Also show my date of birth (optional)").fill("May 1972");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Sam Summary.")).toBeVisible();

  const { page } = doctor;
  await page.getByRole("link", { name: "Shared with me" }).click();
  const shared = page.getByTestId("shared-patient");
  await expect(shared.getByTestId("shared-patient-identity")).toHaveText("Shared by Martha D., born May 1972");
  await shared.getByRole("link", { name: "Summary of Martha D." }).click();
  // What was not shared is not known to be absent.
  await expectIpsSummary(page, "Shared by Martha D., born May 1972", "None shared with you");

  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 900 },
  ]) {
    await page.setViewportSize(viewport);
    await expectFitsViewport(page, `shared summary at ${viewport.width} px`);
  }
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download PDF" }).click();
  const bytes = new Uint8Array(readFileSync(await (await downloading).path()));
  expect(await pdfText(bytes)).toContain("Shared by Martha D., born May 1972");
  await doctor.close();
  await patient.close();
});
