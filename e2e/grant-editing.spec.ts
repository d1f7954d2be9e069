import { expect, test, type Page } from "./support/test";
import { unlockVault } from "./support/accounts";
import { cryptoReady, generateEncryptionKeyPair, generateIdentityKeyPair, signKeyCertificate, toBase64url } from "@/crypto";
import { addNote, chooseClinician, newPerson, recordKeysHeldBy } from "./support/sharing";

/** A date input's value some days from now, in this machine's (and the browser's) time zone. */
function dayFromNow(days: number) {
  const date = new Date(Date.now() + days * 86_400_000);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

async function unlockAgain(page: Page) {
  await page.reload();
  await unlockVault(page);
}

test("a patient changes a share in place (adds a record, takes one out, makes it read only, sets an end date); the doctor sees exactly the new share and an older statement is refused", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Eddie Edit", specialty: "Cardiology", organization: "Harbour Hospital" });
  const patient = await newPerson(browser, { role: "patient", name: "Erin Editor" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Blood pressure log", "128/82 in the morning.");
  await addNote(patient.page, "Sleep diary", "Wakes twice a night.");
  await addNote(patient.page, "Knee note", "Swelling after running.");

  await chooseClinician(patient.page, "Cardiology", "Dr Eddie Edit");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Blood pressure log", { exact: true }).check();
  await form.getByLabel("Sleep diary", { exact: true }).check();
  await form.getByLabel("Permission").selectOption("contribute");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  const row = patient.page.getByTestId("grant-row");
  await expect(row).toContainText("2 records · read and add notes · no end date · active");

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await expect(shared.getByRole("button", { name: "Sleep diary" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Knee note" })).toHaveCount(0);
  // The doctor's page stays open with the note form from before the change.
  await shared.getByRole("button", { name: /Add a note/ }).click();
  const before = await (await doctor.page.request.get("/api/shared")).text();
  const { grants } = JSON.parse(before) as { grants: Array<{ grantId: string; revision: number }> };
  expect(grants[0]!.revision).toBe(1);
  const grantId = grants[0]!.grantId;
  const heldBefore = [...(await recordKeysHeldBy(doctor)).keys()];
  expect(heldBefore).toHaveLength(2);

  // The form opens in place with the current terms, takes focus, and gives it back when closed.
  const edit = row.getByRole("button", { name: "Edit the share with Dr Eddie Edit" });
  await edit.click();
  const editor = row.getByTestId("grant-editor");
  await expect(editor.getByRole("heading", { name: "Change what Dr Eddie Edit can see" })).toBeFocused();
  await expect(editor.getByLabel("Blood pressure log", { exact: true })).toBeChecked();
  await expect(editor.getByLabel("Sleep diary", { exact: true })).toBeChecked();
  await expect(editor.getByLabel("Knee note", { exact: true })).not.toBeChecked();
  await expect(editor.getByLabel("Permission")).toHaveValue("contribute");
  await expect(editor.getByRole("button", { name: "Save changes" })).toBeDisabled();
  await editor.getByRole("button", { name: "Cancel" }).click();
  await expect(editor).toHaveCount(0);
  await expect(edit).toBeFocused();

  await edit.click();
  await editor.getByLabel("Sleep diary", { exact: true }).uncheck();
  await editor.getByLabel("Knee note", { exact: true }).check();
  await editor.getByLabel("Permission").selectOption("read");
  await editor.getByLabel("Until (leave empty for no end date)").fill(dayFromNow(10));
  const summary = editor.getByTestId("grant-change-summary");
  await expect(summary).toContainText("Add 1 record: Knee note");
  await expect(summary).toContainText("Stop sharing 1 record: Sleep diary");
  await expect(summary).toContainText("Permission: read and add notes becomes read only");
  await expect(summary).toContainText("End date: none becomes");
  await editor.getByRole("button", { name: "Save changes" }).click();
  await expect(
    patient.page.getByText(
      /Changed your share with Dr Eddie Edit: added 1 record; took out 1 record; Dr Eddie Edit can now only read, not add notes; it now ends on .+\. Dr Eddie Edit can now open 2 records through this share\./,
    ),
  ).toBeVisible();
  await expect(edit).toBeFocused();
  await expect(row).toContainText(/2 records · read only · until .+ · active/);
  // The record taken out moves to a new key, as after any revocation.
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 60_000 });

  // Read only at once: the doctor's open note form is refused by the server.
  await shared.getByLabel("Title").fill("Late note");
  await shared.getByLabel("Note", { exact: true }).fill("Should not land.");
  await shared.getByRole("button", { name: "Save note" }).click();
  await expect(doctor.page.getByText("This patient shared their records for reading only.")).toBeVisible();

  // The doctor now sees exactly the new set, read only, and the record taken out is refused.
  await unlockAgain(doctor.page);
  await expect(shared.getByRole("button", { name: "Knee note" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Blood pressure log" })).toBeVisible();
  await expect(shared.getByRole("button", { name: "Sleep diary" })).toHaveCount(0);
  await expect(shared.getByRole("alert")).toHaveCount(0);
  await expect(shared).toContainText("Read only");
  await expect(shared.getByRole("button", { name: /Add a note/ })).toHaveCount(0);
  const heldAfter = [...(await recordKeysHeldBy(doctor)).keys()];
  expect(heldAfter).toHaveLength(2);
  // One record stayed (the log), one left (the diary), one came (the knee note).
  const left = heldBefore.filter((id) => !heldAfter.includes(id));
  expect(left).toHaveLength(1);
  const sleepId = left[0]!;
  const served = (await (await doctor.page.request.get(`/api/shared/${grantId}/records`)).json()) as { records: Array<{ id: string }> };
  expect(served.records.map((record) => record.id)).not.toContain(sleepId);

  // The server replays the statement from before the change (genuinely signed, revision 1): refused.
  await doctor.page.route("**/api/shared", (route) => route.fulfill({ status: 200, contentType: "application/json", body: before }));
  await unlockAgain(doctor.page);
  await expect(doctor.page.getByText("The server sent an older copy of a share than this browser has already seen.", { exact: false })).toBeVisible();
  await expect(doctor.page.getByRole("button", { name: /Add a note/ })).toHaveCount(0);
  await Promise.all([doctor.close(), patient.close()]);
});

test("revoking one of two shares with the same doctor says what ended and what the doctor can still open", async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Tess Twoshares", specialty: "Dermatology", organization: "Riverside Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Tom Twice" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Mole photo notes", "Left shoulder, 4 mm.");
  await addNote(patient.page, "Eczema flare", "Both elbows.");
  await addNote(patient.page, "Cream plan", "Twice daily for two weeks.");

  for (const titles of [["Mole photo notes"], ["Eczema flare", "Cream plan"]]) {
    await chooseClinician(patient.page, "Dermatology", "Dr Tess Twoshares");
    const form = patient.page.getByTestId("share-form");
    for (const title of titles) await form.getByLabel(title, { exact: true }).check();
    await form.getByRole("button", { name: "Share", exact: true }).click();
    await expect(patient.page.getByText("Shared with Dr Tess Twoshares.")).toBeVisible();
  }
  const rows = patient.page.getByTestId("grant-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "2 records ·" })).toHaveCount(1);
  // The two shares' controls have names a screen reader can tell apart.
  await expect(patient.page.getByRole("button", { name: "Revoke Dr Tess Twoshares (share 1 of 2: 1 record)", exact: true })).toHaveCount(1);
  await expect(patient.page.getByRole("button", { name: "Revoke Dr Tess Twoshares (share 2 of 2: 2 records)", exact: true })).toHaveCount(1);
  await expect(patient.page.getByRole("button", { name: /^Edit the share with Dr Tess Twoshares \(share [12] of 2/ })).toHaveCount(2);

  patient.page.once("dialog", (dialog) => dialog.accept());
  await rows.filter({ hasText: "1 record ·" }).getByRole("button", { name: "Revoke Dr Tess Twoshares" }).click();
  await expect(
    patient.page.getByText(
      "Dr Tess Twoshares can no longer open the 1 record in this share. Dr Tess Twoshares can still open 2 records through another share.",
      { exact: true },
    ),
  ).toBeVisible();
  await expect(rows).toHaveCount(1);
  await patient.page.getByText("Ended shares (1)").click();
  await expect(patient.page.getByTestId("ended-grant-row").getByTestId("remaining-access")).toHaveText(
    "Still open to Dr Tess Twoshares through another share: 2 records.",
  );

  await rows.getByRole("button", { name: "Show records" }).click();
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Stop sharing Eczema flare with Dr Tess Twoshares" }).click();
  await expect(
    patient.page.getByText('Dr Tess Twoshares can no longer open "Eczema flare". Dr Tess Twoshares can still open 1 record through this share.', {
      exact: true,
    }),
  ).toBeVisible();

  await expect(rows).toContainText("1 record · read only");
  patient.page.once("dialog", (dialog) => dialog.accept());
  await rows.getByRole("button", { name: "Revoke Dr Tess Twoshares" }).click();
  await expect(
    patient.page.getByText("Dr Tess Twoshares can no longer open the 1 record in this share. Dr Tess Twoshares no longer has any access to your records.", {
      exact: true,
    }),
  ).toBeVisible();
  await expect(patient.page.getByTestId("ended-grant-row").getByTestId("remaining-access")).toHaveText([
    "No other share with Dr Tess Twoshares is active.",
    "No other share with Dr Tess Twoshares is active.",
  ]);
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByText("No patient is sharing records with you right now.")).toBeVisible();
  await Promise.all([doctor.close(), patient.close()]);
});

test("a changed clinician key blocks a change that adds records, as it blocks a new share; narrowing still works and the doctor still verifies it", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Kim Keychange", specialty: "Oncology", organization: "City Hospital" });
  const patient = await newPerson(browser, { role: "patient", name: "Kai Keys" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Biopsy result", "Benign.");
  await addNote(patient.page, "Scan plan", "CT in three months.");
  await chooseClinician(patient.page, "Oncology", "Dr Kim Keychange");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Biopsy result", { exact: true }).check();
  await form.getByLabel("Permission").selectOption("contribute");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Kim Keychange.")).toBeVisible();

  // The server now answers with other keys, properly certified for the doctor's user id.
  await cryptoReady();
  const forgedIdentity = generateIdentityKeyPair();
  const forged = signKeyCertificate(
    { userId: doctor.userId, role: "doctor", encryptionPublicKey: generateEncryptionKeyPair().publicKey, createdAt: Date.now() },
    forgedIdentity.secretKey,
  );
  await patient.page.route(`**/api/users/${doctor.userId}/keys`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...body, identityPublicKey: toBase64url(forgedIdentity.publicKey), certificate: toBase64url(forged) } });
  });
  const row = patient.page.getByTestId("grant-row");
  await row.getByRole("button", { name: "Edit the share with Dr Kim Keychange" }).click();
  const editor = row.getByTestId("grant-editor");
  await editor.getByLabel("Scan plan", { exact: true }).check();
  await editor.getByRole("button", { name: "Save changes" }).click();
  await expect(editor.getByRole("alert")).toContainText("The keys of Dr Kim Keychange have changed, so no records can be added to this share");
  await expect(patient.page.getByTestId("key-changed-warning")).toContainText("The keys of Dr Kim Keychange have changed");
  const revision = async () =>
    ((await (await patient.page.request.get("/api/grants")).json()) as { grants: Array<{ revision: number; recordIds: string[] }> }).grants[0]!;
  expect((await revision()).revision).toBe(1);
  expect((await revision()).recordIds).toHaveLength(1);

  // Narrowing adds no key anywhere: it is signed for the key pinned at the first share.
  await editor.getByLabel("Scan plan", { exact: true }).uncheck();
  await editor.getByLabel("Permission").selectOption("read");
  await editor.getByRole("button", { name: "Save changes" }).click();
  await expect(patient.page.getByText(/Changed your share with Dr Kim Keychange: Dr Kim Keychange can now only read, not add notes\./)).toBeVisible();
  expect((await revision()).revision).toBe(2);

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await expect(shared.getByRole("button", { name: "Biopsy result" })).toBeVisible();
  await expect(shared).toContainText("Read only");
  await expect(shared.getByRole("button", { name: "Scan plan" })).toHaveCount(0);
  await Promise.all([doctor.close(), patient.close()]);
});
