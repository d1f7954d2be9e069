import { expect, test } from "./support/test";
import { unlockVault } from "./support/accounts";
import { cryptoReady, generateEncryptionKeyPair, generateIdentityKeyPair, signKeyCertificate, toBase64url } from "@/crypto";
import { addNote, chooseClinician, grantThroughApi, newPerson } from "./support/sharing";

test("a patient who opens a clinician's share link reaches them with the key already checked; a tampered code is refused", async ({ browser }) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Quinn Code", specialty: "Dermatology", organization: "Skin Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Sam Scan" });
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByRole("img", { name: "QR code with your share link" })).toBeVisible();
  const link = (await doctor.page.getByTestId("own-share-link").textContent())!;
  const code = (await doctor.page.getByTestId("own-share-code").textContent())!;
  expect(link).toContain(encodeURIComponent(code));

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Mole photo notes", "Left shoulder, 6 mm.");

  // A code with one character changed names another key: refused before anything is shown.
  // (A middle character: the last one of a base64url group also carries padding bits.)
  const at = code.length - 5;
  const tampered = code.slice(0, at) + (code[at] === "A" ? "B" : "A") + code.slice(at + 1);
  await patient.page.goto(`/share?code=${encodeURIComponent(tampered)}`);
  await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(patient.page.getByText(/does not match the keys the server gives for this clinician/)).toBeVisible();
  await expect(patient.page.getByTestId("share-form")).toHaveCount(0);

  await patient.page.goto(new URL(link).pathname + new URL(link).search);
  await unlockVault(patient.page);
  const form = patient.page.getByTestId("share-form");
  await expect(form).toContainText("Their key matches the share code you opened.");
  await expect(form.getByLabel("I compared this code with Dr Quinn Code", { exact: false })).toBeChecked();
  await form.getByLabel("Mole photo notes", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Quinn Code.")).toBeVisible();

  // Pasting the code itself works too.
  await patient.page.getByLabel("Or paste a clinician's share code or link").fill(code);
  await patient.page.getByRole("button", { name: "Open", exact: true }).click();
  await expect(form).toContainText("Their key matches the share code you opened.");
  await Promise.all([doctor.close(), patient.close()]);
});

test("when the server presents a different key for a pinned clinician, sharing stops and a warning explains why; an uncertified key is never used", async ({
  browser,
}) => {
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Pina Pinned", specialty: "Oncology", organization: "City Hospital" });
  const patient = await newPerson(browser, { role: "patient", name: "Kai Keys" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Biopsy result", "Benign.");
  await chooseClinician(patient.page, "Oncology", "Dr Pina Pinned");
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel("Biopsy result", { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText("Shared with Dr Pina Pinned.")).toBeVisible();

  // The server (or someone in its place) now answers with fresh keys, properly certified for the doctor's user id.
  await cryptoReady();
  const forgedIdentity = generateIdentityKeyPair();
  const forgedEncryption = generateEncryptionKeyPair();
  const forged = signKeyCertificate(
    { userId: doctor.userId, role: "doctor", encryptionPublicKey: forgedEncryption.publicKey, createdAt: Date.now() },
    forgedIdentity.secretKey,
  );
  const keysUrl = `**/api/users/${doctor.userId}/keys`;
  await patient.page.route(keysUrl, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...body, identityPublicKey: toBase64url(forgedIdentity.publicKey), certificate: toBase64url(forged) } });
  });
  const grantsBefore = ((await (await patient.page.request.get("/api/grants")).json()) as { grants: unknown[] }).grants.length;
  await chooseClinician(patient.page, "Oncology", "Dr Pina Pinned");
  const warning = patient.page.getByTestId("key-changed-warning");
  await expect(warning).toContainText("The keys of Dr Pina Pinned have changed");
  await expect(warning).toContainText("Sharing with Dr Pina Pinned is stopped.");
  await expect(patient.page.getByTestId("share-form")).toHaveCount(0);
  await expect(warning.getByRole("button", { name: "Trust the new keys" })).toBeDisabled();
  expect(((await (await patient.page.request.get("/api/grants")).json()) as { grants: unknown[] }).grants.length).toBe(grantsBefore);
  await patient.page.unroute(keysUrl);

  // A certificate that does not verify is refused outright, pinned or not.
  const nurse = await newPerson(browser, { role: "nurse", name: "Nils Nocert", specialty: "Oncology nursing", organization: "City Hospital" });
  await patient.page.route(`**/api/users/${nurse.userId}/keys`, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { certificate: string };
    const bytes = Buffer.from(body.certificate, "base64url");
    bytes[bytes.length - 1]! ^= 0x01;
    await route.fulfill({ response, json: { ...body, certificate: bytes.toString("base64url") } });
  });
  await chooseClinician(patient.page, "Oncology nursing", "Nils Nocert");
  await expect(patient.page.getByText(/keys could not be verified, so nothing can be shared with them/)).toBeVisible();
  await expect(patient.page.getByTestId("share-form")).toHaveCount(0);
  await Promise.all([doctor.close(), patient.close(), nurse.close()]);
});

test("a grant past its end date gives the clinician nothing, and the patient's next visit rotates its keys", async ({ browser }) => {
  test.setTimeout(90_000);
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Evan Expiry", specialty: "Orthopaedics", organization: "Bone Clinic" });
  const patient = await newPerson(browser, { role: "patient", name: "Tess Timeout" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Knee scan notes", "Meniscus tear, small.");

  // The patient's client, acting through the real API, grants with an end date a few seconds away
  // (the page itself offers whole days only).
  await cryptoReady();
  const expiresAt = new Date(Date.now() + 6_000);
  const grantId = await grantThroughApi(patient, doctor.userId, { recordIds: "all", expiresAt, revealedName: "Tess T." });

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("button", { name: "Knee scan notes" })).toBeVisible();

  await expect.poll(() => Date.now() > expiresAt.getTime(), { timeout: 10_000 }).toBe(true);
  const refused = await doctor.page.request.get(`/api/shared/${grantId}/records`);
  expect(refused.status()).toBe(404);
  expect(((await (await doctor.page.request.get("/api/shared")).json()) as { grants: unknown[] }).grants).toEqual([]);
  await doctor.page.reload();
  await unlockVault(doctor.page);
  await expect(doctor.page.getByText("No patient is sharing records with you right now.")).toBeVisible();

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 60_000 });
  await patient.page.getByText("Ended shares (1)").click();
  await expect(patient.page.getByTestId("ended-grant-row")).toContainText("Dr Evan Expiry · expired");
  await Promise.all([doctor.close(), patient.close()]);
});
