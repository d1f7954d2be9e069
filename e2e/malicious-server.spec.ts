import { expect, test, type Page } from "./support/test";
import { addNote, chooseClinician, newPerson } from "./support/sharing";
import { chartListUrl } from "./support/api-routes";

/**
 * The server turned hostile: responses are rewritten on their way to a real page, and the
 * page must refuse what does not verify, say so, and render nothing of it.
 */
type RecordJson = { id: string; ownerWrap: string; createdBy: string; current: { content: string; signature: string; authorId: string; version: number } };

const flip = (text: string, at: number) => {
  const bytes = Buffer.from(text, "base64url");
  const index = at < 0 ? bytes.length + at : at;
  bytes[index]! ^= 0x01;
  return bytes.toString("base64url");
};

async function serveChart(page: Page, rewrite: (records: RecordJson[]) => void) {
  await page.route(chartListUrl, async (route) => {
    if (route.request().method() !== "GET") return route.continue();
    const response = await route.fetch();
    const body = (await response.json()) as { records: RecordJson[] };
    rewrite(body.records);
    await route.fulfill({ response, json: body });
  });
}

test("the chart refuses every tampered part of a record, plainly, and shows the intact ones", async ({ browser }) => {
  // Eight tamperings, each a reload and an unlock.
  test.setTimeout(150_000);
  const patient = await newPerson(browser, { role: "patient", name: "Mona Malice" });
  const other = await newPerson(browser, { role: "patient", name: "Otis Other" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Target note", "Must never show altered.");
  await addNote(patient.page, "Bystander note", "Always fine.");
  const target = (records: RecordJson[]) => records.find((record) => record.id === targetId)!;
  const { records } = (await (await patient.page.request.get("/api/records")).json()) as { records: RecordJson[] };
  const chartTitles = ["Target note", "Bystander note"];
  const targetId = records[0]!.id;
  const bystander = records[1]!;

  const tamperings: Array<[string, (records: RecordJson[]) => void]> = [
    ["a flipped bit in the ciphertext", (list) => void (target(list).current.content = flip(target(list).current.content, -20))],
    ["a flipped bit in the envelope header (metadata)", (list) => void (target(list).current.content = flip(target(list).current.content, 1))],
    [
      "a lowered envelope version",
      (list) => {
        const bytes = Buffer.from(target(list).current.content, "base64url");
        bytes[0] = 0;
        target(list).current.content = bytes.toString("base64url");
      },
    ],
    ["a flipped bit in the key wrap", (list) => void (target(list).ownerWrap = flip(target(list).ownerWrap, -5))],
    ["a flipped bit in the signature", (list) => void (target(list).current.signature = flip(target(list).current.signature, 3))],
    ["another record's wrap re-used", (list) => void (target(list).ownerWrap = bystander.ownerWrap)],
    ["another author claimed", (list) => void (target(list).current.authorId = other.userId)],
    ["a record the patient never signed, injected", (list) => void list.push({ ...bystander, id: crypto.randomUUID() })],
  ];
  for (const [label, tamper] of tamperings) {
    await test.step(label, async () => {
      await serveChart(patient.page, tamper);
      await patient.page.reload();
      await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
      const warning = patient.page.getByTestId("integrity-warning");
      await expect(warning).toContainText("One record could not be verified and is not shown.");
      await expect(warning).toContainText("altered or damaged after it was saved");
      if (label.startsWith("a record the patient never signed")) {
        await expect(patient.page.getByTestId("group-note").getByRole("button", { name: "Bystander note" })).toHaveCount(1);
      } else {
        await expect(patient.page.getByRole("button", { name: "Target note" })).toHaveCount(0);
        await expect(patient.page.getByTestId("group-note").getByRole("button", { name: "Bystander note" })).toBeVisible();
      }
      await expect(patient.page.getByText("Must never show altered.")).toHaveCount(0);
      await patient.page.unroute(chartListUrl);
    });
  }
  await patient.page.reload();
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  for (const title of chartTitles) await expect(patient.page.getByTestId("group-note").getByRole("button", { name: title })).toBeVisible();
  await expect(patient.page.getByTestId("integrity-warning")).toHaveCount(0);
  await Promise.all([patient.close(), other.close()]);
});

test("a clinician's page refuses a grant whose share key, statement, signature or patient certificate was tampered with", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Vera Verify", specialty: "Nephrology", organization: "Kidney Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Paul Proof" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Kidney function", "eGFR 74.");
  await chooseClinician(patient.page, "Nephrology", "Dr Vera Verify");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Kidney function", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Vera Verify.")).toBeVisible();

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Kidney function" })).toBeVisible();

  type GrantJson = { sealedShareKey: string; statement: string; signature: string; patientKeys: { certificate: string } };
  const tamperings: Array<[string, (grant: GrantJson) => void]> = [
    ["sealed share key", (grant) => void (grant.sealedShareKey = flip(grant.sealedShareKey, -3))],
    ["statement", (grant) => void (grant.statement = flip(grant.statement, -3))],
    ["signature", (grant) => void (grant.signature = flip(grant.signature, 5))],
    ["patient certificate", (grant) => void (grant.patientKeys.certificate = flip(grant.patientKeys.certificate, -10))],
  ];
  for (const [label, tamper] of tamperings) {
    await test.step(`a flipped bit in the ${label}`, async () => {
      await doctor.page.route("**/api/shared", async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { grants: GrantJson[] };
        body.grants.forEach(tamper);
        await route.fulfill({ response, json: body });
      });
      await doctor.page.reload();
      await doctor.page.getByRole("button", { name: "Unlock with passkey" }).click();
      await expect(doctor.page.getByText(/What was shared with you could not be verified, so none of it is shown/)).toBeVisible();
      await expect(doctor.page.getByRole("button", { name: "Kidney function" })).toHaveCount(0);
      await expect(doctor.page.getByText("eGFR 74.")).toHaveCount(0);
      await doctor.page.unroute("**/api/shared");
    });
  }
  await Promise.all([doctor.close(), patient.close()]);
});

test("a swapped private bundle or vault-key wrap never unlocks", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Vic Vault" });
  const stranger = await newPerson(browser, { role: "patient", name: "Sid Stranger" });
  const theirs = (await (await stranger.page.request.get("/api/me/vault")).json()) as { bundle: string; wraps: Array<{ wrappedKey: string }> };
  for (const [label, swap] of [
    ["someone else's bundle", (vault: { bundle: string }) => void (vault.bundle = theirs.bundle)],
    ["a flipped bit in the bundle", (vault: { bundle: string }) => void (vault.bundle = flip(vault.bundle, -4))],
    [
      "a flipped bit in every vault-key wrap",
      (vault: { wraps: Array<{ wrappedKey: string }> }) => vault.wraps.forEach((wrap) => (wrap.wrappedKey = flip(wrap.wrappedKey, -4))),
    ],
  ] as const) {
    await test.step(label, async () => {
      await patient.page.route("**/api/me/vault", async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as { bundle: string; wraps: Array<{ wrappedKey: string }> };
        (swap as (vault: typeof body) => void)(body);
        await route.fulfill({ response, json: body });
      });
      await patient.page.goto("/chart");
      await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
      // Refused: either said plainly, or sent on to the recovery-key page; never the chart.
      await expect(
        patient.page
          .getByText("The passkey did not unlock your vault. Try again, or use your recovery key.")
          .or(patient.page.getByRole("heading", { name: "Unlock your vault" })),
      ).toBeVisible();
      await expect(patient.page.getByLabel("Search your records")).toHaveCount(0);
      await patient.page.unroute("**/api/me/vault");
    });
  }
  await Promise.all([patient.close(), stranger.close()]);
});

test("a record, a shared record, a grant list or a vault older than this browser has seen is refused", async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Olive Older", specialty: "Geriatrics", organization: "Elder Care" });
  const patient = await newPerson(browser, { role: "patient", name: "Rita Rollback" });
  const unlockAgain = async (page: Page) => {
    await page.reload();
    await page.getByRole("button", { name: "Unlock with passkey" }).click();
  };
  const snapshot = async (page: Page, url: string) => (await (await page.request.get(url)).json()) as unknown;
  const serveOld = (page: Page, pattern: string | ((url: URL) => boolean), body: unknown) =>
    page.route(pattern, (route) => (route.request().method() === "GET" ? route.fulfill({ json: body }) : route.continue()));

  // What the server will later replay: a vault from before the doctor was pinned, version 1 of
  // a note, its history, the grant while it was active, and what the doctor was first shown.
  const oldVault = await snapshot(patient.page, "/api/me/vault");
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Dose plan", "Take 10 mg daily.");
  const oldChart = (await snapshot(patient.page, "/api/records")) as { records: RecordJson[] };
  const recordId = oldChart.records[0]!.id;
  const oldVersions = await snapshot(patient.page, `/api/records/${recordId}/versions`);
  await chooseClinician(patient.page, "Geriatrics", "Dr Olive Older");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Dose plan", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Olive Older.")).toBeVisible();
  const oldGrants = await snapshot(patient.page, "/api/grants");
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Dose plan" })).toBeVisible();
  const grantId = ((await snapshot(doctor.page, "/api/shared")) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;
  const oldShared = await snapshot(doctor.page, `/api/shared/${grantId}/records`);

  // Version 2, seen by both browsers.
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await patient.page.getByTestId("group-note").getByRole("button", { name: "Dose plan" }).click();
  await patient.page.getByRole("button", { name: "Edit" }).click();
  await patient.page.getByLabel("Text").fill("Take 20 mg daily.");
  await patient.page.getByRole("button", { name: "Save as a new version" }).click();
  await expect(patient.page.getByTestId("record-detail")).toContainText("version 2");
  await unlockAgain(doctor.page);
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Dose plan" })).toBeVisible();

  await test.step("the chart refuses version 1 once version 2 was shown", async () => {
    await serveOld(patient.page, chartListUrl, oldChart);
    await unlockAgain(patient.page);
    await expect(patient.page.getByTestId("integrity-warning")).toContainText("older version than this browser has already shown you");
    await expect(patient.page.getByRole("button", { name: "Dose plan" })).toHaveCount(0);
    await expect(patient.page.getByText("Take 10 mg daily.")).toHaveCount(0);
    await patient.page.unroute(chartListUrl);
  });

  await test.step("the history refuses a list that ends before version 2", async () => {
    await unlockAgain(patient.page);
    await patient.page.getByTestId("group-note").getByRole("button", { name: "Dose plan" }).click();
    await serveOld(patient.page, `**/api/records/${recordId}/versions`, oldVersions);
    await patient.page.getByRole("button", { name: "Show all versions" }).click();
    await expect(patient.page.getByText("older copy of this record's history than this browser has already seen")).toBeVisible();
    await expect(patient.page.getByTestId("versions")).toHaveCount(0);
    await patient.page.unroute(`**/api/records/${recordId}/versions`);
  });

  await test.step("the doctor's page refuses version 1 of a shared record", async () => {
    await serveOld(doctor.page, `**/api/shared/${grantId}/records`, oldShared);
    await unlockAgain(doctor.page);
    await expect(doctor.page.getByText("1 shared record could not be verified and is not shown.")).toBeVisible();
    await expect(doctor.page.getByText("It was an older version than this browser has already shown you.")).toBeVisible();
    await expect(doctor.page.getByRole("button", { name: "Dose plan" })).toHaveCount(0);
    await doctor.page.unroute(`**/api/shared/${grantId}/records`);
  });

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Revoke Dr Olive Older" }).click();
  await expect(patient.page.getByText("Dr Olive Older no longer has any access to your records.")).toBeVisible();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 60_000 });

  for (const [label, body] of [
    ["the grant list from before the revocation", oldGrants],
    ["a grant list without the grant", { grants: [] }],
  ] as const) {
    await test.step(`the sharing page refuses ${label}`, async () => {
      await serveOld(patient.page, "**/api/grants", body);
      await unlockAgain(patient.page);
      await expect(patient.page.getByTestId("grants-rolled-back")).toContainText("older copy of your sharing list than this browser has already seen");
      await expect(patient.page.getByRole("button", { name: "Revoke Dr Olive Older" })).toHaveCount(0);
      await patient.page.unroute("**/api/grants");
    });
  }
  await unlockAgain(patient.page);
  await expect(patient.page.getByText("You are not sharing anything right now.")).toBeVisible();
  await expect(patient.page.getByTestId("grants-rolled-back")).toHaveCount(0);

  await test.step("unlocking refuses a vault from before the doctor was pinned", async () => {
    await serveOld(patient.page, "**/api/me/vault", oldVault);
    await unlockAgain(patient.page);
    await expect(patient.page.getByText("older copy of your encrypted vault than this browser has already seen")).toBeVisible();
    await expect(patient.page.getByRole("heading", { name: "Your vault is locked" })).toBeVisible();
    await patient.page.unroute("**/api/me/vault");
    await unlockAgain(patient.page);
    await expect(patient.page.getByText("You are not sharing anything right now.")).toBeVisible();
  });
  await Promise.all([doctor.close(), patient.close()]);
});
