import type { Page } from "@playwright/test";
import { signInThroughPage, signOutThroughPage } from "./support/accounts";
import { trailActions } from "./support/audit";
import { addNote, importRecords, newPerson, type Person } from "./support/sharing";
import { checkA11y, expect, test } from "./support/test";

const ips = "fixtures/real-world/04-ips-with-immunization.json";
// The IPS fixture's allergies (2), medications (2), problems (2) and immunization (1): the kinds chosen by default.
const emergencySetSize = 7;

interface ContactJson {
  grantId: string;
  contactId: string;
  state: string;
  recordIds: string[];
}

const contactsOf = async (page: Page) => ((await (await page.request.get("/api/emergency-contacts")).json()) as { contacts: ContactJson[] }).contacts;

/** A person's own share code, as their Emergency contacts page shows it. */
async function shareCodeOf(person: Person): Promise<string> {
  await person.page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(person.page.getByRole("heading", { name: "You are an emergency contact" })).toBeVisible({ timeout: 30_000 });
  return (await person.page.getByTestId("own-share-code").textContent())!.trim();
}

/** The patient names a contact by their share code, with the default kinds and the chosen wait. */
async function nameContact(page: Page, code: string, wait: string) {
  const before = (await contactsOf(page)).length;
  const form = page.getByTestId("name-contact");
  await form.getByLabel("Your contact's share code").fill(code);
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByTestId("contact-checked")).toBeVisible();
  await form.getByLabel("Wait after a request").selectOption({ label: wait });
  await form.getByRole("button", { name: "Name emergency contact" }).click();
  await expect(form.getByText(/Emergency contact named/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("emergency-contact")).toHaveCount(before + 1);
}

/** The contact's row on their own page, after reloading the list. */
async function roleRow(contact: Person) {
  await contact.page.getByRole("button", { name: "Check again" }).click();
  return contact.page.getByTestId("emergency-role");
}

/** The patient's row for one contact, after refreshing the list. */
async function contactRow(page: Page, grantId: string) {
  await page.getByRole("button", { name: "Refresh" }).click();
  return page.locator(`[data-testid="emergency-contact"][data-grant="${grantId}"]`);
}

test("emergency access: refused, approved early, opened by the wait with the patient signed out, exactly the set, ended with keys rotated", async ({
  browser,
}) => {
  test.setTimeout(400_000);
  const patient = await newPerson(browser, { role: "patient", name: "Petra Patient" });
  // Any account can be an emergency contact: a patient, and a doctor.
  const ann = await newPerson(browser, { role: "patient", name: "Ann Contact" });
  const bob = await newPerson(browser, { role: "doctor", name: "Dr Bob Contact" });
  const annCode = await shareCodeOf(ann);
  const bobCode = await shareCodeOf(bob);
  await expect(ann.page.getByText("Nobody has named you their emergency contact.")).toBeVisible();

  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, "Private diary", "Never in the emergency set.");
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(page.getByTestId("name-contact")).toBeVisible({ timeout: 60_000 });
  await checkA11y(page, "the emergency contacts page");
  await nameContact(page, annCode, "7 days");
  await nameContact(page, bobCode, "24 hours");
  const [annGrant, bobGrant] = await (async () => {
    const contacts = await contactsOf(page);
    return [contacts.find((entry) => entry.contactId === ann.userId)!.grantId, contacts.find((entry) => entry.contactId === bob.userId)!.grantId];
  })();

  // Records of the chosen kinds added later join both sets (the patient's browser wraps them); the note never does.
  await importRecords(page, ips, 14);
  await expect
    .poll(async () => (await contactsOf(page)).map((entry) => entry.recordIds.length), { timeout: 60_000 })
    .toEqual([emergencySetSize, emergencySetSize]);

  // Before a request, the contact knows only that they are one: nothing is served.
  await expect(await roleRow(ann)).toHaveAttribute("data-state", "standby");
  await expect(ann.page.getByTestId("emergency-role")).toContainText("You are an emergency contact for account");
  await expect(ann.page.getByTestId("emergency-role")).not.toContainText("Petra");
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(403);

  // 1. Refused: the patient hears of the request at once and refuses it.
  await ann.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(ann.page.getByTestId("emergency-role")).toHaveAttribute("data-state", "requested");
  const notices = (await (await page.request.get("/api/me/notices")).json()) as { notices: Array<{ kind: string; grantId: string | null }> };
  expect(notices.notices.some((notice) => notice.kind === "emergency-request" && notice.grantId === annGrant)).toBe(true);
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  const annRow = await contactRow(page, annGrant);
  await expect(annRow).toHaveAttribute("data-state", "requested");
  await annRow.getByRole("button", { name: "Refuse" }).click();
  await expect(page.getByText("Request refused: your contact cannot read anything.")).toBeVisible();
  await expect(await roleRow(ann)).toHaveAttribute("data-state", "refused");
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(403);

  // 2. Approved early: a new request, approved long before its seven days (about a minute here) end.
  await ann.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(ann.page.getByTestId("emergency-role")).toHaveAttribute("data-state", "requested");
  await (await contactRow(page, annGrant)).getByRole("button", { name: "Approve now" }).click();
  await expect(page.getByText(/Request approved/)).toBeVisible();
  await expect(await roleRow(ann)).toHaveAttribute("data-state", "open");
  await ann.page.getByRole("button", { name: "Read the emergency set" }).click();
  const annSet = ann.page.getByTestId("emergency-set");
  await expect(annSet.getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });
  await expect(annSet).toContainText("Emergency set of Petra Patient");
  await expect(annSet).toContainText(/penicillin/i);
  await expect(annSet).not.toContainText("Private diary");
  await checkA11y(ann.page, "an opened emergency set");

  // 3. The wait ends while the patient is signed out: the server serves the set without them.
  await signOutThroughPage(page);
  await expect(await roleRow(bob)).toHaveAttribute("data-state", "standby");
  await bob.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(bob.page.getByTestId("emergency-role")).toHaveAttribute("data-state", "requested");
  expect((await bob.page.request.get(`/api/emergency-access/${bobGrant}`)).status()).toBe(403);
  await expect(async () => {
    await expect(await roleRow(bob)).toHaveAttribute("data-state", "open", { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await bob.page.getByRole("button", { name: "Read the emergency set" }).click();
  const bobSet = bob.page.getByTestId("emergency-set");
  await expect(bobSet.getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });
  await expect(bobSet).not.toContainText("Private diary");
  // Exactly the set: the records served are the ones the patient's set lists, the note and observations not among them.
  const served = (await (await bob.page.request.get(`/api/emergency-access/${bobGrant}`)).json()) as { records: Array<{ id: string }>; recordIds: string[] };
  expect(served.records.map((record) => record.id).sort()).toEqual([...served.recordIds].sort());
  expect(served.records).toHaveLength(emergencySetSize);

  // 4. Ending it cuts the contact off at once, and the set's records move to new keys.
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Petra Patient" })).toBeVisible();
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(page.getByTestId("emergency-contact")).toHaveCount(2);
  const keyVersionsBefore = await keyVersions(page, served.recordIds);
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toContain("They are cut off at once");
    void dialog.accept();
  });
  await (await contactRow(page, annGrant)).getByRole("button", { name: "End emergency access" }).click();
  await expect(page.getByText(/Emergency contact ended/)).toBeVisible();
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(410);
  await expect(await roleRow(ann)).toHaveAttribute("data-state", "ended");
  await expect(ann.page.getByRole("button", { name: "Read the emergency set" })).toHaveCount(0);
  await expect
    .poll(
      async () => {
        const after = await keyVersions(page, served.recordIds);
        return served.recordIds.every((id) => after.get(id)! > keyVersionsBefore.get(id)!);
      },
      { timeout: 120_000 },
    )
    .toBe(true);
  // The other contact still reads the set, under the new keys re-wrapped for them.
  await bob.page.getByRole("button", { name: "Read the emergency set" }).click();
  await expect(bob.page.getByTestId("emergency-set").getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });

  const actions = await trailActions(page);
  for (const action of [
    "emergency-contact-named",
    "emergency-requested",
    "emergency-refused",
    "emergency-approved",
    "emergency-records-received",
    "emergency-ended",
  ]) {
    expect(actions).toContain(action);
  }
  await Promise.all([patient.close(), ann.close(), bob.close()]);
});

/** The current key version of each of the patient's records (their own chart, through the API). */
async function keyVersions(page: Page, ids: string[]): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const response = await page.request.get(`/api/records?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
    const body = (await response.json()) as { records: Array<{ id: string; keyVersion: number }>; nextCursor: string | null };
    for (const record of body.records) if (ids.includes(record.id)) versions.set(record.id, record.keyVersion);
    cursor = body.nextCursor;
  } while (cursor);
  return versions;
}

test("a record named by hand joins the emergency set, and the contact reads it once access opens", async ({ browser }) => {
  test.setTimeout(240_000);
  const patient = await newPerson(browser, { role: "patient", name: "Nadia Named" });
  const carl = await newPerson(browser, { role: "patient", name: "Carl Contact" });
  const carlCode = await shareCodeOf(carl);
  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, "Advance directive", "Do not resuscitate: see the signed form.");
  await addNote(page, "Private diary", "Never in the emergency set.");
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  const form = page.getByTestId("name-contact");
  await expect(form).toBeVisible({ timeout: 60_000 });
  // A typo is said to be one, not a key that did not match.
  await form.getByLabel("Your contact's share code").fill("hsc1.garbage");
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByText(/^That is not a share code/)).toBeVisible();
  await form.getByLabel("Your contact's share code").fill(carlCode);
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByTestId("contact-checked")).toBeVisible();
  // Notes are not an emergency kind: the directive is added by name, the diary is not.
  await form.getByRole("group", { name: "Other records to add by name" }).getByLabel("Advance directive").check();
  await checkA11y(page, "the emergency set with records by name");
  await form.getByRole("button", { name: "Name emergency contact" }).click();
  await expect(form.getByText(/Emergency contact named/)).toBeVisible({ timeout: 30_000 });
  const [contact] = await contactsOf(page);
  expect(contact!.recordIds).toHaveLength(1);

  await expect(await roleRow(carl)).toHaveAttribute("data-state", "standby");
  await carl.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(carl.page.getByTestId("emergency-role")).toHaveAttribute("data-state", "requested");
  await (await contactRow(page, contact!.grantId)).getByRole("button", { name: "Approve now" }).click();
  await expect(page.getByText(/Request approved/)).toBeVisible();
  await expect(await roleRow(carl)).toHaveAttribute("data-state", "open");
  await carl.page.getByRole("button", { name: "Read the emergency set" }).click();
  const set = carl.page.getByTestId("emergency-set");
  await expect(set.getByTestId("emergency-record")).toHaveCount(1, { timeout: 30_000 });
  await expect(set).toContainText("Advance directive");
  await expect(set).not.toContainText("Private diary");
  await Promise.all([patient.close(), carl.close()]);
});
