import { expect, test } from "./support/test";
import { cryptoReady, generateEncryptionKeyPair, generateIdentityKeyPair, signKeyCertificate, toBase64url } from "@/crypto";
import { newPerson, sameOrigin, shareNewNote } from "./support/sharing";
import { signInThroughPage, signOutThroughPage, signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { trailActions } from "./support/audit";

test("a clinician's read of shared records appears live in the patient's notice centre and badge, named in the browser, and is marked read", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Nora Notice", specialty: "Cardiology", organization: "Harbour Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Paul Patient" });
  await shareNewNote(patient.page, { title: "Blood pressure log", text: "Canary-notice-content 142/91" }, { search: "Cardiology", name: "Dr Nora Notice" });

  // A second page of the patient's, on the notice centre, with nothing to show yet.
  const centre = await patient.page.context().newPage();
  await centre.goto("/notices");
  await expect(centre.getByRole("heading", { name: "Notices", level: 1 })).toBeVisible();
  await expect(centre.getByText(/^No notices yet/)).toBeVisible();
  await expect(patient.page.getByTestId("notice-badge")).toHaveCount(0);

  // The clinician opens what was shared, on their own page.
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await shared.getByRole("button", { name: "Blood pressure log" }).click();
  await expect(shared).toContainText("Canary-notice-content 142/91");

  // Without a reload, the notice arrives in the second page and the badge in the first (server-sent events).
  const row = centre.getByTestId("notice-row");
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row).toHaveAttribute("data-kind", "records-opened");
  await expect(row).toContainText("New: A clinician opened records you shared: Dr Nora Notice");
  await expect(row).not.toContainText("Canary-notice-content");
  await expect(patient.page.getByTestId("notice-badge")).toContainText("1 unread notice", { timeout: 15_000 });

  // What the server sends holds ids, a count and times: never a name or a record's content.
  const listed = await (await centre.request.get("/api/me/notices")).text();
  expect(listed).not.toContain("Nora");
  expect(listed).not.toContain("Blood pressure");
  expect(listed).toContain(doctor.userId);

  // Read here: the badge on the other page clears, live too.
  await row.getByRole("button", { name: /^Mark as read/ }).click();
  await expect(centre.getByRole("status").filter({ hasText: "Notice marked as read." })).toBeVisible();
  await expect(row).toHaveAttribute("data-read", "true");
  // The button is gone: focus is on the notice's words, not on the top of the page.
  await expect(row.locator("strong")).toBeFocused();
  await expect(patient.page.getByTestId("notice-badge")).toHaveCount(0, { timeout: 15_000 });

  // A later visit sees what was recorded while away: the clinician reads again while the centre is closed.
  await centre.close();
  const { grants } = (await (await doctor.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> };
  expect((await doctor.page.request.get(`/api/shared/${grants[0]!.grantId}/records`)).status()).toBe(200);
  const later = await patient.page.context().newPage();
  await later.goto("/notices");
  await expect(later.getByTestId("notice-row").first()).toHaveAttribute("data-read", "false", { timeout: 15_000 });
  await later.close();
  await doctor.close();
  await patient.close();
});

test("email settings never promise an email a server without SMTP will not send, and a signed-out page says so instead of 'try again'", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Edna Email" });
  const page = patient.page;
  await page.goto("/notices");
  const settings = page.getByRole("region", { name: "Email notices" });
  await expect(settings.getByText("This service does not send email at the moment.", { exact: false })).toBeVisible();
  await settings.getByLabel("Email address for notices").fill("edna@example.org");
  await settings.getByLabel("A link you made was opened").check();
  await settings.getByRole("button", { name: "Save email settings" }).click();
  await expect(settings.getByRole("status")).toHaveText("Saved. This service does not send email at the moment: your choices will apply when it does.");
  await settings.getByLabel("A link you made was opened").uncheck();
  await settings.getByRole("button", { name: "Save email settings" }).click();
  await expect(settings.getByRole("status")).toHaveText("Saved. You chose no emails.");

  // The session ends elsewhere (another tab signs out): saving here says to sign in, not to try again.
  expect((await page.request.post("/api/auth/sign-out", { headers: sameOrigin(page) })).ok()).toBe(true);
  await settings.getByRole("button", { name: "Save email settings" }).click();
  await expect(settings.getByRole("status")).toHaveText(/^Your notice settings could not be saved\. (Please sign in again\.|Your session has ended)/);
  await expect(settings.getByRole("status")).not.toContainText("try again");
  await patient.close();
});

test("a sign-in from a browser the account has not used raises a notice live; signing in again from a known browser raises none", async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Bea Browser" });
  // The browser signed up from, signing in again: known, so nothing.
  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page).toHaveURL(/\/home$/);
  await page.goto("/notices");
  await expect(page.getByText(/^No notices yet/)).toBeVisible();

  // The same passkey, synced to a second browser (another context: no cookie of the first).
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await other.goto("/");
  await (await addVirtualAuthenticator(other, { prf: true })).addCredentials(await authenticator.credentials());
  await signInThroughPage(other);
  await expect(other).toHaveURL(/\/(home|unlock)$/);

  const row = page.getByTestId("notice-row");
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row).toHaveAttribute("data-kind", "new-sign-in");
  await expect(row).toContainText("signed in to from a browser or device it had not been used on before");
  expect(await trailActions(page)).toContain("sign-in-new-browser");
  // The notice says where to act.
  await expect(row.getByRole("link", { name: "Review your sessions and passkeys" })).toHaveAttribute("href", "/settings/security");

  // That browser is known from now on: a second sign-in there adds nothing.
  await other.goto("/home");
  await signOutThroughPage(other);
  await signInThroughPage(other);
  await expect(other).toHaveURL(/\/(home|unlock)$/);
  await page.reload();
  await expect(page.getByTestId("notice-row")).toHaveCount(1);
  await expect(page.getByTestId("notice-row")).toHaveAttribute("data-read", "false");
  expect((await trailActions(page)).filter((action) => action === "sign-in-new-browser")).toHaveLength(1);
  await otherContext.close();
  await context.close();
});

test("a clinician hears live when a patient starts sharing and when they stop, named in the clinician's browser only", async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Otto Outcome", specialty: "Endocrinology", organization: "Lake Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Stella Sharer" });
  // The clinician's notice centre, reached in the app (the vault stays open), before anything is shared.
  await doctor.page.getByTestId("notice-link").click();
  await expect(doctor.page.getByText(/^No notices yet/)).toBeVisible();
  const settings = doctor.page.getByRole("region", { name: "Email notices" });
  await expect(settings.getByLabel("A patient started sharing records with you")).toBeVisible();
  await expect(settings.getByLabel("A clinician opened records you shared")).toHaveCount(0);

  await shareNewNote(patient.page, { title: "Thyroid panel", text: "TSH 4.1" }, { search: "Endocrinology", name: "Dr Otto Outcome" });
  const shared = doctor.page.locator('[data-testid="notice-row"][data-kind="patient-shared"]');
  await expect(shared).toContainText("New: A patient started sharing records with you: Stella Sharer", { timeout: 15_000 });
  await expect(doctor.page.getByTestId("notice-badge")).toContainText("1 unread notice", { timeout: 15_000 });
  const listed = await (await doctor.page.request.get("/api/me/notices")).text();
  expect(listed).not.toContain("Stella");
  expect(listed).toContain(patient.userId);

  const { grants } = (await (await patient.page.request.get("/api/grants")).json()) as { grants: Array<{ id: string }> };
  // The notice leads to that share, named as the patient chose (the clinician never opened Shared with me here: the name below comes from the notice centre alone).
  await expect(shared.getByRole("link", { name: "Open what Stella Sharer shares with you" })).toHaveAttribute("href", `/shared#share-${grants[0]!.id}`);

  expect((await patient.page.request.post(`/api/grants/${grants[0]!.id}/revoke`, { headers: sameOrigin(patient.page) })).ok()).toBe(true);
  const ended = doctor.page.locator('[data-testid="notice-row"][data-kind="patient-stopped-sharing"]');
  await expect(ended).toContainText("A patient's share with you ended", { timeout: 15_000 });
  await expect(doctor.page.getByTestId("notice-badge")).toContainText("2 unread notices", { timeout: 15_000 });
  // The share is gone: its notices lead to what is still shared, and, after a full load, name the patient from the clinician's own vault.
  await expect(shared.getByRole("link", { name: "Open what is shared with you" })).toBeVisible({ timeout: 15_000 });
  await doctor.page.reload();
  const unlock = doctor.page.getByRole("button", { name: "Unlock to see patients' names" });
  await expect(ended.filter({ hasText: "Stella Sharer" }).or(unlock).first()).toBeVisible({ timeout: 15_000 });
  if (await unlock.isVisible()) await unlock.click();
  await expect(ended).toContainText("A patient's share with you ended: they stopped sharing, or its end date passed: Stella Sharer", { timeout: 15_000 });
  expect(await (await doctor.page.request.get("/api/me/notices")).text()).not.toContain("Stella");
  await doctor.close();
  await patient.close();
});

test("a pinned contact whose keys the server now serves differently is a notice in the patient's notice centre and badge, decided in the browser; comparing the safety code and trusting the new keys clears it", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Rhea Rekey", specialty: "Nephrology", organization: "Kidney Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Pia Pinned" });
  await shareNewNote(patient.page, { title: "Kidney panel", text: "eGFR 58" }, { search: "Nephrology", name: "Dr Rhea Rekey" });

  // The server (or someone in its place) now serves other keys for the doctor, properly certified for the doctor's account.
  await cryptoReady();
  const forgedIdentity = generateIdentityKeyPair();
  const forged = signKeyCertificate(
    { userId: doctor.userId, role: "doctor", encryptionPublicKey: generateEncryptionKeyPair().publicKey, createdAt: Date.now() },
    forgedIdentity.secretKey,
  );
  await patient.page.context().route(`**/api/users/${doctor.userId}/keys`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...body, identityPublicKey: toBase64url(forgedIdentity.publicKey), certificate: toBase64url(forged) } });
  });
  // Whatever the check does, it tells the server nothing: no write leaves the page while it runs.
  const writes: string[] = [];
  patient.page.on("request", (request) => {
    if (request.method() !== "GET" && !request.url().includes("/api/csp-reports")) writes.push(`${request.method()} ${request.url()}`);
  });

  await patient.page.getByTestId("notice-link").click();
  const row = patient.page.locator('[data-testid="notice-row"][data-kind="contact-key-changed"]');
  await expect(row).toContainText("New: A pinned contact's key changed: Dr Rhea Rekey", { timeout: 15_000 });
  await expect(row).toContainText("Noticed by this browser");
  await expect(row).toContainText("compare the safety code");
  await expect(patient.page.getByTestId("notice-badge")).toContainText("1 unread notice");
  expect(writes).toEqual([]);
  const notices = await (await patient.page.request.get("/api/me/notices")).text();
  expect(notices).not.toContain(doctor.userId);

  // The share page's comparison, in place: the new safety code, then trusting the new keys re-pins them.
  await row.getByRole("button", { name: "Compare the safety code: Dr Rhea Rekey" }).click();
  const warning = patient.page.getByTestId("key-changed-warning");
  await expect(warning).toContainText("The keys of Dr Rhea Rekey have changed");
  await expect(warning.getByTestId("changed-safety-code")).toBeVisible();
  await expect(warning.getByRole("button", { name: "Trust the new keys" })).toBeDisabled();
  await warning.getByLabel("Dr Rhea Rekey showed me this same code").check();
  await warning.getByRole("button", { name: "Trust the new keys" }).click();
  await expect(row).toHaveCount(0, { timeout: 15_000 });
  await expect(patient.page.getByTestId("notice-badge")).toHaveCount(0);
  await doctor.close();
  await patient.close();
});
