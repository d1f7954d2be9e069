import { readFileSync } from "node:fs";
import { SHLViewer } from "kill-the-clipboard";
import type { Browser, Page } from "@playwright/test";
import { checkA11y, expect, test } from "./support/test";
import { pdfPageTexts } from "@/client/pdf-text-test-helpers";
import { addNote, importIps, importRecords, newPerson } from "./support/sharing";
import { nameContact, shareCodeOf } from "./support/emergency";
import { shlinkPayloadOf } from "./support/links";
import { trailActions } from "./support/audit";
import { expectFitsViewport } from "./support/viewport";

const passcode = "card-passcode-42";
// Two contacts on two lines, as typed: the card keeps each number with its name.
const contacts = ["Anna Linde (daughter) +46 70 123 45 67", "Jonas Linde (son) +46 70 765 43 21"];

/** The record groups the link viewer shows for a link opened with the passcode (if any), as their test ids, sorted. */
async function openInViewer(browser: Browser, link: string, recipient: string, code?: string): Promise<{ page: Page; groups: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel("Your name or clinic").fill(recipient);
  if (code !== undefined) await page.getByLabel("Passcode", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Open link" }).click();
  const bundle = page.getByTestId("link-bundle");
  await expect(bundle).toBeVisible({ timeout: 30_000 });
  const groups = await bundle.locator('[data-testid^="group-"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-testid")!).sort());
  return { page, groups };
}

test("a patient makes an emergency card of chosen kinds: the PDF, the passcode slip, the link in the viewer and the peer, kept current, reissued", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const patient = await newPerson(browser, { role: "patient", name: "Erika Emergency" });
  const { page } = patient;
  await importIps(page);
  // 07's problem is written in Chinese ("2型糖尿病"), which the card's font cannot draw.
  await importRecords(page, "fixtures/real-world/07-everything-searchset.json", 2);
  await addNote(page, "Old diary", "Not for the card.");

  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const form = page.getByTestId("card-form");
  await expect(form.getByRole("heading", { name: "Make your emergency card" })).toBeVisible({ timeout: 60_000 });
  // Allergies, medications and problems are chosen at first; the notes kind is added, the diary is not named.
  for (const kind of ["Allergies", "Medications", "Problems"]) await expect(form.getByLabel(kind, { exact: true })).toBeChecked();
  await expect(form.getByLabel("Immunizations", { exact: true })).not.toBeChecked();
  await form.getByLabel("Notes", { exact: true }).check();
  await form.getByLabel("Your name on the card").fill("Erika Emergency");
  await form.getByLabel(/Emergency contacts/).fill(contacts.join("\n"));
  await form.getByLabel("Passcode", { exact: true }).fill(passcode);
  // What the server keeps of the passcode, said exactly: it does receive it.
  await expect(form.getByText(/keeps only a salted hash of it \(Argon2id\)/)).toBeVisible();
  await expect(form).not.toContainText("not stored anywhere");
  await checkA11y(page, "the emergency card form");
  await form.getByRole("button", { name: "Make the card" }).click();
  const made = page.getByTestId("card-made");
  await expect(made.getByRole("heading", { name: "Your emergency card is ready" })).toBeFocused({ timeout: 60_000 });

  const download = page.waitForEvent("download");
  await made.getByRole("button", { name: "Download the card (PDF)" }).click();
  const pdf = new Uint8Array(readFileSync((await (await download).path())!));
  const [card, slip, ...rest] = await pdfPageTexts(pdf, "words");
  expect(rest).toEqual([]);
  expect(card).toContain("Emergency card");
  expect(card).toContain("Erika Emergency");
  expect(card).toContain("Malignant tumor of breast");
  expect(card).toContain("Allergies:");
  // Printed by its coded name, never as a "[CJK text not shown]" marker.
  expect(card).toContain("Diabetes mellitus type 2 (disorder)");
  expect(card).not.toContain("not shown");
  // What emergency staff need beside an allergy and a medication (fixture 04's criticality and dose).
  expect(card).toContain("Substance with penicillin structure (substance) — high criticality");
  expect(card).toContain("1 tablet, once daily, by mouth");
  // Fixture 04 records a blood group (an Observation coded LOINC 882-1), outside the set: the card shows it.
  expect(card).toContain("Blood type: Blood group A Rh(D) positive");
  const cardRuns = (await pdfPageTexts(pdf, "lines"))[0]!.split("\n");
  for (const line of contacts) expect(cardRuns).toContain(line);
  expect(card).not.toContain(passcode);
  expect(slip).toContain(passcode);
  expect(slip).not.toContain("Malignant tumor of breast");
  await made.getByRole("button", { name: "Done" }).click();

  const live = page.getByTestId("emergency-card");
  await expect(live.getByRole("img", { name: "QR code of your emergency card's link" })).toBeVisible();
  const link = await live.getByTestId("card-link-text").inputValue();
  expect(link.startsWith(`${baseURL}/links/open#shlink:/`)).toBe(true);
  const payload = shlinkPayloadOf(link);
  expect(payload.flag).toBe("LP");
  expect(payload.label).toBe("Emergency card");
  await page.setViewportSize({ width: 375, height: 740 });
  await expectFitsViewport(page, "the emergency card page on a phone");
  await checkA11y(page, "the emergency card page on a phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // The link viewer shows exactly the emergency set: no immunizations, results or procedures.
  const first = await openInViewer(browser, link, "Dr Rescue, City ER", passcode);
  expect(first.groups).toEqual(["group-allergy", "group-condition", "group-medication", "group-note"]);
  await expect(first.page.getByTestId("link-bundle")).toContainText("Old diary");
  await first.page.context().close();

  // The independent peer opens it too (a manifest behind the passcode).
  const peer = await new SHLViewer({ shlinkURI: link.slice(link.indexOf("shlink:/")) }).resolveSHL({ recipient: "Peer ER", passcode });
  const peerTypes = peer.fhirResources.flatMap((bundle) =>
    ((bundle as { entry?: Array<{ resource: { resourceType: string } }> }).entry ?? []).map((entry) => entry.resource.resourceType),
  );
  // The set's records, the revealed Patient, and the Medication a statement names (its context, as an export keeps it).
  expect(new Set(peerTypes)).toEqual(new Set(["Patient", "Condition", "MedicationStatement", "Medication", "AllergyIntolerance", "DocumentReference"]));

  // A new record of a chosen kind joins the link: this browser replaces its file on its own.
  await page.getByRole("banner").getByRole("link", { name: "My records" }).click();
  await addNote(page, "Pacemaker fitted", "Pacemaker since 2024.");
  await expect.poll(async () => (await trailActions(page)).filter((action) => action === "link-updated").length, { timeout: 30_000 }).toBe(1);
  const again = await openInViewer(browser, link, "Dr Second, City ER", passcode);
  await expect(again.page.getByTestId("link-bundle")).toContainText("Pacemaker fitted");
  await again.page.context().close();

  // Every access is listed on the card page.
  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const accesses = page.getByTestId("link-accesses");
  for (const recipient of ["Dr Rescue, City ER", "Peer ER", "Dr Second, City ER"]) await expect(accesses).toContainText(`Opened by ${recipient}`);
  // One more open while the page is open shows up live (the notice stream), with no reload.
  await new SHLViewer({ shlinkURI: link.slice(link.indexOf("shlink:/")) }).resolveSHL({ recipient: "Dr Live, Night ER", passcode });
  await expect(accesses).toContainText("Opened by Dr Live, Night ER", { timeout: 20_000 });

  // Reissue without a passcode: a new L link; the old one no longer opens.
  await page.getByRole("button", { name: "Change or reissue the card" }).click();
  const reissue = page.getByTestId("card-form");
  await expect(reissue.getByLabel("Notes", { exact: true })).toBeChecked();
  await reissue.getByLabel(/Protect with a passcode/).uncheck();
  await reissue.getByRole("button", { name: "Reissue the card" }).click();
  // Nothing is revoked before the patient confirms that the printed card stops working.
  const confirm = page.getByTestId("reissue-confirm");
  await expect(confirm.getByRole("heading", { name: "Stop the printed card?" })).toBeFocused();
  await expect(confirm).toContainText("Reissuing stops your printed card at once");
  await checkA11y(page, "the reissue confirmation");
  await confirm.getByRole("button", { name: "Keep the printed card" }).click();
  expect(await trailActions(page)).not.toContain("link-revoked");
  await reissue.getByRole("button", { name: "Reissue the card" }).click();
  await confirm.getByRole("button", { name: "Reissue and stop the printed card" }).click();
  await expect(page.getByTestId("card-made").getByRole("heading", { name: "Your emergency card is ready" })).toBeFocused({ timeout: 60_000 });
  // A card without a passcode says nothing of a passcode kept or not.
  await expect(page.getByTestId("card-made-words")).toHaveText(/has no passcode/);
  await expect(page.getByTestId("card-made-words")).not.toContainText("passcode is not kept");
  await page.getByTestId("card-made").getByRole("button", { name: "Done" }).click();
  const newLink = await page.getByTestId("emergency-card").getByTestId("card-link-text").inputValue();
  expect(newLink).not.toBe(link);
  expect(shlinkPayloadOf(newLink).flag).toBe("L");
  const reopened = await openInViewer(browser, newLink, "Dr Third, City ER");
  expect(reopened.groups).toEqual(["group-allergy", "group-condition", "group-medication", "group-note"]);
  await reopened.page.context().close();
  await expect(new SHLViewer({ shlinkURI: link.slice(link.indexOf("shlink:/")) }).resolveSHL({ recipient: "Late ER", passcode })).rejects.toThrow();
  const actions = await trailActions(page);
  expect(actions).toContain("link-revoked");
  await patient.close();
});

test("a card's link read at 390 px: its form first, then the records with allergies first and focused; wrong passcodes slow the card, never stop it, and the patient is told", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const patient = await newPerson(browser, { role: "patient", name: "Sven Slowed" });
  const { page } = patient;
  await importIps(page);
  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const form = page.getByTestId("card-form");
  await form.getByLabel("Your name on the card").fill("Sven Slowed", { timeout: 60_000 });
  await form.getByLabel("Passcode", { exact: true }).fill(passcode);
  await form.getByRole("button", { name: "Make the card" }).click();
  await page.getByTestId("card-made").getByRole("button", { name: "Done" }).click({ timeout: 60_000 });
  const link = await page.getByTestId("emergency-card").getByTestId("card-link-text").inputValue();

  // The reader scans the QR code on a phone: the card's own form leads, the paste panel follows it.
  const reader = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await reader.newPage();
  await phone.goto(link);
  const cardHeading = phone.getByRole("heading", { name: "“Emergency card”" });
  await expect(cardHeading).toBeFocused();
  const other = phone.getByRole("heading", { name: "Open another link" });
  expect((await cardHeading.boundingBox())!.y).toBeLessThan((await other.boundingBox())!.y);
  expect((await cardHeading.boundingBox())!.y).toBeLessThan(844);
  await phone.getByLabel("Your name or clinic").fill("Dr Night, Harbour ER");
  await phone.getByLabel("Passcode", { exact: true }).fill(passcode);
  await phone.getByRole("button", { name: "Open link" }).click();
  // Once opened, focus goes to the records, allergies first, then medications and problems.
  await expect(phone.getByRole("heading", { name: "What the link holds" })).toBeFocused({ timeout: 30_000 });
  const groups = await phone
    .getByTestId("link-bundle")
    .locator('[data-testid^="group-"]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-testid")));
  expect(groups.slice(0, 3)).toEqual(["group-allergy", "group-medication", "group-condition"]);
  await expectFitsViewport(phone, "the opened emergency card on a phone");
  await checkA11y(phone, "the opened emergency card on a phone");

  // Someone who found the card guesses: one wrong passcode here, four more from elsewhere.
  await phone.getByLabel("Passcode", { exact: true }).fill("guess-one");
  await phone.getByRole("button", { name: "Open link" }).click();
  await expect(phone.getByRole("main").getByRole("alert")).toHaveText(
    "The passcode is wrong. After 5 wrong passcodes in a day, this link waits a day before it takes another.",
  );
  const { url } = shlinkPayloadOf(link);
  for (let guess = 2; guess <= 5; guess++) {
    const answer = await phone.request.post(url, {
      data: { recipient: "Finder", passcode: `guess-${guess}` },
      headers: { "x-forwarded-for": `198.51.100.${guess}` },
    });
    expect(answer.status()).toBe(401);
  }
  // The right passcode now waits for the window: the link is slowed, not dead (not a 404).
  await phone.getByLabel("Passcode", { exact: true }).fill(passcode);
  await phone.getByRole("button", { name: "Open link" }).click();
  await expect(phone.getByRole("main").getByRole("alert")).toHaveText(
    /^Too many attempts to open this link, or too many wrong passcodes\. Try again in (23|24) hours\.$/,
  );
  await reader.close();

  // The patient's card page says what happens and offers to reissue; the notice says it too.
  // Navigated to within the app: a reload would lock the vault.
  // The page keeps itself current through the notice stream: no navigation needed.
  const slowed = page.getByTestId("card-slowed");
  await expect(slowed).toContainText("Someone tried 5 wrong passcodes on your card's link within a day", { timeout: 60_000 });
  await expect(page.getByTestId("emergency-card").getByRole("button", { name: "Change or reissue the card" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Make your emergency card" })).toHaveCount(0);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectFitsViewport(page, "the slowed card on a phone");
  await checkA11y(page, "the slowed card on a phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page
    .getByRole("banner")
    .getByRole("link", { name: /^Notices/ })
    .click();
  await expect(page.getByText(/^New: Someone tried many wrong passcodes on your emergency card's link/)).toBeVisible({ timeout: 30_000 });
  expect(await trailActions(page)).toContain("link-passcode-throttled");
  await patient.close();
});

test("the card offers the named emergency contacts: printed by the name this browser keeps, with how to reach them, beside the typed ones", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const patient = await newPerson(browser, { role: "patient", name: "Clara Carded" });
  const ann = await newPerson(browser, { role: "patient", name: "Ann Account" });
  const annCode = await shareCodeOf(ann);
  const { page } = patient;
  await importIps(page);
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  await expect(page.getByTestId("name-contact")).toBeVisible({ timeout: 60_000 });
  await nameContact(page, annCode, "24 hours", { name: "Ann Carter (sister)", reach: "+44 161 496 0000" });

  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const form = page.getByTestId("card-form");
  await expect(form.getByLabel(/Print the emergency contacts I named/)).toBeChecked({ timeout: 60_000 });
  await expect(form.getByTestId("card-named-contacts")).toHaveText("The card prints: Ann Carter (sister) — +44 161 496 0000.");
  await form.getByLabel("Your name on the card").fill("Clara Carded");
  await form.getByLabel(/Emergency contacts typed here/).fill(contacts[0]!);
  await form.getByLabel(/Protect with a passcode/).uncheck();
  await checkA11y(page, "the card form with named contacts");
  await form.getByRole("button", { name: "Make the card" }).click();
  const made = page.getByTestId("card-made");
  await expect(made.getByRole("heading", { name: "Your emergency card is ready" })).toBeFocused({ timeout: 60_000 });
  const download = page.waitForEvent("download");
  await made.getByRole("button", { name: "Download the card (PDF)" }).click();
  const pdf = new Uint8Array(readFileSync((await (await download).path())!));
  const lines = (await pdfPageTexts(pdf, "lines"))[0]!.split("\n").filter((line) => line.trim());
  const at = lines.indexOf("Emergency contacts:");
  expect(at).toBeGreaterThan(0);
  expect(lines.slice(at + 1, at + 3)).toEqual(["Ann Carter (sister) — +44 161 496 0000", contacts[0]]);
  await made.getByRole("button", { name: "Done" }).click();

  // The names are printed, never put in the link: the viewer shows the records and no contact.
  const link = await page.getByTestId("emergency-card").getByTestId("card-link-text").inputValue();
  const opened = await openInViewer(browser, link, "Dr Card, City ER");
  await expect(opened.page.getByTestId("link-bundle")).not.toContainText("Ann Carter");
  await opened.page.context().close();

  // Renamed on the contacts page, the next download prints the new name; unticked, none.
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  const row = page.getByTestId("emergency-contact");
  await row.getByRole("button", { name: "Change name or phone" }).click({ timeout: 60_000 });
  await row.getByLabel("Your contact's name").fill("Ann Carter-Jones");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("emergency-contacts-outcome")).toBeFocused();
  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const again = page.waitForEvent("download");
  await page
    .getByTestId("emergency-card")
    .getByRole("button", { name: /^Download the card/ })
    .click({ timeout: 60_000 });
  const renamed = (await pdfPageTexts(new Uint8Array(readFileSync((await (await again).path())!)), "lines"))[0]!;
  expect(renamed).toContain("Ann Carter-Jones — +44 161 496 0000");
  expect(renamed).not.toContain("Ann Carter (sister)");
  await Promise.all([patient.close(), ann.close()]);
});
