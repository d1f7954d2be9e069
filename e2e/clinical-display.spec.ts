import path from "node:path";
import { expect, test, type Page } from "./support/test";
import { chooseClinician, newPerson } from "./support/sharing";
import { expectFitsViewport } from "./support/viewport";

const fixture = (name: string) => path.resolve(__dirname, "../fixtures/real-world", name);

/** Imports a fixture through the chart's import panel and waits for it to be in the chart. */
async function importFixture(page: Page, name: string, count: number) {
  await page.getByLabel("Bundle file (.json)").setInputFiles(fixture(name));
  await page.getByRole("button", { name: `Import ${count} records` }).click();
  await expect(page.getByText(`Imported ${count} records.`)).toBeVisible({ timeout: 30_000 });
}

const openRecord = async (page: Page, group: string, title: string | RegExp) => {
  await page.getByTestId(`group-${group}`).getByRole("button", { name: title }).click();
  return page.getByTestId("record-detail");
};

test("values, partial dates and details read as a clinician reads them, at phone and desktop width, in the chart and the clinician's grouped view", async ({
  browser,
}) => {
  // Two people, two imports and two widths: more than the default minute on a shared machine.
  test.setTimeout(240_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Vera Values", specialty: "Nephrology", organization: "Riverside Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Paul Partial" });
  const page = patient.page;
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "My records" })).toBeVisible();
  await importFixture(page, "10-values-and-dates.json", 13);
  await importFixture(page, "01-ips-minimal.json", 3);

  const results = page.getByTestId("group-observation");
  await expect(results.getByRole("heading", { name: "Results and vital signs (8)" })).toBeVisible();
  // Every value kind in its list title, the comparator never dropped.
  for (const title of [
    "C reactive protein [Mass/volume] in Serum or Plasma: <5 mg/L",
    "Creatinine [Mass/volume] in Serum or Plasma: ≥90 mL/min/{1.73_m2}",
    "Leukocytes [#/area] in Urine sediment by Microscopy high power field: 0–2 /[HPF]",
    "Rubella virus Ab [Titer] in Serum: 1/128",
    "ABO and Rh group [Type] in Blood: A positive",
    "Glucose [Mass/volume] in Serum or Plasma: Not recorded: error",
    "Carbon dioxide in blood: Yes",
    "Body temperature: 37",
  ]) {
    await expect(results.getByRole("button", { name: title, exact: true })).toBeVisible();
  }
  await expect(results).not.toContainText("Serum or Plasma: 5 mg/L");

  // Every onset and occurrence, and the partial dates of 01 as written.
  const problems = page.getByTestId("group-condition");
  await expect(problems.getByRole("listitem").filter({ hasText: "Asthma" })).toContainText("from Apr 2001");
  await expect(problems.getByRole("listitem").filter({ hasText: "Chickenpox" })).toContainText("at age 7 years");
  await expect(problems.getByRole("listitem").filter({ hasText: "Migraine" })).toContainText("teenage years");
  await expect(problems.getByRole("listitem").filter({ hasText: "Menopausal flushing" })).toContainText("2015");
  await expect(problems.getByRole("listitem").filter({ hasText: "Menopausal flushing" })).not.toContainText("Jan");
  await expect(page.getByTestId("group-immunization").getByRole("listitem").filter({ hasText: "Tetanus booster" })).toContainText(
    "childhood, exact date unknown",
  );
  const medications = page.getByTestId("group-medication");
  await expect(medications.getByRole("button", { name: "lisinopril 10 mg tablet", exact: true })).toBeVisible();
  await expect(medications.getByRole("listitem").filter({ hasText: "anastrozole" })).toContainText("from Mar 2015");
  // Sorted newest first, the undated last.
  await expect(problems.locator("li > button.link-button")).toHaveText(["Menopausal flushing (finding)", "Asthma", "Chickenpox", "Migraine"]);

  // The search finds a medication named only by its reference's display, and a result by its LOINC code.
  const search = page.getByLabel("Search your records");
  await search.fill("lisinopril");
  await expect(medications.getByRole("button", { name: "lisinopril 10 mg tablet" })).toBeVisible();
  await expect(page.getByTestId("group-observation")).toHaveCount(0);
  await search.fill("2160-0");
  await expect(page.getByTestId("group-observation").locator("li")).toHaveCount(1);
  await search.fill("");

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(viewport);
    const detail = await openRecord(page, "observation", /^Creatinine/);
    await expect(detail.getByTestId("record-value")).toHaveText("≥90 mL/min/{1.73_m2}");
    const labels = (await detail.locator("dt").allTextContents()).map((label) => label.trim());
    expect(labels).toEqual(expect.arrayContaining(["Result", "Status", "Category", "Code", "When", "Value"]));
    expect(labels.filter((label) => /valueQuantity|effectiveDateTime|[a-z][A-Z]/.test(label))).toEqual([]);
    await expect(detail).not.toContainText("[object Object]");
    await expectFitsViewport(page, `creatinine detail at ${viewport.width} px`);
    await detail.getByRole("button", { name: "Close" }).click();

    const medication = await openRecord(page, "medication", "lisinopril 10 mg tablet");
    await expect(medication.locator(".field-pair").filter({ has: page.locator("dt", { hasText: /^Medication$/ }) })).toContainText("lisinopril 10 mg tablet");
    await medication.getByRole("button", { name: "Close" }).click();

    const chickenpox = await openRecord(page, "condition", "Chickenpox");
    await expect(chickenpox.locator(".field-pair").filter({ has: page.locator("dt", { hasText: /^Onset$/ }) })).toContainText("7 years");
    await expectFitsViewport(page, `chart at ${viewport.width} px`);
    await chickenpox.getByRole("button", { name: "Close" }).click();
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // The clinician's view: the same groups, order and search.
  await chooseClinician(page, "Nephrology", "Dr Vera Values");
  const form = page.getByTestId("share-form");
  await form.getByLabel("All my records, including future ones").check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByTestId("grant-row")).toBeVisible();

  const view = doctor.page;
  await view.getByRole("link", { name: "Shared with me" }).click();
  const shared = view.getByTestId("shared-patient");
  await expect(shared.getByRole("heading", { level: 3, name: "Results and vital signs (8)" })).toBeVisible({ timeout: 30_000 });
  const headings = await shared.locator("[data-testid^='group-'] h3").allTextContents();
  expect(headings.map((heading) => heading.replace(/\s*\(\d+\)$/, ""))).toEqual([
    "Problems",
    "Medications",
    "Allergies",
    "Immunizations",
    "Results and vital signs",
    // 01's Composition, shared with "all my records" like everything else.
    "Summaries received",
  ]);
  await expect(shared.getByTestId("group-condition").locator("li > div > button.link-button")).toHaveText([
    "Menopausal flushing (finding)",
    "Asthma",
    "Chickenpox",
    "Migraine",
  ]);
  await shared.getByRole("searchbox").fill("lisinopril");
  await expect(shared.getByRole("button", { name: "lisinopril 10 mg tablet" })).toBeVisible();
  await expect(shared.getByTestId("group-observation")).toHaveCount(0);
  await shared.getByRole("searchbox").fill("creatinine");
  await shared.getByRole("button", { name: /^Creatinine/ }).click();
  await expect(shared.getByTestId("record-value")).toHaveText("≥90 mL/min/{1.73_m2}");
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 900 },
  ]) {
    await view.setViewportSize(viewport);
    await expectFitsViewport(view, `clinician's view at ${viewport.width} px`);
  }
  await Promise.all([doctor.close(), patient.close()]);
});
