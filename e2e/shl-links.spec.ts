import { SHLViewer } from "kill-the-clipboard";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { unlockVault } from "./support/accounts";
import { addNote, newPerson } from "./support/sharing";
import { makeLinkOnPage } from "./support/links";
import { trailActions } from "./support/audit";

/** The payload of a link's fragment, as any viewer reads it (STU1: base64url JSON after "shlink:/"). */
function payloadOf(link: string): Record<string, unknown> {
  const encoded = link.slice(link.indexOf("#shlink:/") + "#shlink:/".length);
  return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** Makes a link on the Links page from the records named, and returns its text (shown once), closing the panel after. */
async function makeLink(page: Page, input: { records: string[]; label: string; passcode?: string }): Promise<string> {
  await page.getByRole("banner").getByRole("link", { name: "Links" }).click();
  const form = page.getByTestId("make-link-form");
  for (const title of input.records) await form.getByLabel(title, { exact: true }).check();
  await form.getByLabel("Label").fill(input.label);
  await form.getByLabel("Expires after").selectOption({ label: "1 day" });
  if (input.passcode) {
    await form.getByLabel("Protect with a passcode").check();
    await form.getByLabel("Passcode", { exact: true }).fill(input.passcode);
  }
  await form.getByRole("button", { name: "Make the link" }).click();
  const made = page.getByTestId("made-link");
  await expect(made.getByRole("heading", { name: "Your link is ready" })).toBeVisible({ timeout: 30_000 });
  await expect(made.getByRole("img", { name: `QR code of the link “${input.label}”` })).toBeVisible();
  await expect(made.getByTestId("made-link-label")).toHaveText(input.label);
  await expect(made.getByTestId("made-link-expiry")).toContainText("Expires");
  const text = await made.getByTestId("made-link-text").inputValue();
  // Printed: only the QR code, the label and the expiry.
  await page.emulateMedia({ media: "print" });
  await expect(made.getByRole("img", { name: `QR code of the link “${input.label}”` })).toBeVisible();
  await expect(made.getByTestId("made-link-label")).toBeVisible();
  await expect(made.getByTestId("made-link-expiry")).toBeVisible();
  for (const hidden of [
    made.getByTestId("made-link-text"),
    made.getByRole("button", { name: "Copy the link" }),
    page.getByRole("banner"),
    page.getByTestId("live-links"),
  ]) {
    await expect(hidden).toBeHidden();
  }
  await page.emulateMedia({ media: "screen" });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await made.getByRole("button", { name: "Copy the link" }).click();
  await expect(made.getByText("The link is copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
  await made.getByRole("button", { name: "Done" }).click();
  // Shown once: closed, the link is nowhere on the page, and a reload does not bring it back.
  await expect(page.getByTestId("made-link")).toHaveCount(0);
  expect(await page.content()).not.toContain(text.slice(text.indexOf("#") + 1));
  return text;
}

/** Opens a link the way an independent viewer does: kill-the-clipboard's SHLViewer, in this Node process, with no code of ours. */
const resolveWithPeer = (link: string, recipient: string, passcode?: string) =>
  new SHLViewer({ shlinkURI: link }).resolveSHL({ recipient, ...(passcode ? { passcode } : {}) });

const resourcesIn = (resolved: Awaited<ReturnType<typeof resolveWithPeer>>) =>
  resolved.fhirResources.flatMap((bundle) => ((bundle as { entry?: Array<{ resource: Record<string, unknown> }> }).entry ?? []).map((entry) => entry.resource));

const noteTitles = (resources: Array<Record<string, unknown>>) =>
  resources.filter((resource) => resource.resourceType === "DocumentReference").map((resource) => resource.description);

test("a patient makes a U link and a passcode link from chosen records; others open them; History names the recipient; a revoked link is gone", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const patient = await newPerson(browser, { role: "patient", name: "Lena Linkwell" });
  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  for (const title of ["Cat allergy", "Knee surgery notes", "Private diary"]) await addNote(page, title, `${title} text.`);

  const open = await makeLink(page, { records: ["Cat allergy"], label: "Dr Who clinic" });
  expect(open.startsWith(`${baseURL}/links/open#shlink:/`)).toBe(true);
  const payload = payloadOf(open);
  expect(Object.keys(payload)).toEqual(["url", "key", "exp", "flag", "label", "v"]);
  expect(payload).toMatchObject({ flag: "U", label: "Dr Who clinic", v: 1 });
  expect(String(payload.url)).toMatch(new RegExp(`^${baseURL}/api/shl/[A-Za-z0-9_-]{43}$`));
  expect(String(payload.key)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // The expiry chosen: a day from now, within the test's own margin.
  expect(Math.abs(Number(payload.exp) - (Date.now() / 1000 + 24 * 3600))).toBeLessThan(600);

  const guarded = await makeLink(page, { records: ["Knee surgery notes"], label: "Knee clinic", passcode: "knee-2026" });
  expect(payloadOf(guarded)).toMatchObject({ flag: "P", label: "Knee clinic" });

  // The list shows both, their labels opened in this browser (the server holds them sealed).
  const live = page.getByTestId("live-links");
  await expect(live.getByTestId("link-row")).toHaveCount(2);
  await expect(live.getByTestId("link-label")).toHaveText(["Knee clinic", "Dr Who clinic"]);
  await expect(live.getByTestId("link-row").filter({ hasText: "Knee clinic" })).toContainText("10 wrong passcodes left");

  // An independent implementation opens the U link: exactly the chosen record, and the Patient with the name revealed.
  const resolved = await resolveWithPeer(open, "Dr Who");
  const resources = resourcesIn(resolved);
  expect(resources.filter((resource) => resource.resourceType === "Patient")).toEqual([expect.objectContaining({ name: [{ text: "Lena Linkwell" }] })]);
  const notes = JSON.stringify(resources);
  expect(notes).toContain("Cat allergy");
  expect(notes).not.toContain("Knee surgery notes");
  expect(notes).not.toContain("Private diary");
  expect(noteTitles(resources)).toHaveLength(1);

  // Our own viewer opens it too, in another browser with no account: fetched and decrypted there.
  const clinic = await browser.newContext();
  const desk = await clinic.newPage();
  await desk.goto(open);
  await desk.getByLabel("Your name or clinic").fill("Front desk");
  await desk.getByRole("button", { name: "Open link" }).click();
  const contents = desk.getByRole("region", { name: "What the link holds" });
  await expect(contents).toContainText("Cat allergy", { timeout: 30_000 });
  await expect(contents).not.toContainText("Knee surgery notes");
  await expect(contents).not.toContainText("Private diary");
  await clinic.close();

  // The passcode link: a wrong passcode is refused and counted; the right one opens it.
  await expect(resolveWithPeer(guarded, "Someone", "wrong-pass")).rejects.toThrow(/passcode/i);
  const opened = resourcesIn(await resolveWithPeer(guarded, "Knee Clinic Desk", "knee-2026"));
  expect(JSON.stringify(opened)).toContain("Knee surgery notes");
  expect(JSON.stringify(opened)).not.toContain("Cat allergy");

  await page.reload();
  await unlockVault(page);
  await expect(live.getByTestId("link-row").filter({ hasText: "Knee clinic" })).toContainText("9 wrong passcodes left");
  // Shown once: after a reload neither link's key is anywhere on the page.
  for (const link of [open, guarded]) expect(await page.content()).not.toContain(String(payloadOf(link).key));
  const openRow = live.getByTestId("link-row").filter({ hasText: "Dr Who clinic" });
  await expect(openRow.getByTestId("link-opens")).toHaveText("opened 2 times");
  await openRow.getByRole("button", { name: "Accesses of Dr Who clinic" }).click();
  await expect(openRow.getByTestId("link-access")).toHaveText([/^Opened by Front desk · /, /^Opened by Dr Who · /]);
  const kneeRow = live.getByTestId("link-row").filter({ hasText: "Knee clinic" });
  await kneeRow.getByRole("button", { name: "Accesses of Knee clinic" }).click();
  await expect(kneeRow.getByTestId("link-access")).toHaveText([/^Opened by Knee Clinic Desk/, /^Wrong passcode from Someone/]);

  // History names the recipient, and the chain still verifies.
  await page.getByRole("banner").getByRole("link", { name: "History" }).click();
  await expect(page.getByTestId("audit-verified")).toBeVisible();
  const rows = page.getByTestId("history-row");
  await expect(rows.filter({ hasText: "Link opened by Dr Who" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Link opened by Front desk" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Link opened by Knee Clinic Desk" })).toHaveCount(1);
  await expect(rows.filter({ hasText: /wrong passcode/i })).toHaveCount(1);
  expect(await trailActions(page)).toEqual(expect.arrayContaining(["link-created", "link-opened", "link-passcode-refused"]));

  // Revoke (confirmed): the link is listed apart, and every viewer gets "not found".
  await page.getByRole("banner").getByRole("link", { name: "Links" }).click();
  const row = page.getByTestId("live-links").getByTestId("link-row").filter({ hasText: "Dr Who clinic" });
  await row.getByRole("button", { name: "Revoke Dr Who clinic" }).click();
  await row.getByRole("button", { name: "Yes, revoke it" }).click();
  await expect(page.getByTestId("live-links").getByTestId("link-row")).toHaveCount(1);
  const ended = page.getByTestId("ended-links").getByTestId("link-row");
  await expect(ended).toHaveCount(1);
  await expect(ended.getByTestId("link-state")).toHaveText("Revoked");
  // For a U link the peer reports the 404 of its one file as "File not found".
  await expect(resolveWithPeer(open, "Dr Who")).rejects.toMatchObject({ name: "SHLNetworkError", message: expect.stringMatching(/^File not found/) });
  expect((await fetch(`${String(payloadOf(open).url)}?recipient=Dr%20Who`)).status).toBe(404);
  expect(await trailActions(page)).toContain("link-revoked");
  await patient.close();
});

test("keyboard focus on the Links page never drops to the page's body: after Done, on Revoke, on Keep it, after a revoke", async ({ browser }) => {
  test.setTimeout(120_000);
  const patient = await newPerson(browser, { role: "patient", name: "Kim Keyboard" });
  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, "Focus note", "Focus note text.");
  // makeLinkOnPage presses Done: the panel and its button are gone, and the form that replaces them has the focus.
  await makeLinkOnPage(page, { records: ["Focus note"], label: "Focus clinic", revealedName: "Kim Keyboard" });
  await expect(page.getByRole("heading", { name: "Make a link" })).toBeFocused();

  const row = page.getByTestId("live-links").getByTestId("link-row").filter({ hasText: "Focus clinic" });
  await row.getByRole("button", { name: "Revoke Focus clinic" }).click();
  // "Revoke" is gone while the question is asked: the question has the focus, read out first.
  await expect(row.getByText("Revoke “Focus clinic”? It stops opening at once")).toBeFocused();
  await row.getByRole("button", { name: "Keep it" }).click();
  await expect(row.getByRole("button", { name: "Revoke Focus clinic" })).toBeFocused();

  await page.keyboard.press("Enter");
  await expect(row.getByRole("button", { name: "Yes, revoke it" })).toBeVisible();
  await row.getByRole("button", { name: "Yes, revoke it" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("ended-links").getByTestId("link-row")).toHaveCount(1);
  // The row left the live list: its heading takes the focus and the status says what happened.
  await expect(page.getByRole("heading", { name: "Your live links" })).toBeFocused();
  await expect(page.getByTestId("links-status")).toHaveText("“Focus clinic” is revoked.");
  await patient.close();
});
