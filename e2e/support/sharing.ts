import { expect, type Browser, type Page } from "@playwright/test";
import {
  cryptoReady,
  decodeRecoveryKey,
  deriveRecoveryKeyEncryptionKey,
  fromBase64url,
  decryptPrivateBundle,
  openShareKey,
  unwrapRecordKey,
  unwrapVaultKey,
  verifyKeyCertificate,
  type RecordKey,
} from "@/crypto";
import { recordKeyOf } from "@/client/records/records";
import { sealGrant } from "@/client/sharing/sharing";
import { signUpThroughPage, type SignUpInput } from "./accounts";
import { addVirtualAuthenticator } from "./virtual-authenticator";

export interface Person {
  page: Page;
  recoveryKey: string;
  userId: string;
  close(): Promise<void>;
}

/** A person in their own browser context, with their own virtual authenticator, signed up through the pages (of the server at `baseURL`, if given). */
export async function newPerson(browser: Browser, input: SignUpInput, { baseURL }: { baseURL?: string } = {}): Promise<Person> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const recoveryKey = await signUpThroughPage(page, input);
  const { userId } = (await (await page.request.get("/api/me/vault")).json()) as { userId: string };
  return { page, recoveryKey, userId, close: () => context.close() };
}

export async function addNote(page: Page, title: string, text: string) {
  await page.getByRole("button", { name: "Add a note" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Note", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Save note" }).click();
  await expect(page.getByTestId("group-note").getByRole("button", { name: title })).toBeVisible();
}

/** Imports a FHIR file through the chart's import panel and waits for its `count` records. */
export async function importRecords(page: Page, file: string, count: number) {
  await page.getByRole("link", { name: "My records" }).first().click();
  await page
    .getByRole("region", { name: /import/i })
    .locator('input[type="file"]')
    .setInputFiles(file);
  await page.getByRole("button", { name: /^Import \d/ }).click();
  await expect(page.getByText(`Imported ${count} records`)).toBeVisible({ timeout: 60_000 });
}

/**
 * Finds a clinician on the Sharing page and opens the share form with them; unless
 * `compare` is false, ticks "I compared this code" (the form needs a verified entry or a
 * comparison), which moves the focus to that box.
 */
export async function chooseClinician(page: Page, search: string, name: string, { compare = true }: { compare?: boolean } = {}) {
  await page.getByRole("link", { name: "Sharing" }).click();
  await page.getByLabel("Name, specialty or organization").fill(search);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("button", { name: `Choose ${name}` }).click();
  // The form, or what stops it (changed keys, keys that do not verify): only the form gets ticked.
  const form = page.getByTestId("share-form");
  await expect(form.or(page.getByTestId("key-changed-warning")).or(page.locator("p.form-error[role=alert]")).first()).toBeVisible();
  if (compare && (await form.isVisible())) await compareSafetyCode(page);
}

/** Ticks "I compared this code" on the open share form (what a patient does once the codes match). */
export async function compareSafetyCode(page: Page) {
  await page
    .getByTestId("share-form")
    .getByRole("checkbox", { name: /^I compared this code/ })
    .check();
}

/**
 * Adds a note on the chart and shares it alone with a clinician through the pages: the
 * first share with them pins their keys in the patient's vault.
 */
export async function shareNewNote(page: Page, note: { title: string; text: string }, clinician: { search: string; name: string }) {
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, note.title, note.text);
  await chooseClinician(page, clinician.search, clinician.name);
  const form = page.getByTestId("share-form");
  await form.getByLabel(note.title, { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(page.getByText(`Shared with ${clinician.name}.`)).toBeVisible();
}

/** Writes through the API with the app's own origin, as the app's pages do. */
export const sameOrigin = (page: Page) => ({ origin: new URL(page.url()).origin });

/**
 * What a person's browser holds once unlocked, recomputed outside the browser from their
 * recovery key: lets a test act as that person's client (say, keep the key a clinician
 * once had) with the real cryptography.
 */
export async function keysOf(person: Person) {
  await cryptoReady();
  const material = (await (await person.page.request.get("/api/me/vault")).json()) as {
    userId: string;
    identityPublicKey: string;
    certificate: string;
    bundle: string;
    wraps: Array<{ method: string; wrappedKey: string }>;
  };
  const wrap = material.wraps.find((candidate) => candidate.method === "recovery")!;
  const vaultKey = unwrapVaultKey(fromBase64url(wrap.wrappedKey), deriveRecoveryKeyEncryptionKey(decodeRecoveryKey(person.recoveryKey)), {
    userId: material.userId,
    methodId: "recovery",
  });
  const bundle = decryptPrivateBundle(fromBase64url(material.bundle), vaultKey, { userId: material.userId });
  const identityPublicKey = fromBase64url(material.identityPublicKey);
  const certificate = verifyKeyCertificate(fromBase64url(material.certificate), identityPublicKey, { userId: material.userId });
  return {
    vaultKey,
    identity: { publicKey: identityPublicKey, secretKey: bundle.identitySecretKey },
    encryption: { publicKey: certificate.encryptionPublicKey, secretKey: bundle.encryptionSecretKey },
  };
}

/** The record keys a clinician's browser could open right now, fetched and unwrapped as their client does. */
export async function recordKeysHeldBy(clinician: Person): Promise<Map<string, RecordKey>> {
  const keys = await keysOf(clinician);
  const held = new Map<string, RecordKey>();
  const { grants } = (await (await clinician.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string; sealedShareKey: string }> };
  for (const grant of grants) {
    const shareKey = openShareKey(fromBase64url(grant.sealedShareKey), keys.encryption, { grantId: grant.grantId });
    const { records } = (await (await clinician.page.request.get(`/api/shared/${grant.grantId}/records`)).json()) as {
      records: Array<{ id: string; keyVersion: number; wrappedKey: string }>;
    };
    for (const record of records) {
      held.set(
        record.id,
        unwrapRecordKey(fromBase64url(record.wrappedKey), shareKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: grant.grantId }),
      );
    }
  }
  return held;
}

/**
 * Grants through the real API exactly as the patient's browser would (the same sealing
 * code), for what the page cannot do quickly, such as an end date seconds away.
 */
export async function grantThroughApi(
  patient: Person,
  clinicianId: string,
  options: { recordIds: string[] | "all"; expiresAt: Date | null; permission?: "read" | "contribute"; revealedName?: string },
): Promise<string> {
  const keys = await keysOf(patient);
  const clinician = (await (await patient.page.request.get(`/api/users/${clinicianId}/keys`)).json()) as { identityPublicKey: string; certificate: string };
  const certificate = verifyKeyCertificate(fromBase64url(clinician.certificate), fromBase64url(clinician.identityPublicKey), { userId: clinicianId });
  const { records } = (await (await patient.page.request.get("/api/records")).json()) as {
    records: Array<{ id: string; keyVersion: number; ownerWrap: string }>;
  };
  const vault = {
    userId: patient.userId,
    keys: {
      identitySecretKey: keys.identity.secretKey,
      identityPublicKey: keys.identity.publicKey,
      encryptionSecretKey: keys.encryption.secretKey,
      encryptionPublicKey: keys.encryption.publicKey,
      vaultKey: keys.vaultKey,
    },
  };
  const chosen = options.recordIds === "all" ? records : records.filter((record) => options.recordIds.includes(record.id));
  const request = sealGrant({
    vault,
    clinicianId,
    clinicianEncryptionPublicKey: certificate.encryptionPublicKey,
    recordKeys: chosen.map((record) => ({ recordId: record.id, keyVersion: record.keyVersion, recordKey: recordKeyOf(record, vault) })),
    recordIds: options.recordIds,
    permission: options.permission ?? "read",
    expiresAt: options.expiresAt,
    revealedName: options.revealedName ?? "A patient",
  });
  const response = await patient.page.request.post("/api/grants", { headers: sameOrigin(patient.page), data: request });
  expect(response.status()).toBe(201);
  return request.grantId;
}

/** Imports fixture 04 (an IPS document with French text: 14 records, allergies, medications and problems among them) through the chart's import panel. */
export const importIps = (page: Page) => importRecords(page, "fixtures/real-world/04-ips-with-immunization.json", 14);
