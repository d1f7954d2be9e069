import type { Page } from "@playwright/test";
import { signInThroughPage, signOutThroughPage } from "./support/accounts";
import { trailActions } from "./support/audit";
import { contactsOf, nameContact, shareCodeOf } from "./support/emergency";
import { addNote, importRecords, newPerson, type Person } from "./support/sharing";
import { checkA11y, expect, test } from "./support/test";
import { expectAppStyle, expectFitsViewport, goThroughMenu } from "./support/viewport";

const ips = "fixtures/real-world/04-ips-with-immunization.json";
// The IPS fixture's allergies (2), medications (2), problems (2) and immunization (1): the kinds chosen by default.
const emergencySetSize = 7;

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

/** The contact's row on their own page as it stands, without asking for the list again: it updates live. */
const liveRole = (contact: Person) => contact.page.getByTestId("emergency-role");

/** The patient's row for one contact as it stands, without refreshing: it updates live. */
const liveContact = (page: Page, grantId: string) => page.locator(`[data-testid="emergency-contact"][data-grant="${grantId}"]`);

/** Live updates come through the notice stream within seconds; no page here is reloaded or refreshed for them. */
const live = { timeout: 20_000 };

test("emergency access: refused, approved early, opened by the wait with the patient signed out, exactly the set, ended with keys rotated, every change seen live", async ({
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
  await expectAppStyle(page, "the emergency contacts page");
  await nameContact(page, annCode, "7 days", { name: "Ann Carter", reach: "+44 161 496 0000" });
  // A clinician's directory name is offered as the name to keep; the patient may change it.
  const form = page.getByTestId("name-contact");
  await form.getByLabel("Your contact's share code").fill(bobCode);
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByLabel(/^Your contact's name/)).toHaveValue("Dr Bob Contact");
  await expectAppStyle(page, "the form naming an emergency contact");
  await form.getByRole("button", { name: "Cancel" }).click();
  await nameContact(page, bobCode, "24 hours", { name: "Dr Bob (GP)" });
  const [annGrant, bobGrant] = await (async () => {
    const contacts = await contactsOf(page);
    return [contacts.find((entry) => entry.contactId === ann.userId)!.grantId, contacts.find((entry) => entry.contactId === bob.userId)!.grantId];
  })();
  // Each contact by the name this browser keeps, the account id second.
  await expect(liveContact(page, annGrant).getByTestId("emergency-contact-name")).toHaveText("Ann Carter");
  await expect(liveContact(page, annGrant)).toContainText(`(account ${ann.userId.slice(0, 8)}…)`);
  await expect(liveContact(page, bobGrant).getByTestId("emergency-contact-name")).toHaveText("Dr Bob (GP)");

  // Records of the chosen kinds added later join both sets (the patient's browser wraps them); the note never does.
  await importRecords(page, ips, 14);
  await expect
    .poll(async () => (await contactsOf(page)).map((entry) => entry.recordIds.length), { timeout: 60_000 })
    .toEqual([emergencySetSize, emergencySetSize]);

  // Before a request, the contact knows only that they are one: nothing is served.
  await expect(await roleRow(ann)).toHaveAttribute("data-state", "standby");
  await expect(ann.page.getByTestId("emergency-role")).toContainText("You are an emergency contact for account");
  await expect(ann.page.getByTestId("emergency-role")).not.toContainText("Petra");
  // Nothing to act on yet: a patient's own contacts lead the page.
  await expect(ann.page.getByTestId("name-contact")).toBeVisible();
  await expect(ann.page.getByTestId("own-share-code")).toBeVisible();
  expect(await partsInOrder(ann.page)).toEqual(["People you trust", "Name an emergency contact", "You are an emergency contact", "Your share code"]);
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(403);

  // 1. Refused: the patient's open page shows the request at once, and the contact's shows the refusal.
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(liveContact(page, annGrant)).toHaveAttribute("data-state", "standby", { timeout: 30_000 });
  await ann.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(ann.page.getByTestId("emergency-role-outcome")).toBeFocused();
  await expect(ann.page.getByTestId("emergency-role-outcome")).toContainText("Access requested");
  await expect(liveRole(ann)).toHaveAttribute("data-state", "requested");
  const notices = (await (await page.request.get("/api/me/notices")).json()) as { notices: Array<{ kind: string; grantId: string | null }> };
  expect(notices.notices.some((notice) => notice.kind === "emergency-request" && notice.grantId === annGrant)).toBe(true);
  await expect(liveContact(page, annGrant)).toHaveAttribute("data-state", "requested", live);
  await liveContact(page, annGrant).getByRole("button", { name: "Refuse" }).click();
  const outcome = page.getByTestId("emergency-contacts-outcome");
  await expect(outcome).toHaveText("Request refused: Ann Carter cannot read anything.");
  await expect(outcome).toBeFocused();
  await expect(liveRole(ann)).toHaveAttribute("data-state", "refused", live);
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(403);

  // 2. Approved early: a new request, approved long before its seven days (about a minute here) end.
  await ann.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(liveRole(ann)).toHaveAttribute("data-state", "requested");
  await liveContact(page, annGrant).getByRole("button", { name: "Approve now" }).click({ timeout: live.timeout });
  await expect(outcome).toHaveText(/^Request approved: Ann Carter can read/);
  await expect(outcome).toBeFocused();
  await expect(liveRole(ann)).toHaveAttribute("data-state", "open", live);
  await ann.page.getByRole("button", { name: "Read the emergency set" }).click();
  const annSet = ann.page.getByTestId("emergency-set");
  await expect(annSet.getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });
  await expect(annSet.getByRole("heading", { name: "Emergency set of Petra Patient" })).toBeFocused();
  await expect(annSet).toContainText(/penicillin/i);
  await expect(annSet).not.toContainText("Private diary");
  // Grouped by kind, allergies first, with the criticality readable without opening the record.
  const groups = await annSet.getByTestId("emergency-group").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-kind")));
  expect(groups).toEqual(["allergy", "medication", "condition", "immunization"]);
  const firstAllergy = annSet.locator('[data-kind="allergy"]').getByTestId("emergency-record").first();
  await expect(firstAllergy.getByTestId("emergency-record-title")).toContainText(/penicillin/i);
  await expect(firstAllergy.getByTestId("emergency-criticality")).toBeVisible();
  await expect(firstAllergy.getByTestId("emergency-criticality")).toHaveText("high criticality");
  await checkA11y(ann.page, "an opened emergency set");
  for (const size of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    for (const [who, at] of [
      ["the contact's opened set", ann.page],
      ["the patient's emergency contacts", page],
    ] as const) {
      await at.setViewportSize(size);
      await expectFitsViewport(at, `${who} at ${size.width}×${size.height}`);
      await expectAppStyle(at, `${who} at ${size.width}×${size.height}`);
      await checkA11y(at, `${who} at ${size.width}×${size.height}`);
    }
  }
  // Access open: on the contact's next visit, on a phone, their part comes first, above their own contacts (they are a patient too).
  await ann.page.setViewportSize({ width: 390, height: 844 });
  await goThroughMenu(ann.page, "Home");
  await goThroughMenu(ann.page, "Emergency contacts");
  await expect(ann.page.getByTestId("name-contact")).toBeVisible();
  await expect(liveRole(ann)).toHaveAttribute("data-state", "open");
  await expect(ann.page.getByTestId("own-share-code")).toBeVisible();
  expect(await partsInOrder(ann.page)).toEqual(["You are an emergency contact", "People you trust", "Name an emergency contact", "Your share code"]);
  await expectAppStyle(ann.page, "the contact's page with access open at 390×844");
  await ann.page.setViewportSize({ width: 1280, height: 800 });
  await ann.page.getByRole("button", { name: "Read the emergency set" }).click();
  await expect(annSet.getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });

  // 3. The wait ends while the patient is signed out: the server serves the set without them, and the contact's page turns without a reload.
  await signOutThroughPage(page);
  await expect(await roleRow(bob)).toHaveAttribute("data-state", "standby");
  await bob.page.getByRole("button", { name: "Request emergency access" }).click();
  await expect(liveRole(bob)).toHaveAttribute("data-state", "requested");
  expect((await bob.page.request.get(`/api/emergency-access/${bobGrant}`)).status()).toBe(403);
  await expect(liveRole(bob)).toHaveAttribute("data-state", "open", { timeout: 60_000 });
  await bob.page.getByRole("button", { name: "Read the emergency set" }).click();
  const bobSet = bob.page.getByTestId("emergency-set");
  await expect(bobSet.getByTestId("emergency-record")).toHaveCount(emergencySetSize, { timeout: 30_000 });
  await expect(bobSet).not.toContainText("Private diary");
  // Exactly the set: the records served are the ones the patient's set lists, the note and observations not among them.
  const served = (await (await bob.page.request.get(`/api/emergency-access/${bobGrant}`)).json()) as { records: Array<{ id: string }>; recordIds: string[] };
  expect(served.records.map((record) => record.id).sort()).toEqual([...served.recordIds].sort());
  expect(served.records).toHaveLength(emergencySetSize);

  // 4. Ending it cuts the contact off at once (their open page says so by itself), and the set's records move to new keys.
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Petra Patient" })).toBeVisible();
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(page.getByTestId("emergency-contact")).toHaveCount(2);
  const keyVersionsBefore = await keyVersions(page, served.recordIds);
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toContain("End emergency access for Ann Carter? They are cut off at once");
    void dialog.accept();
  });
  await (await contactRow(page, annGrant)).getByRole("button", { name: "End emergency access" }).click();
  await expect(outcome).toHaveText(/^Emergency contact ended: Ann Carter is cut off/);
  await expect(outcome).toBeFocused();
  expect((await ann.page.request.get(`/api/emergency-access/${annGrant}`)).status()).toBe(410);
  await expect(liveRole(ann)).toHaveAttribute("data-state", "ended", live);
  await expect(ann.page.getByTestId("emergency-set")).toHaveCount(0);
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

/** The headings of the Emergency contacts page's parts, top to bottom. */
const partsInOrder = (page: Page) => page.getByRole("main").getByRole("heading", { level: 2 }).allTextContents();

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
  // Errors are announced where focus lands.
  await expect(form.getByTestId("name-contact-outcome-error")).toBeFocused();
  await form.getByLabel("Your contact's share code").fill(carlCode);
  await form.getByRole("button", { name: "Check the code" }).click();
  await expect(form.getByTestId("contact-checked")).toBeVisible();
  // A patient contact has no directory entry: the name is the patient's to give, and asked for.
  await expect(form.getByLabel(/^Your contact's name/)).toHaveValue("");
  // Notes are not an emergency kind: the directive is added by name, the diary is not.
  await form.getByRole("group", { name: "Other records to add by name" }).getByLabel("Advance directive").check();
  await checkA11y(page, "the emergency set with records by name");
  await form.getByLabel(/^Your contact's name/).fill("Carl");
  await form.getByRole("button", { name: "Name emergency contact" }).click();
  await expect(form.getByTestId("name-contact-outcome")).toHaveText(/^Emergency contact named: Carl\./, { timeout: 30_000 });
  await expect(form.getByTestId("name-contact-outcome")).toBeFocused();
  const [contact] = await contactsOf(page);
  expect(contact!.recordIds).toHaveLength(1);
  // The name and how to reach them change in this browser's vault only.
  const row = page.getByTestId("emergency-contact");
  await row.getByRole("button", { name: "Change name or phone" }).click();
  await expect(row.getByLabel("Your contact's name")).toBeFocused();
  await row.getByLabel("Your contact's name").fill("Carl Contact (brother)");
  await row.getByLabel(/^How to reach them/).fill("+1 555 0100");
  await row.getByRole("button", { name: "Save" }).click();
  const outcome = page.getByTestId("emergency-contacts-outcome");
  await expect(outcome).toHaveText(/^Saved: this contact is Carl Contact \(brother\), reached at \+1 555 0100\./);
  await expect(outcome).toBeFocused();
  await expect(row.getByTestId("emergency-contact-name")).toHaveText("Carl Contact (brother)");

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
