import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "./support/test";
import { planImport } from "../client/fhir";
import { signInOnSignInPage, signUpThroughPage, unlockVault } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { trailActions } from "./support/audit";
import { chartListUrl } from "./support/api-routes";

const ipsPath = path.resolve(__dirname, "../fixtures/shl/IPS_IG-bundle-01.json");

async function openChart(page: Page) {
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "My records" })).toBeVisible();
}

async function importFile(page: Page, file: string, expected: number) {
  await page.getByLabel("Bundle file (.json)").setInputFiles(file);
  await expect(page.getByTestId("import-plan")).toContainText(`Ready to import ${expected} records`);
  await page.getByRole("button", { name: `Import ${expected} records` }).click();
  await expect(page.getByText(`Imported ${expected} records.`)).toBeVisible();
}

test("import the International Patient Summary, find it decrypted after a reload, export it and import the export", async ({ page, browser }, testInfo) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Ines Import" });
  await openChart(page);
  await expect(page.getByText("Your chart is empty")).toBeVisible();

  await importFile(page, ipsPath, 13);
  await expect(page.getByTestId("group-condition").getByRole("listitem")).toHaveCount(2);
  await expect(page.getByTestId("group-medication").getByRole("listitem")).toHaveCount(2);
  await expect(page.getByTestId("group-allergy").getByRole("listitem")).toHaveCount(2);
  await expect(page.getByTestId("group-observation").getByRole("listitem")).toHaveCount(7);

  // Search runs over decrypted text in the browser.
  const firstProblem = (await page.getByTestId("group-condition").getByRole("button").first().textContent())!;
  await page.getByLabel("Search your records").fill(firstProblem.slice(0, 6));
  await expect(page.getByTestId("group-condition").getByRole("button", { name: firstProblem })).toBeVisible();
  await expect(page.getByTestId("group-observation")).toHaveCount(0);
  await page.getByLabel("Search your records").fill("");

  // A readable view, not raw JSON.
  await page.getByTestId("group-condition").getByRole("button").first().click();
  await expect(page.getByTestId("record-detail")).toContainText("Clinical status");
  await expect(page.getByTestId("record-detail")).not.toContainText('"resourceType"');

  // After a reload the keys are gone from memory; one passkey tap unlocks and decrypts again.
  await page.reload();
  await unlockVault(page);
  await expect(page.getByTestId("group-observation").getByRole("listitem")).toHaveCount(7);

  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export all" }).click();
  const exportedPath = testInfo.outputPath("export.json");
  await (await downloadPromise).saveAs(exportedPath);
  const exported = JSON.parse(readFileSync(exportedPath, "utf8"));
  const original = planImport(JSON.parse(readFileSync(ipsPath, "utf8")));
  const roundTrip = planImport(exported);
  const byId = (records: typeof original.records) => [...records].sort((a, b) => String(a.resource.id).localeCompare(String(b.resource.id)));
  expect(byId(roundTrip.records).map((record) => record.resource)).toEqual(byId(original.records).map((record) => record.resource));
  await expect.poll(() => trailActions(page)).toContain("records-exported");

  // Another patient imports the export and gets the same records.
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto("/");
  await addVirtualAuthenticator(other, { prf: true });
  await signUpThroughPage(other, { role: "patient", name: "Olga Other" });
  await openChart(other);
  await importFile(other, exportedPath, 13);
  await expect(other.getByTestId("group-observation").getByRole("listitem")).toHaveCount(7);
  await context.close();
});

test("write a note, edit it into a second version, see both, then delete it", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Nadia Notes" });
  await openChart(page);

  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByRole("button", { name: "Save note" }).click();
  await expect(page.getByText("Give the note a title.")).toBeVisible();
  await page.getByLabel("Title").fill("Knee after the run");
  await page.getByLabel("Note", { exact: true }).fill("Swelling on the left knee.\nIce twice a day.");
  await page.getByRole("button", { name: "Save note" }).click();
  await page.getByTestId("group-note").getByRole("button", { name: "Knee after the run" }).click();
  await expect(page.getByTestId("record-detail")).toContainText("Ice twice a day.");

  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Text").fill("Swelling gone after a week.");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByTestId("record-detail")).toContainText("version 2");
  await page.getByRole("button", { name: "Show all versions" }).click();
  await expect(page.getByTestId("versions").getByRole("listitem")).toHaveCount(2);
  await expect(page.getByTestId("versions")).toContainText("Ice twice a day.");
  await expect(page.getByTestId("versions")).toContainText("Swelling gone after a week.");

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Your chart is empty")).toBeVisible();
});

test("a problem form explains errors next to the field and saves a readable record", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Paul Problem" });
  await openChart(page);
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Since (optional)").fill("2999-01-01");
  await page.getByRole("button", { name: "Save problem" }).click();
  await expect(page.getByText("Enter the name of the condition.")).toBeVisible();
  await expect(page.getByText("The date cannot be in the future.")).toBeVisible();
  await page.getByLabel("Condition").fill("Seasonal asthma");
  await page.getByLabel("Since (optional)").fill("2019-04-01");
  await page.getByRole("button", { name: "Save problem" }).click();
  await expect(page.getByTestId("group-condition").getByRole("button", { name: "Seasonal asthma" })).toBeVisible();
});

test("one record of each kind survives a reload and a new sign-in, decrypted", async ({ page }, testInfo) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Kim Every-Kind" });
  await openChart(page);

  const add = async (button: string, fill: Record<string, string>, save: string) => {
    await page.getByRole("button", { name: button }).click();
    for (const [label, value] of Object.entries(fill)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole("button", { name: save }).click();
  };
  await add("Add a problem", { Condition: "Migraine" }, "Save problem");
  await add("Add a medication", { Medication: "Sumatriptan 50 mg" }, "Save medication");
  await add("Add an allergy", { "Allergic to": "Penicillin" }, "Save allergy");
  await add("Add an immunization", { Vaccine: "Influenza 2026", "Date given": "2026-10-02" }, "Save immunization");
  await add("Add a result or measurement", { "What was measured": "Weight", Value: "71.5", Unit: "kg", Date: "2026-11-01" }, "Save result or measurement");
  await add("Add a note", { Title: "Headache diary", Note: "Three episodes this month." }, "Save note");
  const scan = testInfo.outputPath("referral.pdf");
  writeFileSync(scan, "%PDF-1.4\n% a tiny test document\n");
  await page.getByLabel("File", { exact: true }).setInputFiles(scan);
  await expect(page.getByText("referral.pdf was encrypted and saved.")).toBeVisible();

  const expectAll = async () => {
    for (const [group, title] of [
      ["condition", "Migraine"],
      ["medication", "Sumatriptan 50 mg"],
      ["allergy", "Penicillin"],
      ["immunization", "Influenza 2026"],
      ["observation", /^Weight: 7\d\.\d kg$/],
      ["note", "Headache diary"],
      ["document", "referral.pdf"],
    ] as Array<[string, string | RegExp]>) {
      await expect(page.getByTestId(`group-${group}`).getByRole("button", { name: title })).toBeVisible();
    }
  };
  await expectAll();

  // Any kind can be edited into a new version; the old one stays readable.
  await page.getByTestId("group-observation").getByRole("button", { name: "Weight: 71.5 kg" }).click();
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Value", { exact: true }).fill("70.9");
  await page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(page.getByTestId("record-detail")).toContainText("version 2");
  await page.getByRole("button", { name: "Show all versions" }).click();
  await expect(page.getByTestId("versions")).toContainText("Weight: 71.5 kg");
  await expect(page.getByTestId("versions")).toContainText("Weight: 70.9 kg");
  await page.getByRole("button", { name: "Close" }).click();
  await page.getByTestId("group-observation").getByRole("button", { name: "Weight: 70.9 kg" }).click();
  await page.getByRole("button", { name: "Close" }).click();

  await page.reload();
  await unlockVault(page);
  await expectAll();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/sign-in");
  await signInOnSignInPage(page);
  await expect(page).toHaveURL(/\/home$/);
  await openChart(page);
  await expectAll();
});

test("a record whose ciphertext or signature was altered on the server is refused, plainly", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Tara Tamper" });
  await openChart(page);
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill("Original note");
  await page.getByLabel("Note", { exact: true }).fill("Nobody may change this.");
  await page.getByRole("button", { name: "Save note" }).click();
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Condition", { exact: true }).fill("Untouched problem");
  await page.getByRole("button", { name: "Save problem" }).click();
  await expect(page.getByTestId("group-note").getByRole("button", { name: "Original note" })).toBeVisible();
  await expect(page.getByTestId("group-condition").getByRole("button", { name: "Untouched problem" })).toBeVisible();

  for (const field of ["content", "signature"] as const) {
    await page.route(chartListUrl, async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      const body = (await response.json()) as { records: Array<{ current: Record<string, string> }> };
      const target = body.records[0]!.current;
      const bytes = Buffer.from(target[field]!, "base64url");
      bytes[bytes.length - 5]! ^= 0x01;
      target[field] = bytes.toString("base64url");
      await route.fulfill({ response, json: body });
    });
    await page.reload();
    await unlockVault(page);
    await expect(page.getByTestId("integrity-warning")).toContainText("One record could not be verified");
    await expect(page.getByRole("button", { name: "Original note" })).toHaveCount(0);
    await expect(page.getByTestId("group-condition").getByRole("button", { name: "Untouched problem" })).toBeVisible();
    await page.unroute(chartListUrl);
  }
});
