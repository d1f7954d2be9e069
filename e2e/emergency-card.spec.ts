import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { SHLViewer } from "kill-the-clipboard";
import type { Browser, Page } from "@playwright/test";
import { checkA11y, expect, test } from "./support/test";
import { addNote, importRecords, newPerson } from "./support/sharing";
import { shlinkPayloadOf } from "./support/links";
import { trailActions } from "./support/audit";
import { expectFitsViewport } from "./support/viewport";

const ips = "fixtures/real-world/04-ips-with-immunization.json";
const passcode = "card-passcode-42";
const contacts = "Anna Linde (daughter) +46 70 123 45 67";

/** Every page's text of a PDF, as pdf.js reads it back, one string per page. */
async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const document = await getDocument({ data: bytes, isEvalSupported: false, useSystemFonts: false, disableFontFace: true }).promise;
  const pages: string[] = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const content = await (await document.getPage(number)).getTextContent();
    // Wrapped lines joined again: what a person reads, not where the lines break.
    pages.push(
      content.items
        .map((item) => ("str" in item ? item.str : ""))
        .join(" ")
        .replace(/\s+/g, " "),
    );
  }
  await document.destroy();
  return pages;
}

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
  await importRecords(page, ips, 14);
  await addNote(page, "Old diary", "Not for the card.");

  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const form = page.getByTestId("card-form");
  await expect(form.getByRole("heading", { name: "Make your emergency card" })).toBeVisible({ timeout: 60_000 });
  // Allergies, medications and problems are chosen at first; the notes kind is added, the diary is not named.
  for (const kind of ["Allergies", "Medications", "Problems"]) await expect(form.getByLabel(kind, { exact: true })).toBeChecked();
  await expect(form.getByLabel("Immunizations", { exact: true })).not.toBeChecked();
  await form.getByLabel("Notes", { exact: true }).check();
  await form.getByLabel("Your name on the card").fill("Erika Emergency");
  await form.getByLabel(/Emergency contacts/).fill(contacts);
  await form.getByLabel("Passcode", { exact: true }).fill(passcode);
  await checkA11y(page, "the emergency card form");
  await form.getByRole("button", { name: "Make the card" }).click();
  const made = page.getByTestId("card-made");
  await expect(made.getByRole("heading", { name: "Your emergency card is ready" })).toBeFocused({ timeout: 60_000 });

  const download = page.waitForEvent("download");
  await made.getByRole("button", { name: "Download the card (PDF)" }).click();
  const pdf = new Uint8Array(readFileSync((await (await download).path())!));
  const [card, slip, ...rest] = await pdfPages(pdf);
  expect(rest).toEqual([]);
  expect(card).toContain("Emergency card");
  expect(card).toContain("Erika Emergency");
  expect(card).toContain("Malignant tumor of breast");
  expect(card).toContain("Allergies:");
  // Fixture 04 records a blood group (an Observation coded LOINC 882-1), outside the set: the card shows it.
  expect(card).toContain("Blood type: Blood group A Rh(D) positive");
  expect(card).toContain(contacts);
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

  // Reissue without a passcode: a new L link; the old one no longer opens.
  await page.getByRole("button", { name: "Change or reissue the card" }).click();
  const reissue = page.getByTestId("card-form");
  await expect(reissue.getByLabel("Notes", { exact: true })).toBeChecked();
  await reissue.getByLabel(/Protect with a passcode/).uncheck();
  await reissue.getByRole("button", { name: "Reissue the card" }).click();
  await expect(page.getByTestId("card-made").getByRole("heading", { name: "Your emergency card is ready" })).toBeFocused({ timeout: 60_000 });
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
