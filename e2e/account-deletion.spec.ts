import { watchApiCalls as watch } from "./support/api-routes";
import { randomBytes } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { apiClientHeader } from "@/contract/api-client-header";
import { findTraces } from "@/lib/db/account-traces";
import { expect, test } from "./support/test";
import { signInThroughPage } from "./support/accounts";
import { CrashServer } from "./support/crash-server";
import { addNote, chooseClinician, newPerson } from "./support/sharing";
import { storageViolations } from "./support/storage-invariants";
import { expectFitsViewport } from "./support/viewport";
import { e2ePorts } from "./support/ports";

/**
 * Leaving (README "Leaving"): a patient with a record, a file and a grant to a clinician deletes
 * the account from Security settings after a fresh passkey tap; the clinician is refused at
 * once; the old passkey no longer signs in, and says why; and with the server stopped, a scan
 * of every table of the schema and of the blob directory finds nothing of the account but the
 * audit trail kept in its stated form. The server's fresh-proof window is 3 seconds, so the
 * sign-up's own proof is stale by the time the patient deletes.
 */

test.describe.configure({ mode: "serial", timeout: 240_000 });

const port = e2ePorts.accountDeletion;
const dataDir = path.resolve(__dirname, "..", ".e2e-data-leave");
const server = new CrashServer({ port, dataDir, settings: { FRESH_PROOF_MINUTES: "0.05" } });
const doctorName = "Dr. Lena Leaving";

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.stop();
});

/** Every file under `dir` (the file blob store's chunks are `<blob id>/<index>-<digest>`). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" });
}

test("a patient deletes their account: the clinician is refused, the passkey no longer signs in, and nothing of it is left but the kept trail", async ({
  browser,
}, testInfo) => {
  const doctor = await newPerson(
    browser,
    { role: "doctor", name: doctorName, specialty: "Departure medicine", organization: "Exit Clinic" },
    { baseURL: server.url },
  );
  const patient = await newPerson(browser, { role: "patient", name: "Pia Parting" }, { baseURL: server.url });
  const page = patient.page;
  const api = { origin: server.url, [apiClientHeader.name]: apiClientHeader.value };

  // A record, a file, and a share of both with the doctor.
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, "Leaving note", "Penicillin allergy");
  const file = testInfo.outputPath("leaving-scan.bin");
  writeFileSync(file, randomBytes(200_000));
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await expect(page.getByText("leaving-scan.bin was encrypted and saved.")).toBeVisible({ timeout: 60_000 });
  await chooseClinician(page, "Departure", doctorName);
  const form = page.getByTestId("share-form");
  await form.getByLabel("Leaving note", { exact: true }).check();
  await form.getByLabel("leaving-scan.bin", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByText(`Shared with ${doctorName}.`)).toBeVisible();

  const { grants } = (await (await doctor.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> };
  expect(grants).toHaveLength(1);
  const grantId = grants[0]!.grantId;
  expect((await doctor.page.request.get(`/api/shared/${grantId}/records`)).status()).toBe(200);
  const { records } = (await (await page.request.get("/api/records")).json()) as { records: Array<{ id: string; current: { blobId: string | null } }> };
  expect(records).toHaveLength(2);
  const blobId = records.find((record) => record.current.blobId)!.current.blobId!;
  const { passkeys } = (await (await page.request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ id: string }> };
  const passkeyId = passkeys[0]!.id;
  const { sessions } = (await (await page.request.get("/api/me/sessions")).json()) as { sessions: Array<{ id: string }> };

  // Without a fresh proof the session alone deletes nothing; nor does a request naming another account.
  await page.waitForTimeout(4_000);
  const bare = await page.request.delete(`/api/me?userId=${patient.userId}`, { headers: api });
  expect(bare.status()).toBe(403);
  expect(((await bare.json()) as { error: { code: string } }).error.code).toBe("fresh-proof-required");
  const misdirected = await page.request.delete(`/api/me?userId=${doctor.userId}`, { headers: api });
  expect(misdirected.status()).toBe(409);
  expect((await page.request.get("/api/records")).status()).toBe(200);

  // The page: at phone size and on the desktop, the offer to download everything first, then the typed confirmation.
  await page.getByRole("link", { name: "Security", exact: true }).click();
  const leave = page.getByRole("region", { name: "Delete your account" });
  await expect(leave).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await leave.scrollIntoViewIfNeeded();
  await expectFitsViewport(page, "Delete your account at 390 px");
  await page.setViewportSize({ width: 1280, height: 800 });
  // The backup offer leads there and back, without a reload (the vault stays open).
  await leave.getByRole("link", { name: "Download everything first" }).click();
  await expect(page.getByRole("heading", { name: "Backup", level: 1 })).toBeVisible();
  await page.getByTestId("back-to-leaving").getByRole("link", { name: "go back to deleting your account" }).click();
  await expect(leave).toBeVisible();
  await leave.getByLabel(/To confirm, type/).fill("delete it");
  await leave.getByRole("button", { name: "Delete my account" }).click();
  await expect(leave.getByRole("alert")).toContainText("Type “delete my account” to confirm.");
  expect((await page.request.get("/api/records")).status()).toBe(200);

  const seen = watch(page, /^\/api\/me(\/fresh-proof.*)?$/);
  await leave.getByLabel(/To confirm, type/).fill("delete my account");
  await leave.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/goodbye\?trail=/);
  await expect(page.getByRole("heading", { name: "Your account was deleted" })).toBeVisible();
  // The menu is a signed-out person's: no sign-out button, no notice badge of the deleted account.
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await expect(page.getByTestId("notice-badge")).toHaveCount(0);
  const trailId = (await page.getByTestId("trail-reference").textContent())!.trim();
  expect(seen).toEqual(["DELETE /api/me 403", "POST /api/me/fresh-proof/options 200", "POST /api/me/fresh-proof 200", "DELETE /api/me 200"]);

  // The clinician is refused at once; the patient is signed out.
  expect((await doctor.page.request.get(`/api/shared/${grantId}/records`)).status()).toBe(404);
  expect(((await (await doctor.page.request.get("/api/shared")).json()) as { grants: unknown[] }).grants).toEqual([]);
  expect((await page.request.get("/api/me/vault")).status()).toBe(401);
  // The clinician's own History still says what they received, from a patient now gone.
  await doctor.page.getByRole("link", { name: "History" }).click();
  await expect(doctor.page.getByTestId("history-row").first()).toContainText("A patient who has since deleted their account");

  // The old passkey (still on the device) no longer signs in, and the page says why it may not.
  await signInThroughPage(page);
  await expect(page.getByRole("alert").filter({ hasText: "If you deleted your account, its passkeys no longer sign in here" })).toBeVisible();
  expect((await page.request.get("/api/me/vault")).status()).toBe(401);

  await Promise.all([doctor.close(), patient.close()]);
  await server.stop();
  await server.inspect(async (db) => {
    const gone = { "user id": patient.userId, "file id": blobId, "passkey id": passkeyId, "session id": sessions[0]!.id };
    // The sign-in tried above with the old passkey, after the deletion, is counted per address and passkey id for ten
    // minutes, like any unknown passkey's (lib/auth/limits.ts): that window's row is the attempt's, not the account's.
    expect(await findTraces(db.query, gone, { "passkey id": ["rate_limit_buckets"] })).toEqual([]);
    // What was accessed (record and grant ids) is named only in the kept trail.
    const accessed = { "note id": records[0]!.id, "file record id": records[1]!.id, "grant id": grantId };
    expect(await findTraces(db.query, accessed, Object.fromEntries(Object.keys(accessed).map((what) => [what, ["departed_audit_events"]])))).toEqual([]);
    const kept = await db.query<{ actor_id: string | null; action: string }>(
      `select actor_id, action from departed_audit_events where trail_id = $1 order by seq`,
      [trailId],
    );
    expect(kept.map((event) => event.action)).toContain("grant-created");
    expect(kept.filter((event) => event.actor_id === doctor.userId).length).toBeGreaterThan(0);
    expect(new Set(kept.map((event) => event.actor_id))).toEqual(new Set([trailId, doctor.userId]));
    expect(await storageViolations(db)).toEqual([]);
  });
  expect(filesUnder(path.join(dataDir, "blobs")).filter((name) => name.includes(blobId))).toEqual([]);
});
