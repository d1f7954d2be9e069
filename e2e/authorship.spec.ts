import { expect, test, type Page } from "./support/test";
import { addNote, chooseClinician, grantThroughApi, newPerson, type Person } from "./support/sharing";

// Every version carries and verifies its own signer: a patient's edit of a clinician's note
// is the patient's version, the clinician's stays theirs, and a key rotation changes no author.

/** A fresh page load (which clears the keys from memory), unlocked again, on `path`. */
async function reopen(person: Person, path: "/chart" | "/shared") {
  await person.page.goto(path);
  await person.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(person.page.getByRole("button", { name: "Unlock with passkey" })).toHaveCount(0);
}

/** The shared-with-me row of one record: its title button's list item. */
const sharedRow = (page: Page, title: string) =>
  page
    .getByTestId("shared-patient")
    .getByRole("listitem")
    .filter({ has: page.getByRole("button", { name: title, exact: true }) });

test("a patient's edit of a doctor's note shows who wrote each version to the patient, the doctor and a nurse, and a key rotation changes no author", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Ada Author", specialty: "Neurology", organization: "Hillside Clinic" });
  const nurse = await newPerson(browser, { role: "nurse", name: "Nia Nurse", specialty: "Neurology", organization: "Hillside Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Pat Person" });

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Headache log", "Mostly mornings.");
  await chooseClinician(patient.page, "Neurology", "Dr Ada Author");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Headache log", { exact: true }).check();
  await form.getByLabel("Permission").selectOption("contribute");
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByTestId("grant-row")).toContainText("read and add notes");
  // The nurse sees everything, records added later included.
  await grantThroughApi(patient, nurse.userId, { recordIds: "all", expiresAt: null, revealedName: "Pat Person" });

  // The doctor adds two notes to the chart.
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  for (const [title, text] of [
    ["Migraine plan", "Start a headache diary; review in 4 weeks."],
    ["Referral letter", "Referred to the headache clinic."],
  ] as const) {
    await shared.getByRole("button", { name: "Add a note to Pat Person's chart" }).click();
    await shared.getByLabel("Title").fill(title);
    await shared.getByLabel("Note", { exact: true }).fill(text);
    await shared.getByRole("button", { name: "Save note" }).click();
    await expect(sharedRow(doctor.page, title)).toContainText("Added by you");
  }

  // The patient edits the doctor's plan: the chart names both authors, and the history each version's.
  await reopen(patient, "/chart");
  const notes = patient.page.getByTestId("group-note");
  await expect(notes.getByRole("listitem").filter({ hasText: "Migraine plan" }).first()).toContainText("Added by Dr Ada Author (doctor)");
  await notes.getByRole("button", { name: "Migraine plan" }).click();
  const detail = patient.page.getByTestId("record-detail");
  await detail.getByRole("button", { name: "Edit" }).click();
  await detail.getByLabel("Text").fill("Headache diary kept since May; no triggers found.");
  await detail.getByRole("button", { name: "Save as a new version" }).click();
  await expect(notes.getByRole("listitem").filter({ hasText: "Migraine plan" }).first()).toContainText("Added by Dr Ada Author (doctor) · edited by you");
  // The detail stays open where it was, now showing the patient's version.
  await expect(detail).toContainText("Added by Dr Ada Author (doctor) · edited by you");
  await detail.getByRole("button", { name: "Show all versions" }).click();
  const versions = detail.getByTestId("versions").getByRole("listitem");
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toContainText("by Dr Ada Author (doctor)");
  await expect(versions.nth(1)).toContainText("by you");

  // The doctor still sees the note, with the patient's text, as the patient's edit of their note.
  await reopen(doctor, "/shared");
  await expect(doctor.page.getByText(/could not be verified/)).toHaveCount(0);
  await expect(sharedRow(doctor.page, "Migraine plan")).toContainText("Added by you · edited by the patient");
  await sharedRow(doctor.page, "Migraine plan").getByRole("button", { name: "Migraine plan" }).click();
  await expect(sharedRow(doctor.page, "Migraine plan")).toContainText("Headache diary kept since May");

  // The nurse verifies each version by its own signer too.
  await nurse.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(sharedRow(nurse.page, "Migraine plan")).toContainText("Added by Dr Ada Author (doctor) · edited by the patient");
  await expect(sharedRow(nurse.page, "Referral letter")).toContainText("Added by Dr Ada Author (doctor)");

  // Revoking the doctor rotates every key the doctor held; nobody's authorship changes, and no version is added.
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByRole("button", { name: "Revoke Dr Ada Author" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("now use new keys that no one whose access ended ever held", { timeout: 60_000 });
  const chart = (await (await patient.page.request.get("/api/records")).json()) as {
    records: Array<{ keyVersion: number; currentVersion: number; statements: unknown[] }>;
  };
  expect(chart.records.filter((record) => record.keyVersion === 2)).toHaveLength(3);
  expect(chart.records.map((record) => record.statements.length).sort()).toEqual([1, 1, 2]);

  await reopen(nurse, "/shared");
  await expect(nurse.page.getByText(/could not be verified/)).toHaveCount(0);
  await expect(sharedRow(nurse.page, "Referral letter")).toContainText("Added by Dr Ada Author (doctor)");
  await expect(sharedRow(nurse.page, "Migraine plan")).toContainText("Added by Dr Ada Author (doctor) · edited by the patient");
  await expect(sharedRow(nurse.page, "Headache log")).not.toContainText("Added by");

  await reopen(patient, "/chart");
  await notes.getByRole("button", { name: "Referral letter" }).click();
  await expect(detail).toContainText("Added by Dr Ada Author (doctor)");
  await detail.getByRole("button", { name: "Show all versions" }).click();
  await expect(detail.getByTestId("versions").getByRole("listitem")).toHaveCount(1);
  await expect(detail.getByTestId("versions")).toContainText("by Dr Ada Author (doctor)");
  await Promise.all([doctor.close(), nurse.close(), patient.close()]);
});

test("a server that names another author for an earlier version, or leaves one out, is refused", async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Ida Integrity", specialty: "Dermatology", organization: "Hillside Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Pam Proof" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Rash photo notes", "Left forearm.");
  await chooseClinician(patient.page, "Dermatology", "Dr Ida Integrity");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Rash photo notes", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByTestId("grant-row")).toBeVisible();
  // A second version by the patient, so there is an earlier statement to tamper with.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await patient.page.getByTestId("group-note").getByRole("button", { name: "Rash photo notes" }).click();
  await patient.page.getByTestId("record-detail").getByRole("button", { name: "Edit" }).click();
  await patient.page.getByTestId("record-detail").getByLabel("Text").fill("Left forearm, spreading.");
  await patient.page.getByTestId("record-detail").getByRole("button", { name: "Save as a new version" }).click();

  for (const tamper of [
    (statements: Array<Record<string, unknown>>) => [{ ...statements[0], authorId: doctor.userId }, ...statements.slice(1)],
    (statements: Array<Record<string, unknown>>) => statements.slice(1),
  ]) {
    await doctor.page.route("**/api/shared/*/records", async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { records: Array<{ statements: Array<Record<string, unknown>> }> };
      for (const record of body.records) record.statements = tamper(record.statements);
      await route.fulfill({ response, json: body });
    });
    await doctor.page.goto("/shared");
    await doctor.page.getByRole("button", { name: "Unlock with passkey" }).click();
    await expect(doctor.page.getByText(/could not be verified/)).toBeVisible();
    await expect(doctor.page.getByRole("button", { name: "Rash photo notes" })).toHaveCount(0);
    await doctor.page.unroute("**/api/shared/*/records");
  }
  await Promise.all([doctor.close(), patient.close()]);
});
