import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "./support/test";
import { encodings } from "./support/secrets";
import { signUpThroughPage, unlockVault } from "./support/accounts";
import { addNote, chooseClinician, keysOf, newPerson, sameOrigin, shareNewNote, type Person } from "./support/sharing";
import { deriveShareKey } from "@/crypto";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { adminEnrolmentToken } from "../playwright.config";
import { addMember, createOrganization, createTeam, openUnlocked, verifyClinician } from "./support/teams";
import { SHLViewer } from "kill-the-clipboard";
import { captureResponses, capturingFetch, makeLinkOnPage, shlinkPayloadOf, type SeenResponse } from "./support/links";

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
  return occurrencesOfEach({ canary: encodings(canary) }).canary!;
}

/** Every form a secret is looked for in: as text and as its UTF-8 bytes' encodings, or as bytes. */
const formsOf = (secret: string | Uint8Array) => (typeof secret === "string" ? [...encodings(secret), ...encodings(Buffer.from(secret))] : encodings(secret));

/** What a file held when it was last read: per form looked for, whether it was there. */
interface ScannedFile {
  size: number;
  mtimeMs: number;
  found: Map<string, boolean>;
}
const scanned = new Map<string, ScannedFile>();
/**
 * A file whose last change is older than this (ms) when it is read is remembered by its size and
 * modification time. File times move in coarse ticks (a few ms), so a file written again in the
 * tick it was read in could keep both; one left alone this long gets a new time with any write.
 */
const settledMs = 2_000;

/**
 * For each named secret (its forms), where any form occurs in the database files or the logs.
 * Every file is read once per call, and not at all when it is unchanged since a read that looked
 * for every form asked now: the stored files are hundreds of MB by the end of the suite, most of
 * them file chunks that never change, and reading them all again for each secret was minutes of a run.
 */
function occurrencesOfEach(formsBySecret: Record<string, string[]>): Record<string, string[]> {
  const hits: Record<string, string[]> = Object.fromEntries(Object.keys(formsBySecret).map((name) => [name, []]));
  const forms = [...new Set(Object.values(formsBySecret).flat())];
  for (const file of [...filesUnder(dataDir), serverLog]) {
    const { size, mtimeMs } = statSync(file);
    const known = scanned.get(file);
    const entry = known && known.size === size && known.mtimeMs === mtimeMs ? known : { size, mtimeMs, found: new Map<string, boolean>() };
    const unread = forms.filter((form) => !entry.found.has(form));
    if (unread.length > 0) {
      const bytes = readFileSync(file);
      for (const form of unread) entry.found.set(form, bytes.includes(Buffer.from(form)));
      if (Date.now() - mtimeMs > settledMs) scanned.set(file, entry);
      else scanned.delete(file);
    }
    for (const [name, secretForms] of Object.entries(formsBySecret)) {
      for (const form of secretForms) if (entry.found.get(form)) hits[name]!.push(`${path.relative(dataDir, file)}: ${form}`);
    }
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

  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(canary).map(([what, value]) => [what, encodings(value)])));
  for (const what of Object.keys(canary)) expect(onDisk[what], what).toEqual([]);
});

test("canaries in the name revealed to a clinician and in a clinician's note reach no file, log or response to anyone without a grant", async ({ browser }) => {
  test.setTimeout(120_000);
  const canary = {
    revealed: "CanaryRevealed Marmalade-Okapi",
    noteTitle: "CanaryClinicianTitle Periwinkle",
    noteBody: "CanaryClinicianBody saffron-narwhal",
    patientNote: "CanaryPatientNote teal-pangolin",
  };
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Zara Zeroknow", specialty: "Hepatology", organization: "Liver Clinic" });
  const stranger = await newPerson(browser, { role: "nurse", name: "Nell Nosy", specialty: "Hepatology nursing", organization: "Elsewhere" });
  const patient = await newPerson(browser, { role: "patient", name: "Zed Zero" });
  const seenByStranger: string[] = [];
  stranger.page.on("response", async (response) => {
    seenByStranger.push(await response.text().catch(() => ""));
  });

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, canary.patientNote, "Liver enzymes normal.");
  await chooseClinician(patient.page, "Hepatology", "Dr Zara Zeroknow");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("All my records, including future ones").check();
  await form.getByLabel("Permission").selectOption("contribute");
  await form.getByLabel("Your name as Dr Zara Zeroknow will see it").fill(canary.revealed);
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Zara Zeroknow.")).toBeVisible();

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await expect(shared.getByRole("heading", { name: canary.revealed })).toBeVisible();
  await shared.getByRole("button", { name: /^Add a note to/ }).click();
  await shared.getByLabel("Title").fill(canary.noteTitle);
  await shared.getByLabel("Note", { exact: true }).fill(canary.noteBody);
  await shared.getByRole("button", { name: "Save note" }).click();
  await expect(shared.getByRole("button", { name: canary.noteTitle })).toBeVisible();

  // The stranger pokes at everything they can name.
  const { records } = (await (await patient.page.request.get("/api/records")).json()) as { records: Array<{ id: string }> };
  const grantId = ((await (await doctor.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;
  await stranger.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(stranger.page.getByText("No patient is sharing records with you right now.")).toBeVisible();
  for (const path of [
    "/api/shared",
    `/api/shared/${grantId}/records`,
    `/api/records/${records[0]!.id}/versions`,
    `/api/users/${patient.userId}/keys`,
    "/api/directory?q=Hepatology",
  ]) {
    await stranger.page.goto(path);
  }
  await stranger.page.goto("/history");

  // The patient's notices of the read and of the note: kinds and ids, never the note, the names or the revealed name.
  const seenInNotices: string[] = [];
  patient.page.on("response", async (response) => {
    if (new URL(response.url()).pathname.startsWith("/api/me/notice")) seenInNotices.push(await response.text().catch(() => ""));
  });
  await patient.page.goto("/notices");
  const notices = patient.page.getByTestId("notice-row");
  await expect(notices.and(patient.page.locator("[data-kind=note-added]"))).toContainText("Dr Zara Zeroknow");
  await expect(notices.and(patient.page.locator("[data-kind=records-opened]")).first()).toContainText("Dr Zara Zeroknow");
  const stream = await patient.page.request.get("/api/me/notices/stream?seconds=1", { headers: sameOrigin(patient.page) });
  expect(stream.headers()["content-type"]).toContain("text/event-stream");
  seenInNotices.push(await stream.text());
  expect(seenInNotices.some((body) => body.includes('"note-added"'))).toBe(true);
  for (const [what, value] of Object.entries(canary)) {
    expect(
      encodings(value).filter((form) => seenInNotices.some((body) => body.includes(form))),
      `${what} in a notice`,
    ).toEqual([]);
  }
  expect(
    seenInNotices.some((body) => body.includes("Zeroknow")),
    "a clinician's name in what the server sent about notices",
  ).toBe(false);

  // The clinician's notice of the share names the patient by the name they revealed: added in the clinician's browser, never sent by the server.
  const seenByDoctor: string[] = [];
  doctor.page.on("response", async (response) => {
    if (new URL(response.url()).pathname.startsWith("/api/me/notice")) seenByDoctor.push(await response.text().catch(() => ""));
  });
  await doctor.page.getByTestId("notice-link").click();
  await expect(doctor.page.locator('[data-testid="notice-row"][data-kind="patient-shared"]')).toContainText(canary.revealed, { timeout: 15_000 });
  expect(seenByDoctor.some((body) => body.includes('"patient-shared"'))).toBe(true);
  for (const [what, value] of Object.entries(canary)) {
    expect(
      encodings(value).filter((form) => seenByDoctor.some((body) => body.includes(form))),
      `${what} in a clinician's notice`,
    ).toEqual([]);
  }

  // Positive controls: public directory text is found on disk, and ciphertext did reach the stranger's responses' scan.
  await expect.poll(() => occurrences("Hepatology nursing").length, { timeout: 30_000 }).toBeGreaterThan(0);
  const responseHits = (value: string) => encodings(value).filter((form) => seenByStranger.some((body) => body.includes(form)));
  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(canary).map(([what, value]) => [what, encodings(value)])));
  for (const [what, value] of Object.entries(canary)) {
    expect(onDisk[what], what).toEqual([]);
    expect(responseHits(value), `${what} in a response to the stranger`).toEqual([]);
  }
  expect(seenByStranger.length).toBeGreaterThan(5);
  await Promise.all([doctor.close(), stranger.close(), patient.close()]);
});

test("the administration console shows no canary: figures, accounts, a disable and enable, the trail", async ({ browser }) => {
  test.setTimeout(150_000);
  const canary = { name: "CanaryAdminName Bramblewick", title: "CanaryAdminTitle Quokka-lantern", revealed: "CanaryAdminRevealed Ochre-ibis" };
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Ada Overseen", specialty: "Rheumatology", organization: "Seen Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: canary.name });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, canary.title, "Joint pain in the mornings.");
  await chooseClinician(patient.page, "Rheumatology", "Dr Ada Overseen");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel(canary.title, { exact: true }).check();
  await form.getByLabel("Your name as Dr Ada Overseen will see it").fill(canary.revealed);
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Ada Overseen.")).toBeVisible();

  const admin = await newPerson(browser, { role: "admin", name: "Ava Admin", enrolmentToken: adminEnrolmentToken });
  const seenByAdmin: string[] = [];
  admin.page.on("response", async (response) => {
    seenByAdmin.push(await response.text().catch(() => ""));
  });
  await admin.page.goto("/admin");
  await admin.page.getByLabel("Clinician's name or account id").fill("Ada Overseen");
  await admin.page.getByRole("button", { name: "Find accounts" }).click();
  admin.page.once("dialog", (dialog) => dialog.accept());
  await admin.page.getByRole("button", { name: "Disable Dr Ada Overseen" }).click();
  await expect(admin.page.getByRole("status").filter({ hasText: "Dr Ada Overseen is disabled." })).toBeVisible();
  await admin.page.getByRole("button", { name: "Enable Dr Ada Overseen" }).click();
  await expect(admin.page.getByRole("status").filter({ hasText: "Dr Ada Overseen is enabled again." })).toBeVisible();
  await expect(admin.page.getByTestId("admin-trail-verified")).toHaveText(/^(All \d+ events check out|The one event checks out)\.$/);
  for (const path of ["/api/admin/overview", "/api/admin/accounts", `/api/admin/accounts?q=${patient.userId}`, "/api/admin/trail"]) await admin.page.goto(path);

  // Positive control: the clinician's public name did reach the administrator's responses.
  const responseHits = (value: string) => encodings(value).filter((form) => seenByAdmin.some((body) => body.includes(form)));
  expect(responseHits("Dr Ada Overseen").length).toBeGreaterThan(0);
  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(canary).map(([what, value]) => [what, encodings(value)])));
  for (const [what, value] of Object.entries(canary)) {
    expect(onDisk[what], what).toEqual([]);
    expect(responseHits(value), `${what} in a response to the administrator`).toEqual([]);
  }
  await Promise.all([doctor.close(), patient.close(), admin.close()]);
});

test("SMART Health Links: record content, labels, the revealed name, link keys and the passcode reach no file, log or response, the JWE included", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const canary = {
    openTitle: "CanaryLinkHeading Tangerine-Ibis",
    openText: "CanaryLinkText cobalt-axolotl",
    guardedTitle: "CanaryGuardedHeading Mauve-Tapir",
    guardedText: "CanaryGuardedText amber-quokka",
    openLabel: "CanaryTagU Fennel",
    guardedLabel: "CanaryTagP Juniper",
    revealed: "CanaryRevealedLink Lavender-Gecko",
    passcode: "CanaryPass-heliotrope-42",
  };
  // Self-declared by the recipient and shown to the patient: the server may keep it (the positive control below).
  const recipients = { open: "Recipient Frontdesk Openclinic", guarded: "Recipient Kneedesk Guardedclinic" };
  const patient = await newPerson(browser, { role: "patient", name: "Pat Linkmaker" });
  const patientResponses = captureResponses(patient.page.context());
  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, canary.openTitle, canary.openText);
  await addNote(page, canary.guardedTitle, canary.guardedText);

  const open = await makeLinkOnPage(page, { records: [canary.openTitle], label: canary.openLabel, revealedName: canary.revealed });
  const guarded = await makeLinkOnPage(page, {
    records: [canary.guardedTitle],
    label: canary.guardedLabel,
    revealedName: canary.revealed,
    passcode: canary.passcode,
  });
  expect(shlinkPayloadOf(open)).toMatchObject({ flag: "U", label: canary.openLabel });
  expect(shlinkPayloadOf(guarded)).toMatchObject({ flag: "P", label: canary.guardedLabel });
  const live = page.getByTestId("live-links");
  await expect(live.getByTestId("link-label")).toHaveText([canary.guardedLabel, canary.openLabel]);

  // Our viewer opens the U link in a browser with no account.
  const clinic = await browser.newContext();
  const viewerResponses = captureResponses(clinic);
  const desk = await clinic.newPage();
  await desk.goto(open);
  await desk.getByLabel("Your name or clinic").fill(recipients.open);
  await desk.getByRole("button", { name: "Open link" }).click();
  const contents = desk.getByRole("region", { name: "What the link holds" });
  await expect(contents).toContainText(canary.openTitle, { timeout: 30_000 });
  await expect(contents).toContainText(canary.revealed);

  // An independent viewer opens the P link (and the U link) in this process, every response kept.
  const peerResponses: SeenResponse[] = [];
  const peer = (link: string) => new SHLViewer({ shlinkURI: link, fetch: capturingFetch(peerResponses) });
  const fromGuarded = JSON.stringify((await peer(guarded).resolveSHL({ recipient: recipients.guarded, passcode: canary.passcode })).fhirResources);
  // A note's text travels as a base64 attachment (FHIR Attachment.data).
  const asAttachment = (text: string) => Buffer.from(text).toString("base64");
  expect(fromGuarded).toContain(canary.guardedTitle);
  expect(fromGuarded).toContain(asAttachment(canary.guardedText));
  expect(fromGuarded).toContain(canary.revealed);
  const fromOpen = JSON.stringify((await peer(open).resolveSHL({ recipient: recipients.guarded })).fhirResources);
  expect(fromOpen).toContain(canary.openTitle);
  expect(fromOpen).toContain(asAttachment(canary.openText));

  // The list, reloaded, decrypts the labels again in the patient's browser and counts the opens.
  await page.reload();
  await unlockVault(page);
  await expect(live.getByTestId("link-label")).toHaveText([canary.guardedLabel, canary.openLabel]);
  const openRow = live.getByTestId("link-row").filter({ hasText: canary.openLabel });
  await openRow.getByRole("button", { name: `Accesses of ${canary.openLabel}` }).click();
  await expect(openRow.getByTestId("link-access").first()).toBeVisible();
  await clinic.close();
  await Promise.all([patientResponses.settled(), viewerResponses.settled()]);

  const secrets: Record<string, string | Uint8Array> = { ...canary };
  for (const [which, link] of Object.entries({ open, guarded })) {
    const { key } = shlinkPayloadOf(link);
    secrets[`${which} link key`] = key;
    secrets[`${which} link key bytes`] = Buffer.from(key, "base64url");
  }
  const everyResponse = [...patientResponses.seen, ...viewerResponses.seen, ...peerResponses];
  // Positive controls: the recipients' self-declared names reached the database files, and the
  // JWE of both links (U file, P manifest or its location) is among the responses scanned.
  await expect.poll(() => occurrences(recipients.open).length, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => occurrences(recipients.guarded).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const jwe = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
  const served = (url: string) => everyResponse.filter((response) => response.url.startsWith(url));
  expect(
    served(shlinkPayloadOf(open).url).some((response) => jwe.test(response.body)),
    "the U file response is a compact JWE",
  ).toBe(true);
  expect(
    [...served(shlinkPayloadOf(guarded).url), ...everyResponse.filter((response) => response.url.includes("/api/shl/files/"))].some((response) =>
      /"embedded":"[A-Za-z0-9_.-]+"|^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_.-]+$/.test(response.body),
    ),
    "the P manifest carries or locates a JWE",
  ).toBe(true);
  expect(patientResponses.seen.length).toBeGreaterThan(5);
  // And the scan reads JSON bodies: the accesses list the patient fetched names the recipient.
  expect(everyResponse.some((response) => response.body.includes(recipients.open))).toBe(true);

  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(secrets).map(([what, secret]) => [what, formsOf(secret)])));
  for (const [what, secret] of Object.entries(secrets)) {
    const forms = formsOf(secret);
    expect(onDisk[what], `${what} in the database files or the server logs`).toEqual([]);
    const inResponses = everyResponse.filter((response) => forms.some((form) => response.body.includes(form))).map((response) => response.url);
    expect(inResponses, `${what} in a response`).toEqual([]);
  }
  await patient.close();
});

test("stored vaults have one size whatever the patient's name, before and after pinning a clinician, and an unpadded vault is not stored", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Bea Bucketwell", specialty: "Paediatric nephrology", organization: "Even Sizes Clinic" });
  const short = await newPerson(browser, { role: "patient", name: "Al" });
  const long = await newPerson(browser, { role: "patient", name: "Maximiliane Anneliese Theodora von Habsburg-Lothringen-Wittelsbach" });
  const vaultOf = async (person: Person) => (await (await person.page.request.get("/api/me/vault")).json()) as { bundle: string; bundleRevision: number };
  const size = (vault: { bundle: string }) => Buffer.from(vault.bundle, "base64url").length;

  const [shortVault, longVault] = [await vaultOf(short), await vaultOf(long)];
  expect(size(longVault), "the stored vaults of a short and a long name").toBe(size(shortVault));

  // Sharing pins the clinician's keys in the vault: the rewritten vault keeps its size.
  await shareNewNote(long.page, { title: "Kidney function", text: "eGFR stable." }, { search: "Paediatric nephrology", name: "Dr Bea Bucketwell" });
  const pinned = await vaultOf(long);
  expect(pinned.bundleRevision, "the vault was rewritten with the pinned clinician").toBeGreaterThan(longVault.bundleRevision);
  expect(size(pinned), "the vault with a pinned clinician").toBe(size(shortVault));

  // A vault whose size would show its contents (the unpadded kind, or a bucket below 4 KiB) is refused.
  for (const bundle of [Buffer.from([1, 2, ...randomBytes(280)]), Buffer.from([1, 10, ...randomBytes(2048 + 40)])]) {
    const refused = await short.page.request.put("/api/me/vault/bundle", {
      headers: sameOrigin(short.page),
      data: { bundle: bundle.toString("base64url"), revision: shortVault.bundleRevision },
    });
    expect(refused.status()).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid-input");
  }
  expect(size(await vaultOf(short))).toBe(size(shortVault));
  await Promise.all([doctor.close(), short.close(), long.close()]);
});

test("the emergency card: its records (also one added after it was made), the revealed name, the contacts, the passcode and the link key reach no file, log or response", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const canary = {
    noteTitle: "CanaryCardHeading Saffron-Okapi",
    noteText: "CanaryCardText teal-pangolin",
    laterTitle: "CanaryCardLater Russet-Tarsier",
    laterText: "CanaryCardLaterText olive-narwhal",
    revealed: "CanaryCardName Periwinkle-Civet",
    contacts: "CanaryCardContact Ochre-Dugong +99 123",
    passcode: "CanaryCardPass-cerulean-7",
  };
  const recipient = "Recipient Erdesk Cardclinic";
  const patient = await newPerson(browser, { role: "patient", name: "Pat Cardholder" });
  const patientResponses = captureResponses(patient.page.context());
  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, canary.noteTitle, canary.noteText);

  await page.getByRole("banner").getByRole("link", { name: "Emergency card" }).click();
  const form = page.getByTestId("card-form");
  await form.getByLabel("Notes", { exact: true }).check();
  await form.getByLabel("Your name on the card").fill(canary.revealed);
  await form.getByLabel(/Emergency contacts/).fill(canary.contacts);
  await form.getByLabel("Passcode", { exact: true }).fill(canary.passcode);
  await form.getByRole("button", { name: "Make the card" }).click();
  await page.getByTestId("card-made").getByRole("button", { name: "Done" }).click({ timeout: 60_000 });
  const link = await page.getByTestId("emergency-card").getByTestId("card-link-text").inputValue();

  // A note added later joins the link through this browser (PUT /api/links/{id}).
  await page.getByRole("banner").getByRole("link", { name: "My records" }).click();
  await addNote(page, canary.laterTitle, canary.laterText);
  const peerResponses: SeenResponse[] = [];
  const resolve = async () =>
    JSON.stringify(
      (
        await new SHLViewer({ shlinkURI: link.slice(link.indexOf("shlink:/")), fetch: capturingFetch(peerResponses) }).resolveSHL({
          recipient,
          passcode: canary.passcode,
        })
      ).fhirResources,
    );
  await expect.poll(resolve, { timeout: 30_000 }).toContain(canary.laterTitle);
  const opened = await resolve();
  expect(opened).toContain(canary.noteTitle);
  expect(opened).toContain(canary.revealed);
  expect(opened).not.toContain(canary.contacts);
  await patientResponses.settled();

  await expect.poll(() => occurrences(recipient).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const { key } = shlinkPayloadOf(link);
  const secrets: Record<string, string | Uint8Array> = { ...canary, "card link key": key, "card link key bytes": Buffer.from(key, "base64url") };
  const everyResponse = [...patientResponses.seen, ...peerResponses];
  expect(everyResponse.some((response) => /"embedded":"[A-Za-z0-9_.-]+"|^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_.-]+$/.test(response.body))).toBe(true);
  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(secrets).map(([what, secret]) => [what, formsOf(secret)])));
  for (const [what, secret] of Object.entries(secrets)) {
    const forms = formsOf(secret);
    expect(onDisk[what], `${what} in the database files or the server logs`).toEqual([]);
    const inResponses = everyResponse.filter((response) => forms.some((form) => response.body.includes(form))).map((response) => response.url);
    expect(inResponses, `${what} in a response`).toEqual([]);
  }
  await patient.close();
});

test("canaries shared with a care team reach no file, log, or response to the organization's administrators, the deployment administrator or a removed member, before and after the share is renewed", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const canary = { revealed: "CanaryTeamRevealed Cobalt-Axolotl", title: "CanaryTeamTitle Vermilion-Tapir", text: "CanaryTeamText jade-manatee" };
  const organization = "Canary Harbour Hospital";
  const team = "Canary Harbour Cardiology";
  const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken });
  const orgAdmin = await newPerson(browser, { role: "nurse", name: "Orla Organizer", specialty: "Administration", organization });
  const member = await newPerson(browser, { role: "doctor", name: "Dr Milo Member", specialty: "Cardiology", organization });
  const leaver = await newPerson(browser, { role: "doctor", name: "Dr Lena Leaver", specialty: "Cardiology", organization });
  const patient = await newPerson(browser, { role: "patient", name: "Cass Canary" });
  const seen = new Map<string, string[]>();
  for (const [who, person] of Object.entries({ admin, orgAdmin, leaver })) {
    seen.set(who, []);
    person.page.on("response", async (response) => {
      seen.get(who)!.push(await response.text().catch(() => ""));
    });
  }
  await verifyClinician(admin, "Dr Milo Member");
  await verifyClinician(admin, "Dr Lena Leaver");
  await createOrganization(admin, organization, orgAdmin.userId);
  await createTeam(orgAdmin, team);
  await addMember(orgAdmin, team, "Milo Member", "Dr Milo Member");
  await addMember(orgAdmin, team, "Lena Leaver", "Dr Lena Leaver");

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, canary.title, canary.text);
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByLabel("Team or organization name").fill(team);
  await patient.page.getByRole("button", { name: "Find teams" }).click();
  await patient.page.getByRole("button", { name: `Choose the team ${team}` }).click();
  await patient.page.getByLabel("All my records, including future ones").check();
  await patient.page.getByLabel("Your name, as the team will see it").fill(canary.revealed);
  await patient.page.getByRole("button", { name: `Share with ${team}` }).click();
  await expect(patient.page.getByText(`Shared with ${team} (${organization}).`)).toBeVisible();
  await member.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(member.page.getByTestId("shared-patient").getByRole("heading", { name: canary.revealed })).toBeVisible();

  // The leaver is removed; the organization's administrator replaces the key and re-seals; the leaver pokes at what they knew.
  const { grants } = (await (await member.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string; team?: { teamId: string } }> };
  const { grantId, team: teamRef } = grants[0]!;
  orgAdmin.page.once("dialog", (dialog) => dialog.accept());
  await orgAdmin.page.getByRole("button", { name: `Remove Dr Lena Leaver from ${team}` }).click();
  await expect(orgAdmin.page.getByText("Dr Lena Leaver is removed. The team's key is replaced")).toBeVisible();
  // The patient's browser renews the share under a new share key (the revealed name sealed again under it) and rotates the records.
  // Away from Sharing and back, so that the page mounts again and asks for the upkeep; a click on Sharing
  // before My records had opened stayed on the Sharing page, which then asked for nothing.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await expect(patient.page).toHaveURL(/\/chart$/);
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 share with a care team now uses a new key", { timeout: 60_000 });
  const renewed = ((await (await member.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;
  expect(renewed).not.toBe(grantId);
  await openUnlocked(member.page, "/shared", member.page.getByTestId("shared-patient").getByRole("heading", { name: canary.revealed }));
  for (const path of [
    "/api/shared",
    `/api/shared/${grantId}/records`,
    `/api/shared/${renewed}/records`,
    `/api/teams/${teamRef!.teamId}/key`,
    `/api/teams/${teamRef!.teamId}/reseals`,
  ]) {
    await leaver.page.goto(path);
  }
  for (const path of ["/api/organizations", `/api/teams/${teamRef!.teamId}/key`, `/api/teams/${teamRef!.teamId}/reseals`, "/api/admin/trail"]) {
    await (path.startsWith("/api/admin") ? admin : orgAdmin).page.goto(path);
  }

  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(canary).map(([what, value]) => [what, encodings(value)])));
  for (const [what, value] of Object.entries(canary)) {
    expect(onDisk[what], what).toEqual([]);
    for (const [who, bodies] of seen) {
      expect(
        encodings(value).filter((form) => bodies.some((body) => body.includes(form))),
        `${what} in a response to ${who}`,
      ).toEqual([]);
    }
  }
  expect(seen.get("orgAdmin")!.some((body) => body.includes(team))).toBe(true);
  await Promise.all([admin.close(), orgAdmin.close(), member.close(), leaver.close(), patient.close()]);
});

test("emergency access: the set's records, the revealed name and the emergency share key reach no file, log or response but the contact's once open", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const canary = {
    noteTitle: "CanaryEmergencyHeading Umber-Quoll",
    noteText: "CanaryEmergencyText jade-axolotl",
    revealed: "CanaryEmergencyName Cobalt-Gharial",
    // What the patient calls their contact and how to reach them: in the patient's vault only.
    contactName: "CanaryContactName Saffron-Tapir",
    contactReach: "CanaryReach 0161-Jackdaw",
  };
  const patient = await newPerson(browser, { role: "patient", name: "Pat Trusting" });
  const contact = await newPerson(browser, { role: "patient", name: "Cody Contact" });
  const stranger = await newPerson(browser, { role: "nurse", name: "Nell Nosier", specialty: "Triage", organization: "Elsewhere" });
  const patientResponses = captureResponses(patient.page.context());
  const strangerResponses = captureResponses(stranger.page.context());
  const contactResponses = captureResponses(contact.page.context());
  await contact.page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  const code = (await contact.page.getByTestId("own-share-code").textContent({ timeout: 30_000 }))!.trim();

  const { page } = patient;
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, canary.noteTitle, canary.noteText);
  await page.getByRole("banner").getByRole("link", { name: "Emergency contacts" }).click();
  const form = page.getByTestId("name-contact");
  await form.getByLabel("Your contact's share code").fill(code);
  await form.getByRole("button", { name: "Check the code" }).click();
  await form.getByLabel("Notes", { exact: true }).check();
  await form.getByLabel("Wait after a request").selectOption({ label: "Immediately" });
  await form.getByLabel(/Your name, as your contact will see it/).fill(canary.revealed);
  await form.getByLabel(/^Your contact's name/).fill(canary.contactName);
  await form.getByLabel(/^How to reach them/).fill(canary.contactReach);
  await form.getByRole("button", { name: "Name emergency contact" }).click();
  await expect(form.getByText(/Emergency contact named/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("emergency-contact-name")).toHaveText(canary.contactName);
  const { contacts } = (await (await page.request.get("/api/emergency-contacts")).json()) as { contacts: Array<{ grantId: string }> };
  const grantId = contacts[0]!.grantId;

  // The stranger asks for everything they can name; the contact asks (no wait) and reads the set.
  for (const target of ["/api/emergency-access", `/api/emergency-access/${grantId}`, "/api/emergency-contacts"]) await stranger.page.goto(target);
  await stranger.page.request.post(`/api/emergency-access/${grantId}/request`, { headers: sameOrigin(stranger.page) });
  await contact.page.getByRole("button", { name: "Check again" }).click();
  await contact.page.getByRole("button", { name: "Request emergency access" }).click();
  await contact.page.getByRole("button", { name: "Read the emergency set" }).click();
  const set = contact.page.getByTestId("emergency-set");
  await expect(set).toContainText(canary.noteTitle, { timeout: 30_000 });
  await expect(set).toContainText(canary.revealed);
  await Promise.all([patientResponses.settled(), strangerResponses.settled(), contactResponses.settled()]);

  const { vaultKey } = await keysOf(patient);
  const shareKey = Buffer.from(deriveShareKey(vaultKey, { grantId }));
  const secrets: Record<string, string | Uint8Array> = {
    ...canary,
    "emergency share key": shareKey,
    "emergency share key (base64url)": shareKey.toString("base64url"),
  };
  // Positive control: the sealed share key the contact received is on disk (opaque), and ciphertext reached the contact.
  expect(contactResponses.seen.some((response) => response.url.includes(`/api/emergency-access/${grantId}`) && response.body.includes("sealedShareKey"))).toBe(
    true,
  );
  const onDisk = occurrencesOfEach(Object.fromEntries(Object.entries(secrets).map(([what, secret]) => [what, formsOf(secret)])));
  for (const [what, secret] of Object.entries(secrets)) {
    const forms = formsOf(secret);
    expect(onDisk[what], `${what} in the database files or the server logs`).toEqual([]);
    const everyResponse = [...patientResponses.seen, ...strangerResponses.seen, ...contactResponses.seen];
    const inResponses = everyResponse.filter((response) => forms.some((form) => response.body.includes(form))).map((response) => response.url);
    expect(inResponses, `${what} in a response`).toEqual([]);
  }
  await Promise.all([patient.close(), contact.close(), stranger.close()]);
});
