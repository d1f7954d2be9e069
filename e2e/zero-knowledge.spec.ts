import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { encodings } from "./support/secrets";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

const dataDir = path.resolve(__dirname, "../.e2e-data");
const serverLog = `${dataDir}.log`;

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every place a canary could hide in the database files or the logs, in every encoding. */
function occurrences(canary: string): string[] {
  const forms = encodings(canary).map((form) => Buffer.from(form));
  const hits: string[] = [];
  for (const file of [...filesUnder(dataDir), serverLog]) {
    const bytes = readFileSync(file);
    for (const form of forms) if (bytes.includes(form)) hits.push(`${path.relative(dataDir, file)}: ${form.toString()}`);
  }
  return hits;
}

test("canaries typed or uploaded by a patient appear nowhere in the database files or the server logs", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const canary = {
    name: "Canaryname Quillfeather",
    title: "CanaryTitle Zylophone",
    text: "CanaryText ultramarine-walrus",
    problem: "CanaryProblem Vorpalitis",
    fileName: "canary-filename-xq7.pdf",
    fileContent: "CanaryFileContent obsidian-heron",
  };
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: canary.name });
  await page.getByRole("link", { name: "My records" }).first().click();
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill(canary.title);
  await page.getByLabel("Note", { exact: true }).fill(canary.text);
  await page.getByRole("button", { name: "Save note" }).click();
  await page.getByRole("button", { name: "Add a problem" }).click();
  await page.getByLabel("Condition", { exact: true }).fill(canary.problem);
  await page.getByRole("button", { name: "Save problem" }).click();
  const upload = testInfo.outputPath(canary.fileName);
  writeFileSync(upload, `%PDF-1.4\n${canary.fileContent}\n`);
  await page.getByLabel("File", { exact: true }).setInputFiles(upload);
  await expect(page.getByText(`${canary.fileName} was encrypted and saved.`)).toBeVisible();
  await expect(page.getByTestId("group-note").getByRole("button", { name: canary.title })).toBeVisible();

  // A positive control: a clinician's public directory entry is stored as text, so the
  // scan must find it; otherwise the files were not written yet and the test proves nothing.
  const context = await page.context().browser()!.newContext();
  const clinician = await context.newPage();
  await clinician.goto("/");
  await addVirtualAuthenticator(clinician, { prf: true });
  await signUpThroughPage(clinician, { role: "doctor", name: "Dr Publicname Directoryentry" });
  await context.close();
  await expect.poll(() => occurrences("Dr Publicname Directoryentry").length, { timeout: 30_000 }).toBeGreaterThan(0);

  for (const [what, value] of Object.entries(canary)) expect(occurrences(value), what).toEqual([]);
});
