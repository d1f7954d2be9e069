import { readFileSync } from "node:fs";
import { expect, test } from "./support/test";
import { signInThroughPage, signOutThroughPage } from "./support/accounts";
import type { Page } from "@playwright/test";
import { trailActions, trailEvents } from "./support/audit";
import { addNote, chooseClinician, newPerson } from "./support/sharing";

test("a doctor's list of two shared records loads; the patient's history says exactly that, once, with the doctor's name and the time", async ({
  browser,
}, testInfo) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Hana History", specialty: "Endocrinology", organization: "Gland Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Ivan Inspect" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  for (const title of ["Thyroid panel", "Insulin plan", "Private worries"]) await addNote(patient.page, title, `${title} details.`);
  await chooseClinician(patient.page, "Endocrinology", "Dr Hana History");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Thyroid panel", { exact: true }).check();
  await form.getByLabel("Insulin plan", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Hana History.")).toBeVisible();

  await patient.page.getByRole("link", { name: "History" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  await expect(patient.page.getByTestId("new-accesses")).toHaveText("No new accesses since your last visit.");

  const before = Date.now();
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Thyroid panel" })).toBeVisible();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Insulin plan" })).toBeVisible();
  const after = Date.now();

  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("new-accesses")).toHaveText("1 new access since your last visit");
  const allRows = patient.page.getByTestId("history-row");
  // What the server saw: the doctor fetched the share key once, then received the list of exactly the two records.
  await expect(allRows.filter({ hasText: "Received the key to a share" })).toHaveCount(1);
  const rows = allRows.filter({ hasText: "Received 2 records" });
  await expect(rows).toHaveCount(1);
  await expect(allRows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row.getByRole("cell").nth(1)).toHaveText("Dr Hana History");
    await expect(row).toContainText("New");
    const time = new Date((await row.locator("time").getAttribute("datetime"))!).getTime();
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(time).toBeLessThanOrEqual(after + 1000);
  }
  const titles = (await rows.getByRole("cell").nth(3).textContent())!;
  expect(titles.split(" and ").sort()).toEqual(["Insulin plan", "Thyroid panel"]);

  // Filters: by record, by clinician, by date.
  await patient.page.getByLabel("Record").selectOption({ label: "Thyroid panel" });
  await expect(allRows).toHaveCount(1);
  await patient.page.getByLabel("Record").selectOption({ label: "Any record" });
  await patient.page.getByLabel("Clinician").selectOption({ label: "Dr Hana History" });
  await expect(allRows).toHaveCount(2);
  await patient.page.getByLabel("Until").fill("2020-01-01");
  await expect(patient.page.getByText("Nothing matches these filters.")).toBeVisible();
  await patient.page.getByLabel("Until").fill("");
  await patient.page.getByLabel("Clinician").selectOption({ label: "Anyone" });
  await patient.page.getByLabel("Show").selectOption("all");
  await expect(allRows.filter({ hasText: "Shared records" })).toHaveCount(1);

  // The export holds one AuditEvent per event and one Consent per grant.
  const downloadPromise = patient.page.waitForEvent("download");
  await patient.page.getByRole("button", { name: "Export as FHIR (AuditEvent and Consent)" }).click();
  const exportPath = testInfo.outputPath("audit.json");
  await (await downloadPromise).saveAs(exportPath);
  const bundle = JSON.parse(readFileSync(exportPath, "utf8")) as { entry: Array<{ resource: { resourceType: string; subtype?: Array<{ code: string }> } }> };
  const types = bundle.entry.map((entry) => entry.resource.resourceType);
  expect(types.filter((type) => type === "Consent")).toHaveLength(1);
  expect(bundle.entry.filter((entry) => entry.resource.subtype?.[0]?.code === "records-received")).toHaveLength(1);

  // Seen now: the badge is gone on the next visit.
  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("new-accesses")).toHaveText("No new accesses since your last visit.");

  // The doctor sees their own access history, under the name the patient chose to show.
  await doctor.page.getByRole("link", { name: "History" }).click();
  const doctorRows = doctor.page.getByTestId("history-row").filter({ hasText: "Received 2 records" });
  await expect(doctorRows).toHaveCount(1);
  await expect(doctorRows.first()).toContainText("Ivan Inspect");
  await expect(doctorRows.first()).toContainText("Thyroid panel");
  await Promise.all([doctor.close(), patient.close()]);
});

/** The trail requests a page makes: the catch-up ones (after=) and the page shown (before=), with what came back. */
function watchTrailRequests(page: Page) {
  const seen: Array<{ after: number | null; before: number | null; limit: number; head: number; seqs: number[] }> = [];
  page.on("response", async (response) => {
    const url = new URL(response.url());
    if (url.pathname !== "/api/me/audit" || response.request().method() !== "GET") return;
    const body = (await response.json()) as { head: { seq: number }; events: Array<{ seq: number }> };
    const param = (name: string) => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : null);
    seen.push({
      after: param("after"),
      before: param("before"),
      limit: param("limit") ?? 100,
      head: body.head.seq,
      seqs: body.events.map((event) => event.seq),
    });
  });
  return seen;
}

test("a second visit fetches only the events after the head the browser verified; older events load page by page, verified", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Paula Paged" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Paged note", "One event at least.");
  const first = watchTrailRequests(patient.page);
  await patient.page.getByRole("link", { name: "History" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  // A short trail is verified whole by the catch-up from genesis, and the page shows what that check holds (the trail store).
  await expect.poll(() => first.some((request) => request.after !== null)).toBe(true);
  // The head this browser verified (and put in its vault) on this visit.
  const verifiedHead = Math.max(...first.filter((request) => request.after !== null).map((request) => request.head));
  expect(verifiedHead).toBeGreaterThan(0);

  // Sixty chart loads: sixty new events, more than one page of the history.
  for (let index = 0; index < 60; index++) expect((await patient.page.request.get("/api/records")).ok()).toBe(true);

  const second = watchTrailRequests(patient.page);
  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  await expect.poll(() => second.some((request) => request.after !== null)).toBe(true);
  const catchUps = second.filter((request) => request.after !== null);
  expect(catchUps.length).toBeGreaterThan(0);
  // Nothing already verified is fetched again to verify: the catch-up starts at the stored head.
  expect(Math.min(...catchUps.map((request) => request.after!))).toBe(verifiedHead);
  expect(catchUps.flatMap((request) => request.seqs).every((seq) => seq > verifiedHead)).toBe(true);
  expect(catchUps.flatMap((request) => request.seqs).length).toBeGreaterThanOrEqual(60);
  // What is shown is the newest page, from what the check verified (at most one older page fetched for it): not the whole trail.
  const shownPages = second.filter((request) => request.before !== null);
  expect(shownPages.length).toBeLessThanOrEqual(1);
  expect(shownPages.every((page) => page.seqs.length <= 50)).toBe(true);

  await patient.page.getByLabel("Show").selectOption("all");
  const rows = patient.page.getByTestId("history-row");
  await expect(rows).toHaveCount(50);
  await patient.page.getByRole("button", { name: "Show older events" }).click();
  await expect(rows).toHaveCount(Math.max(...catchUps.map((request) => request.head)));
  await expect(patient.page.getByRole("button", { name: "Show older events" })).toHaveCount(0);
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();

  // On a page other than the history, the check on every visit fetches only what is new.
  const third = watchTrailRequests(patient.page);
  await patient.page.goto("/home");
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect.poll(() => third.filter((request) => request.after !== null).length).toBeGreaterThan(0);
  expect(third.every((request) => request.before === null && request.after! >= verifiedHead + 60)).toBe(true);
  await patient.close();
});

test("an edited, removed, rewritten or rolled-back history is refused by the browser with a clear warning", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Tom Tamper" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Blood pressure", "128/82.");
  await patient.page.getByRole("link", { name: "History" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  const [first, second] = await trailEvents(patient.page);

  type Trail = { head: { seq: number; hash: string }; events: Array<{ seq: number; action: string; hash: string }> };
  const catchUp = (url: URL) => url.searchParams.has("after");
  // Each tampering acts on every trail response the browser gets, as a lying server would.
  const tamperings: Array<[string, (trail: Trail, url: URL) => void, RegExp]> = [
    [
      "an edited event",
      (trail) => trail.events.filter((event) => event.seq === 2).forEach((event) => void (event.action = "record-deleted")),
      /Event 2 of your history was edited, removed or moved/,
    ],
    [
      "a removed event",
      (trail) => void (trail.events = trail.events.filter((event) => event.seq !== 2)),
      /Event 2 of your history was edited, removed or moved/,
    ],
    // Events already verified, re-hashed: the chain no longer ends at the head this browser holds.
    ["a rewritten history", (trail, url) => void (catchUp(url) && (trail.head.hash = first!.hash)), /does not extend the one your browser verified/],
    // Intact as far as it goes, but shorter than what this browser verified on its last visit.
    [
      "a rolled-back history",
      (trail, url) => void (catchUp(url) && ((trail.head = { seq: second!.seq, hash: second!.hash }), (trail.events = []))),
      /does not extend the one your browser verified/,
    ],
  ];
  for (const [, tamper, message] of tamperings) {
    await patient.page.route(/\/api\/me\/audit(\?|$)/, async (route) => {
      const response = await route.fetch();
      const trail = (await response.json()) as Trail;
      tamper(trail, new URL(route.request().url()));
      await route.fulfill({ response, json: trail });
    });
    await patient.page.reload();
    await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
    await expect(patient.page.getByTestId("audit-tampered")).toContainText(message);
    // The warning also shows in the banner every page carries.
    await expect(patient.page.getByTestId("audit-banner")).toBeVisible();
    await expect(patient.page.getByTestId("history-table")).toHaveCount(0);
    await patient.page.unroute(/\/api\/me\/audit(\?|$)/);
  }
  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  await patient.close();
});

test("failed sign-ins with one's own passkey join one's trail as one counted event", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Fay Failed" });
  await signOutThroughPage(patient.page);
  let junk = 0;
  await patient.page.route("**/api/auth/sign-in/verify", async (route) => {
    junk += 1;
    const body = route.request().postDataJSON() as { credential: { response: { signature: string } } };
    const signature = Buffer.from(body.credential.response.signature, "base64url");
    signature[signature.length - 1]! ^= 0x01;
    body.credential.response.signature = signature.toString("base64url");
    await route.continue({ postData: JSON.stringify(body) });
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    await signInThroughPage(patient.page);
    await expect(patient.page.getByRole("alert").filter({ hasText: "could not sign you in" })).toBeVisible();
  }
  await patient.page.unroute("**/api/auth/sign-in/verify");
  await signInThroughPage(patient.page);
  await expect(patient.page).toHaveURL(/\/home$/);
  await expect.poll(() => trailActions(patient.page)).toEqual(expect.arrayContaining(["sign-in-failed", "sign-in"]));
  // Every junk assertion naming the passkey (the page sends more than one per attempt): one event in the owner's trail, with the count.
  expect(junk).toBeGreaterThanOrEqual(3);
  const failed = (await trailEvents(patient.page)).filter((event) => event.action === "sign-in-failed");
  expect(failed.map((event) => [event.actorId, event.count])).toEqual([[null, junk]]);
  // Shown under the default "What others did", credited to someone unknown (not the app), and not counted as an access.
  await patient.page.getByRole("banner").getByRole("link", { name: "History" }).click();
  const row = patient.page.getByTestId("history-row").filter({ hasText: "Tried to sign in with one of your passkeys" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Someone unknown");
  await expect(row).toContainText(`${junk} times`);
  await expect(patient.page.getByTestId("new-accesses")).toContainText(`${junk} failed sign-ins since your last visit`);
  await expect(patient.page.getByTestId("new-accesses")).not.toContainText("new access");
  await patient.close();
});
