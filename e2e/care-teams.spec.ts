import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { apiClientHeader } from "@/contract/api-client-header";
import { adminEnrolmentToken } from "../playwright.config";
import { watchApiCalls as watch } from "./support/api-routes";
import { AppServer } from "./support/app-server";
import { addNote, newPerson, sameOrigin } from "./support/sharing";
import { checkA11y, expect, test } from "./support/test";
import type { TeamEntry } from "@/contract/teams";
import { addMember, createOrganization, createTeam, deploymentAdminName, openUnlocked, verifyClinician } from "./support/teams";
import { expectFitsViewport } from "./support/viewport";
import { e2ePorts } from "./support/ports";

/**
 * Care teams (lib/teams, client/teams): an organization administrator makes a team in their
 * browser and adds verified clinicians; a patient shares with the team once; every member
 * opens the records and the patient's History names each; removing a member cuts them off at
 * once, the team key is replaced (and each share key re-sealed to it) and the patient's
 * browser moves the records to new keys. The patient's browser checks each team's chain of
 * trust (client/teams/team-chain.ts) before sealing to its key: verified up to the deployment
 * administrator's pinned key, unverified (the team key's safety code compared first), or refused.
 */

/** Letters only, so each run's names are its own in a shared directory. */
const tag = () =>
  [...randomBytes(6)]
    .map((byte) => String.fromCharCode(97 + (byte % 26)))
    .join("")
    .replace(/^./, (first) => first.toUpperCase());

const json = async <T>(page: Page, path: string): Promise<T> => (await (await page.request.get(path)).json()) as T;

test("a patient shares with a team: two members open the records and the History names each; a removed member is refused at once and the team key and the record keys rotate", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const surname = tag();
  const organization = `Riverside ${surname} Hospital`;
  const team = `Cardiology ${surname}`;
  const clinic = { specialty: "Cardiology", organization };
  const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken });
  const orgAdmin = await newPerson(browser, { role: "nurse", name: `Olu ${surname} Office`, specialty: "Administration", organization });
  const alice = await newPerson(browser, { role: "doctor", name: `Dr Alice ${surname}`, ...clinic, licenceNumber: "GMC 1111111" });
  const bob = await newPerson(browser, { role: "doctor", name: `Dr Bob ${surname}`, ...clinic, licenceNumber: "GMC 2222222" });
  const patient = await newPerson(browser, { role: "patient", name: "Pat Team" });

  await verifyClinician(admin, `Dr Alice ${surname}`);
  await verifyClinician(admin, `Dr Bob ${surname}`);
  // Named by the short id the accounts list shows.
  await createOrganization(admin, organization, orgAdmin.userId.slice(0, 8));
  await checkA11y(admin.page, "/admin with an organization made");

  await createTeam(orgAdmin, team);
  // The organization's administrator reaches the page from the menu.
  await expect(orgAdmin.page.getByRole("banner").getByRole("link", { name: "Organization", exact: true })).toBeVisible();
  await addMember(orgAdmin, team, `Alice ${surname}`, `Dr Alice ${surname}`);
  await addMember(orgAdmin, team, `Bob ${surname}`, `Dr Bob ${surname}`);
  await expect(orgAdmin.page.getByRole("list", { name: `Members of ${team}` }).getByRole("listitem")).toHaveCount(2);
  await checkA11y(orgAdmin.page, "/organization with a team");

  // The patient shares with the team, as with a clinician: one grant.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Echo report", "Ejection fraction 60%.");
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByLabel("Team or organization name").fill(team);
  await patient.page.getByRole("button", { name: "Find teams" }).click();
  await patient.page.getByRole("button", { name: `Choose the team ${team}` }).click();
  // Checked in the patient's browser: the deployment administrator's pinned key → their statement naming the
  // organization's administrator → the team key that administrator's browser signed. No comparison is needed.
  await expect(patient.page.getByTestId("team-verified")).toContainText(
    `Verified: team key signed by Olu ${surname} Office, an administrator of ${organization} certified by ${deploymentAdminName} on `,
  );
  await expect(patient.page.getByTestId("team-share-needs-comparison")).toHaveCount(0);
  // Nothing is chosen for the patient: a team is several people.
  const allRecords = patient.page.getByLabel("All my records, including future ones");
  await expect(allRecords).not.toBeChecked();
  await expect(patient.page.getByRole("button", { name: `Share with ${team}`, exact: true })).toBeDisabled();
  await expect(patient.page.getByLabel("Permission")).toHaveValue("read");
  await allRecords.check();
  await patient.page.getByLabel("Your name, as the team will see it").fill("Pat Team");
  await patient.page.getByRole("button", { name: `Share with ${team}`, exact: true }).click();
  await expect(patient.page.getByText(`Shared with ${team} (${organization}).`)).toBeVisible();
  // The list of shares shows it at once, without a reload (a patient would otherwise share again).
  await expect(patient.page.getByTestId("grant-row").filter({ hasText: team })).toHaveCount(1);
  await checkA11y(patient.page, "/share with a team share");
  const { grants } = await json<{ grants: Array<{ id: string; teamId?: string | null; clinicianName: string }> }>(patient.page, "/api/grants");
  const grant = grants.find((candidate) => candidate.teamId)!;
  expect(grant.clinicianName).toBe(`${team} · ${organization}`);
  const teamId = grant.teamId!;

  // A lying server: Mallory administers an organization of her own, and her browser signs her own team's key. The server
  // serves that key as the Riverside team's, with the statement that certifies Riverside's real administrator.
  const mallory = await newPerson(browser, { role: "nurse", name: `Mallory ${surname}`, specialty: "Administration", organization: "Elsewhere" });
  await createOrganization(admin, `Mallory ${surname} Clinic`, mallory.userId);
  await createTeam(mallory, `Mallory ${surname} Team`);
  const [malloryTeam] = (await json<{ teams: TeamEntry[] }>(patient.page, `/api/teams?q=${encodeURIComponent(`Mallory ${surname} Team`)}`)).teams;
  const [riverside] = (await json<{ teams: TeamEntry[] }>(patient.page, `/api/teams?q=${encodeURIComponent(team)}`)).teams;
  const forged = {
    ...malloryTeam!,
    name: team,
    organizationName: organization,
    certificate: { ...malloryTeam!.certificate, chain: riverside!.certificate.chain },
  };
  let served: TeamEntry = forged;
  await patient.page.route(
    (url) => url.pathname === "/api/teams",
    (route) => route.fulfill({ json: { teams: [served] } }),
  );
  const grantCalls = watch(patient.page, /^\/api\/grants/);
  await patient.page.getByRole("button", { name: "Find teams" }).click();
  await patient.page.getByRole("button", { name: `Choose the team ${team}` }).click();
  const refusal = patient.page.getByTestId("team-share-problem");
  await expect(refusal).toContainText(`${team} cannot be shared with.`);
  await expect(refusal).toBeFocused();
  await expect(patient.page.getByRole("button", { name: `Share with ${team}`, exact: true })).toHaveCount(0);
  // Served without any chain, the same key is only unverified: sharing waits for the team key's safety code comparison.
  served = { ...forged, certificate: { ...forged.certificate, chain: null } };
  await patient.page.getByRole("button", { name: "Find teams" }).click();
  await patient.page.getByRole("button", { name: `Choose the team ${team}` }).click();
  await expect(patient.page.getByTestId("team-unverified")).toContainText("Not verified");
  // The code is the one Mallory's Organization page shows for her team's key: what a patient compares with the team.
  await mallory.page.getByRole("button", { name: "Show the team key's safety code" }).click();
  await expect(patient.page.getByTestId("team-safety-code")).toHaveText(/^(\d{5} ){11}\d{5}$/);
  await expect(patient.page.getByTestId("team-safety-code")).toHaveText((await mallory.page.getByTestId("team-key-safety-code").textContent())!);
  const share = patient.page.getByRole("button", { name: `Share with ${team}`, exact: true });
  await patient.page.getByLabel("All my records, including future ones").check();
  await expect(share).toBeDisabled();
  await patient.page.getByLabel("I compared this code with the team").check();
  await expect(share).toBeEnabled();
  await patient.page.unroute((url) => url.pathname === "/api/teams");
  expect(grantCalls.filter((call) => call.startsWith("POST "))).toEqual([]);
  await mallory.close();

  // Alice arrives through her notice: it names the patient (opened in her browser) and leads to that share, which takes focus.
  await alice.page.getByTestId("notice-link").click();
  await alice.page
    .locator('[data-testid="notice-row"][data-kind="patient-shared"]')
    .getByRole("link", { name: "Open what Pat Team shares with you" })
    .first()
    .click({ timeout: 30_000 });
  await expect(alice.page.getByTestId("shared-patient").getByRole("heading", { name: "Pat Team" })).toBeFocused({ timeout: 30_000 });

  // Both members open it, each in their own browser with the team key sealed to them.
  for (const member of [alice, bob]) {
    await member.page.getByRole("link", { name: "Shared with me" }).click();
    const shared = member.page.getByTestId("shared-patient");
    await expect(shared.getByRole("button", { name: "Echo report" })).toBeVisible();
    await expect(shared).toContainText("Pat Team");
  }

  // The History names each member who opened the records.
  await patient.page.getByRole("link", { name: "History" }).click();
  await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
  const received = patient.page.getByTestId("history-row").filter({ hasText: "Received 1 record" });
  await expect(received.filter({ hasText: `Dr Alice ${surname}` })).toHaveCount(1);
  await expect(received.filter({ hasText: `Dr Bob ${surname}` })).toHaveCount(1);
  // And which team each read came through.
  for (const member of [`Dr Alice ${surname}`, `Dr Bob ${surname}`]) {
    await expect(received.filter({ hasText: member }).getByTestId("history-through")).toHaveText(`through ${team} · ${organization}`);
  }
  const { records: before } = await json<{ records: Array<{ id: string; keyVersion: number }> }>(patient.page, "/api/records");
  expect(before.map((record) => record.keyVersion)).toEqual([1]);
  // What the server holds for the share before Bob leaves (Bob holds the share key sealed in it).
  type Received = { grantId: string; sealedShareKey: string | null; statement: string; team?: { keyVersion: number } | null };
  const oldShare = (await json<{ grants: Received[] }>(alice.page, "/api/shared")).grants.find((candidate) => candidate.grantId === grant.id)!;
  const oldWraps = (await json<{ records: Array<{ wrappedKey: string }> }>(alice.page, `/api/shared/${grant.id}/records`)).records.map(
    (record) => record.wrappedKey,
  );

  // The organization administrator removes Bob: refused at once, the team key is replaced and the share re-sealed to it.
  orgAdmin.page.once("dialog", (dialog) => dialog.accept());
  await orgAdmin.page.getByRole("button", { name: `Remove Dr Bob ${surname} from ${team}` }).click();
  await expect(orgAdmin.page.getByText(`Dr Bob ${surname} is removed. The team's key is replaced and 1 share is re-sealed to it`)).toBeVisible();
  const refused = await bob.page.request.get(`/api/shared/${grant.id}/records`);
  expect(refused.status()).toBe(404);
  expect((await json<{ grants: unknown[] }>(bob.page, "/api/shared")).grants).toEqual([]);
  expect((await bob.page.request.get(`/api/teams/${teamId}/key`)).status()).toBe(403);
  const keys = await json<{ keyVersion: number; certificates: unknown[]; seals: Array<{ keyVersion: number }> }>(orgAdmin.page, `/api/teams/${teamId}/key`);
  expect(keys.keyVersion).toBe(2);
  expect(keys.certificates).toHaveLength(2);
  const aliceGrant = (await json<{ grants: Array<{ grantId: string; team?: { keyVersion: number } | null }> }>(alice.page, "/api/shared")).grants.find(
    (candidate) => candidate.grantId === grant.id,
  );
  expect(aliceGrant?.team?.keyVersion).toBe(2);
  await checkA11y(orgAdmin.page, "/organization after a removal");

  // The patient's browser moves the records to new keys, as after a revoke.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await expect(patient.page.getByTestId("group-note").getByRole("button", { name: "Echo report" })).toBeVisible();
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  // The share key Bob may have kept is replaced first: a successor grant (a new id, so a new share key sealed to the team's
  // new key), then the record keys, wrapped under the new share key only.
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 share with a care team now uses a new key that the member who left never held", {
    timeout: 60_000,
  });
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key");
  const { records: after } = await json<{ records: Array<{ id: string; keyVersion: number }> }>(patient.page, "/api/records");
  expect(after.map((record) => record.keyVersion)).toEqual([2]);
  const teamShares = (
    await json<{ grants: Array<{ id: string; teamId?: string | null; renewedAt?: string | null }> }>(patient.page, "/api/grants")
  ).grants.filter((candidate) => candidate.teamId);
  // One continuing share, renewed, not a revoke and a new share.
  expect(teamShares).toHaveLength(1);
  const renewed = teamShares[0]!;
  expect(renewed.id).not.toBe(grant.id);
  expect(renewed.renewedAt).toBeTruthy();
  await openUnlocked(patient.page, "/share", patient.page.getByTestId("grant-row").filter({ hasText: team }));
  await expect(patient.page.getByTestId("grant-row").filter({ hasText: team })).toHaveCount(1);
  await expect(patient.page.getByTestId("share-renewal")).toContainText("with a new key after a member left the team");
  await patient.page.getByRole("link", { name: "History" }).click();
  await expect(
    patient.page
      .getByTestId("history-row")
      .filter({ hasText: `Dr Bob ${surname} left ${team} · ${organization}; the share and your records move to new keys` }),
  ).toHaveCount(1);
  // The patient's own doings are shown on asking.
  await patient.page.getByLabel("Show").selectOption("all");
  await expect(patient.page.getByTestId("history-row").filter({ hasText: "Renewed a share with a care team under a new key after a member left" })).toHaveCount(
    1,
  );
  await expect(patient.page.getByTestId("history-row").filter({ hasText: "Revoked a share" })).toHaveCount(0);
  // The server's data for the share now: a new grant id (the record keys' wraps are bound to it), the share key sealed to
  // the team's version-2 key (Bob never held it), new wraps; the old grant serves no one.
  const newShare = (await json<{ grants: Received[] }>(alice.page, "/api/shared")).grants.find((candidate) => candidate.grantId === renewed.id)!;
  expect(newShare.team?.keyVersion).toBe(2);
  expect(newShare.sealedShareKey).not.toBe(oldShare.sealedShareKey);
  expect(newShare.statement).not.toBe(oldShare.statement);
  const newWraps = (await json<{ records: Array<{ wrappedKey: string; keyVersion: number }> }>(alice.page, `/api/shared/${renewed.id}/records`)).records;
  expect(newWraps.map((record) => record.keyVersion)).toEqual([2]);
  expect(newWraps.map((record) => record.wrappedKey).filter((wrap) => oldWraps.includes(wrap))).toEqual([]);
  expect((await alice.page.request.get(`/api/shared/${grant.id}/records`)).status()).toBe(404);
  expect((await bob.page.request.get(`/api/shared/${renewed.id}/records`)).status()).toBe(404);

  // Alice still opens the record (under the new team key and the new record key); Bob sees nothing.
  await openUnlocked(alice.page, "/shared", alice.page.getByTestId("shared-patient"));
  await expect(alice.page.getByTestId("shared-patient").getByRole("button", { name: "Echo report" })).toBeVisible();
  await openUnlocked(bob.page, "/shared", bob.page.getByText("No patient is sharing records with you right now."));

  // A share with a team is edited like one with a clinician: here it lets the team add notes too.
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  const teamRow = patient.page.getByTestId("grant-row").filter({ hasText: team });
  await teamRow.getByRole("button", { name: `Edit the share with ${team} · ${organization}` }).click();
  await teamRow.getByLabel("Permission").selectOption("contribute");
  await teamRow.getByRole("button", { name: "Save changes" }).click();
  await expect(patient.page.getByText(`${team} · ${organization} can now read and add notes`)).toBeVisible();
  const changed = (await json<{ grants: Array<{ id: string; permission: string; revision: number }> }>(patient.page, "/api/grants")).grants.find(
    (candidate) => candidate.id === renewed.id,
  );
  expect(changed).toMatchObject({ permission: "contribute", revision: 2 });
  // Alice's browser verifies the changed statement and offers to add a note.
  await openUnlocked(alice.page, "/shared", alice.page.getByTestId("shared-patient"));
  await expect(alice.page.getByTestId("shared-patient").getByRole("button", { name: /Add a note/ })).toBeVisible();
  await expect(alice.page.getByTestId("shared-patient").getByRole("alert")).toHaveCount(0);

  // Bob joins again and is removed by a script with the administrator's session: no administrator's page does the key
  // work this time, so the next remaining member's browser does, in the background of "Shared with me".
  await addMember(orgAdmin, team, `Bob ${surname}`, `Dr Bob ${surname}`);
  // Whoever joins a team the patient shares with can open what it is shown: the patient is told who joined.
  const joined = await json<{ notices: Array<{ kind: string; actorId: string | null }> }>(patient.page, "/api/me/notices");
  expect(joined.notices.filter((notice) => notice.kind === "team-member-joined").map((notice) => notice.actorId)).toEqual([bob.userId]);
  const removed = await orgAdmin.page.request.delete(`/api/teams/${teamId}/members/${bob.userId}`, {
    headers: { ...sameOrigin(orgAdmin.page), [apiClientHeader.name]: apiClientHeader.value },
  });
  expect(removed.status()).toBe(204);
  expect((await json<{ grants: unknown[] }>(bob.page, "/api/shared")).grants).toEqual([]);
  await openUnlocked(alice.page, "/shared", alice.page.getByTestId("shared-patient"));
  await expect(alice.page.getByTestId("shared-patient").getByRole("button", { name: "Echo report" })).toBeVisible();
  await expect
    .poll(async () => (await json<{ keyVersion: number; needsNewKey: boolean }>(orgAdmin.page, `/api/teams/${teamId}/key`)).keyVersion, { timeout: 30_000 })
    .toBe(3);
  await expect
    .poll(async () => (await json<{ grants: Array<{ team?: { keyVersion: number } | null }> }>(alice.page, "/api/shared")).grants[0]?.team?.keyVersion, {
      timeout: 30_000,
    })
    .toBe(3);

  // That key was made by a member, so no administrator certified it: the patient's browser seals the share key to it only
  // once the patient compared its safety code (here with the organization administrator's), and then renews the share.
  const renewalsBefore = (await json<{ grants: Array<{ id: string; teamId?: string | null }> }>(patient.page, "/api/grants")).grants.filter(
    (candidate) => candidate.teamId,
  );
  await openUnlocked(patient.page, "/share", patient.page.getByTestId("team-key-comparison"));
  const comparison = patient.page.getByTestId("team-key-comparison");
  await expect(comparison).toContainText(`${team} has a new key after a member left, and no administrator your browser trusts has certified it`);
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 share with a care team waits for you to compare the team's new key");
  expect((await json<{ grants: Array<{ id: string; teamId?: string | null }> }>(patient.page, "/api/grants")).grants.filter((g) => g.teamId)).toEqual(
    renewalsBefore,
  );
  await openUnlocked(orgAdmin.page, "/organization", orgAdmin.page.getByTestId("team-row"));
  await orgAdmin.page.getByRole("button", { name: "Show the team key's safety code" }).click();
  await expect(comparison.getByTestId("renewal-safety-code")).toHaveText((await orgAdmin.page.getByTestId("team-key-safety-code").textContent())!);
  const confirm = comparison.getByRole("button", { name: `The codes match: renew the share with ${team}` });
  await expect(confirm).toBeDisabled();
  await comparison.getByLabel(`A member of ${team} showed me this same code`).check();
  await checkA11y(patient.page, "/share with a team key to compare");
  await confirm.click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 share with a care team now uses a new key that the member who left never held", {
    timeout: 60_000,
  });
  await expect(comparison).toHaveCount(0);
  const afterConfirm = (await json<{ grants: Array<{ id: string; teamId?: string | null }> }>(patient.page, "/api/grants")).grants.filter((g) => g.teamId);
  expect(afterConfirm).toHaveLength(1);
  expect(afterConfirm[0]!.id).not.toBe(renewalsBefore[0]!.id);
  await openUnlocked(alice.page, "/shared", alice.page.getByTestId("shared-patient"));
  await expect(alice.page.getByTestId("shared-patient").getByRole("button", { name: "Echo report" })).toBeVisible();

  await orgAdmin.page.setViewportSize({ width: 390, height: 844 });
  await expectFitsViewport(orgAdmin.page, "/organization at 390 px");
  await Promise.all([admin.close(), orgAdmin.close(), alice.close(), bob.close(), patient.close()]);
});

test.describe("team membership changes need a fresh proof", () => {
  // Its own server, whose fresh-proof window is 3 seconds: a test waits it out instead of five minutes.
  const port = e2ePorts.careTeams;
  const server = new AppServer(port, ".e2e-data-care-teams");
  const windowMs = 3_000;
  test.describe.configure({ mode: "serial", timeout: 240_000 });
  test.use({ baseURL: server.url });
  test.beforeAll(async () => {
    // A second server starting beside the first takes a while on a busy machine.
    test.setTimeout(180_000);
    expect(await server.start({ FRESH_PROOF_MINUTES: String(windowMs / 60_000), ADMIN_ENROLMENT_TOKEN: adminEnrolmentToken })).toEqual({ state: "ready" });
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test("a script with the session alone is refused; the page asks for the passkey tap and then acts", async ({ browser }) => {
    const surname = tag();
    const organization = `Hillside ${surname} Clinic`;
    const team = `Oncology ${surname}`;
    const options = { baseURL: server.url };
    const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken }, options);
    const orgAdmin = await newPerson(browser, { role: "nurse", name: `Oma ${surname} Office`, specialty: "Administration", organization }, options);
    const carol = await newPerson(
      browser,
      { role: "doctor", name: `Dr Carol ${surname}`, specialty: "Oncology", organization, licenceNumber: "GMC 3333333" },
      options,
    );
    await verifyClinician(admin, `Dr Carol ${surname}`);
    await createOrganization(admin, organization, orgAdmin.userId);
    await createTeam(orgAdmin, team);
    const { organizations } = await json<{ organizations: Array<{ teams: Array<{ id: string }> }> }>(orgAdmin.page, "/api/organizations");
    const teamId = organizations[0]!.teams[0]!.id;

    // The sign-up's own proof goes stale. Not a timing assertion: the server's window is the point.
    await orgAdmin.page.waitForTimeout(windowMs + 1_000);
    const headers = { ...sameOrigin(orgAdmin.page), [apiClientHeader.name]: apiClientHeader.value };
    const sealedKey = Buffer.from(randomBytes(120)).toString("base64url");
    for (const response of [
      await orgAdmin.page.request.post(`/api/teams/${teamId}/members`, { headers, data: { userId: carol.userId, keyVersion: 1, sealedKey } }),
      await orgAdmin.page.request.delete(`/api/teams/${teamId}/members/${carol.userId}`, { headers }),
    ]) {
      expect(response.status()).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("fresh-proof-required");
    }
    const stillEmpty = await json<{ organizations: Array<{ teams: Array<{ members: unknown[] }> }> }>(orgAdmin.page, "/api/organizations");
    expect(stillEmpty.organizations[0]!.teams[0]!.members).toEqual([]);

    // Through the page: refused, one passkey tap, then added.
    const seen = watch(orgAdmin.page, /^\/api\/(teams\/|me\/fresh-proof)/);
    await addMember(orgAdmin, team, `Carol ${surname}`, `Dr Carol ${surname}`);
    expect(seen.filter((call) => !call.startsWith("GET "))).toEqual([
      expect.stringMatching(/^POST \/api\/teams\/.+\/members 403$/),
      "POST /api/me/fresh-proof/options 200",
      "POST /api/me/fresh-proof 200",
      expect.stringMatching(/^POST \/api\/teams\/.+\/members 204$/),
    ]);
    await Promise.all([admin.close(), orgAdmin.close(), carol.close()]);
  });
});
