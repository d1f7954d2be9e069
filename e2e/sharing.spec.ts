import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { expect, test } from "./support/test";
import { cryptoReady, decryptRecordContent, fromBase64url } from "@/crypto";
import { addNote, chooseClinician, newPerson, recordKeysHeldBy } from "./support/sharing";
import { chartListUrl } from "./support/api-routes";

type ChartJson = {
  records: Array<{ id: string; keyVersion: number; current: { content: string; version: number; keyVersion: number; blobId: string | null } }>;
};

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

test("a patient shares chosen records read-only with a doctor, who opens and downloads them; revoking cuts the doctor off and the keys are rotated", async ({
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Sharon Share", specialty: "Neurology", organization: "Lakeside Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Pia Patient" });

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Shared migraine diary", "Aura before each episode.");
  await addNote(patient.page, "Private note", "Not for the neurologist.");
  const scan = randomBytes(1_500_000);
  const scanPath = testInfo.outputPath("mri-report.bin");
  writeFileSync(scanPath, scan);
  await patient.page.getByLabel("File", { exact: true }).setInputFiles(scanPath);
  await expect(patient.page.getByText("mri-report.bin was encrypted and saved.")).toBeVisible({ timeout: 30_000 });

  await chooseClinician(patient.page, "Neurology", "Dr Sharon Share");
  const form = patient.page.getByTestId("share-form");
  await expect(patient.page.getByTestId("clinician-safety-code")).toHaveText(/^\d{5}( \d{5}){11}$/);
  await form.getByLabel("I compared this code with Dr Sharon Share", { exact: false }).check();
  await form.getByLabel("Shared migraine diary", { exact: true }).check();
  await form.getByLabel("mri-report.bin", { exact: true }).check();
  await expect(form.getByLabel("Permission")).toHaveValue("read");
  await expect(form.getByLabel("Your name as Dr Sharon Share will see it")).toHaveValue("Pia Patient");
  await form.getByLabel("Your name as Dr Sharon Share will see it").fill("Pia P.");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Sharon Share.")).toBeVisible();
  const row = patient.page.getByTestId("grant-row");
  await expect(row).toContainText("2 records · read only · no end date · active");
  await expect(row.getByTestId("last-opened")).toHaveText("Not opened yet");

  // The doctor sees exactly what was shared, under the name the patient chose, and downloads the file.
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await expect(shared.getByRole("heading", { name: "Pia P." })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Shared migraine diary" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Private note" })).toHaveCount(0);
  await shared.getByRole("button", { name: "Shared migraine diary" }).click();
  await expect(shared).toContainText("Aura before each episode.");
  await shared.getByRole("button", { name: "mri-report.bin" }).click();
  const downloadPromise = doctor.page.waitForEvent("download");
  await shared.getByRole("button", { name: "Download decrypted" }).click();
  const savedPath = testInfo.outputPath("doctor-download.bin");
  await (await downloadPromise).saveAs(savedPath);
  expect(sha256(readFileSync(savedPath))).toBe(sha256(scan));

  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("grant-row").getByTestId("last-opened")).toContainText("Last opened");
  // The patient looks at the chart before revoking, so this page holds it when the keys rotate.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await expect(patient.page.getByTestId("group-document").getByRole("button", { name: "mri-report.bin" })).toBeVisible();
  await patient.page.getByRole("link", { name: "Sharing" }).click();

  // What the doctor's browser holds now: the diary's key, among others.
  const { records: chart } = (await (await patient.page.request.get("/api/records")).json()) as ChartJson;
  const held = await recordKeysHeldBy(doctor);
  expect(held.size).toBe(2);
  const grantId = ((await (await doctor.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;

  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Revoke Dr Sharon Share" }).click();
  await expect(
    patient.page.getByText("Dr Sharon Share can no longer open the 2 records in this share. Dr Sharon Share no longer has any access to your records."),
  ).toBeVisible();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("2 records now use new keys that no one whose access ended ever held.", {
    timeout: 60_000,
  });
  await expect(patient.page.getByText("You are not sharing anything right now.")).toBeVisible();

  // The doctor's next request is refused, and their view is empty.
  const refused = await doctor.page.request.get(`/api/shared/${grantId}/records`);
  expect(refused.status()).toBe(404);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not-found");
  await doctor.page.reload();
  await doctor.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(doctor.page.getByText("No patient is sharing records with you right now.")).toBeVisible();

  // After rotation, the current ciphertext of each record the doctor held does not open with the key they had.
  await cryptoReady();
  const { records: rotated } = (await (await patient.page.request.get("/api/records")).json()) as ChartJson;
  for (const [recordId, oldKey] of held) {
    const before = chart.find((record) => record.id === recordId)!;
    const after = rotated.find((record) => record.id === recordId)!;
    expect(after.keyVersion).toBe(before.current.keyVersion + 1);
    // Rotation re-encrypts the version in place: not a new version of the content.
    expect(after.current.version).toBe(before.current.version);
    // The key they had opened the version they saw...
    expect(
      decryptRecordContent(fromBase64url(before.current.content), oldKey, { recordId, version: before.current.version, keyVersion: before.current.keyVersion })
        .length,
    ).toBeGreaterThan(0);
    // ...and opens nothing of the current one, under any context; a file's body was re-encrypted into a new blob.
    if (before.current.blobId) {
      expect(after.current.blobId).not.toBe(before.current.blobId);
      expect((await doctor.page.request.get(`/api/blobs/${after.current.blobId}/chunks/0`)).status()).toBe(404);
    }
    for (const keyVersion of [after.current.keyVersion, before.current.keyVersion]) {
      expect(() => decryptRecordContent(fromBase64url(after.current.content), oldKey, { recordId, version: after.current.version, keyVersion })).toThrow();
    }
  }
  // The patient still reads everything, old versions included. The chart this page loaded
  // before the revoke was refreshed by the rotation: even while a fresh load is slow, nothing
  // shown points at a file under the old key.
  await patient.page.route(chartListUrl, async (route) => {
    if (route.request().method() === "GET") await new Promise((resolve) => setTimeout(resolve, 10_000));
    await route.fallback();
  });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await patient.page.getByTestId("group-note").getByRole("button", { name: "Shared migraine diary" }).click();
  await patient.page.getByRole("button", { name: "Show all versions" }).click();
  await expect(patient.page.getByTestId("record-detail")).toContainText("Version 1");
  await expect(patient.page.getByTestId("record-detail")).not.toContainText("Version 2");
  await patient.page.getByTestId("group-document").getByRole("button", { name: "mri-report.bin" }).click();
  const patientDownload = patient.page.waitForEvent("download");
  await patient.page.getByRole("button", { name: "Download decrypted" }).click();
  const rotatedPath = testInfo.outputPath("patient-download-after-rotation.bin");
  await (await patientDownload).saveAs(rotatedPath);
  expect(sha256(readFileSync(rotatedPath))).toBe(sha256(scan));

  expect((await patient.page.request.get("/api/shared")).status()).toBe(403);
  expect((await doctor.page.request.get("/api/grants")).status()).toBe(403);
  await Promise.all([doctor.close(), patient.close()]);
});

test("records created after an 'all records' grant reach the clinician, a grant to a nurse starts read-only, and one record can be taken back", async ({
  browser,
}) => {
  const nurse = await newPerson(browser, { role: "nurse", name: "Nora Nurse", specialty: "Diabetes care", organization: "Hilltop Practice" });
  const patient = await newPerson(browser, { role: "patient", name: "Ada Allrecords" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Glucose log", "Fasting 5.4 mmol/L.");

  await chooseClinician(patient.page, "Diabetes", "Nora Nurse");
  const form = patient.page.getByTestId("share-form");
  await expect(form.getByLabel("Permission")).toHaveValue("read");
  await form.getByLabel("All my records, including future ones").check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByTestId("grant-row")).toContainText("All records, including future ones · read only");

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Foot check", "Sensation normal both feet.");

  await nurse.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = nurse.page.getByTestId("shared-patient");
  await expect(shared.getByRole("button", { name: "Glucose log" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Foot check" })).toBeVisible();
  await expect(shared).toContainText("Read only");
  await expect(shared.getByRole("button", { name: /Add a note/ })).toHaveCount(0);

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByTestId("grant-row").getByRole("button", { name: "Show records" }).click();
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Stop sharing Glucose log with Nora Nurse" }).click();
  await expect(patient.page.getByText('Nora Nurse can no longer open "Glucose log".')).toBeVisible();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 60_000 });

  await nurse.page.reload();
  await nurse.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(shared.getByRole("button", { name: "Foot check" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Glucose log" })).toHaveCount(0);
  // A later record still reaches the nurse: the grant still covers "all", minus what was taken back.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Eye screening", "No retinopathy.");
  await nurse.page.reload();
  await nurse.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(shared.getByRole("button", { name: "Eye screening" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Glucose log" })).toHaveCount(0);
  await Promise.all([nurse.close(), patient.close()]);
});

test("a doctor allowed to contribute adds a note; the patient sees it in their chart with the doctor as author", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Carl Contribute", specialty: "Cardiology", organization: "Heart Centre" });
  const patient = await newPerson(browser, { role: "patient", name: "Cora Chart" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Palpitations", "Mostly at night.");
  await chooseClinician(patient.page, "Cardiology", "Dr Carl Contribute");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Palpitations", { exact: true }).check();
  await form.getByLabel("Permission").selectOption("contribute");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByTestId("grant-row")).toContainText("read and add notes");

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await shared.getByRole("button", { name: "Add a note to Cora Chart's chart" }).click();
  await shared.getByLabel("Title").fill("Holter monitor plan");
  await shared.getByLabel("Note", { exact: true }).fill("Wear the monitor for 48 hours from Monday.");
  await shared.getByRole("button", { name: "Save note" }).click();
  await expect(doctor.page.getByText("Your note was encrypted to Cora Chart and added to their chart.")).toBeVisible();
  await expect(shared.getByRole("button", { name: "Holter monitor plan" })).toBeVisible();
  await expect(shared).toContainText("Added by you");

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  const note = patient.page.getByTestId("group-note");
  await expect(note.getByRole("button", { name: "Holter monitor plan" })).toBeVisible();
  await expect(note).toContainText("Added by Dr Carl Contribute (doctor)");
  await note.getByRole("button", { name: "Holter monitor plan" }).click();
  await expect(patient.page.getByTestId("record-detail")).toContainText("Wear the monitor for 48 hours from Monday.");
  await Promise.all([doctor.close(), patient.close()]);
});

test("key rotation after a revoke resumes after a reload when it was cut off midway", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Rita Resume", specialty: "Geriatrics", organization: "Elm Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Otto Onward" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  for (const title of ["Fall risk review", "Hearing test", "Memory clinic letter"]) await addNote(patient.page, title, `${title} text.`);
  await chooseClinician(patient.page, "Geriatrics", "Dr Rita Resume");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("All my records, including future ones").check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Rita Resume.")).toBeVisible();

  // The connection drops as the batch of rotations leaves: none of the three records has its new key.
  await patient.page.route("**/api/records/rotations", (route) => route.abort("connectionreset"));
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Revoke Dr Rita Resume" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("will be tried again", { timeout: 60_000 });
  const keyVersions = async () =>
    ((await (await patient.page.request.get("/api/records")).json()) as { records: Array<{ keyVersion: number }> }).records
      .map((record) => record.keyVersion)
      .sort();
  expect(await keyVersions()).toEqual([1, 1, 1]);

  await patient.page.unroute("**/api/records/rotations");
  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("3 records now use new keys", { timeout: 60_000 });
  expect(await keyVersions()).toEqual([2, 2, 2]);
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  for (const title of ["Fall risk review", "Hearing test", "Memory clinic letter"]) {
    await expect(patient.page.getByTestId("group-note").getByRole("button", { name: title })).toBeVisible();
  }
  await Promise.all([doctor.close(), patient.close()]);
});
