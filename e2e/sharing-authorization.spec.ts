import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { addNote, chooseClinician, grantThroughApi, newPerson, sameOrigin, type Person } from "./support/sharing";

/**
 * Everyone who should get nothing from a patient's records or grants, against every
 * sharing and record endpoint, with the real ids of that patient's records, grants and
 * file: the status and the error code are checked, and no response carries the patient's
 * ciphertext or wraps.
 */
type Caller = "anonymous" | "other patient" | "clinician without a grant" | "revoked clinician" | "expired clinician";
/** An expired grant must behave exactly like a revoked one. */
type ExpectedCaller = Exclude<Caller, "expired clinician">;

/** Every route (method and path template) under the record, sharing, file, audit and key-upkeep APIs. */
function routesUnder(prefixes: string[]): string[] {
  const root = path.resolve(__dirname, "../app");
  const walk = (directory: string): string[] =>
    readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(directory, entry.name)) : entry.name === "route.ts" ? [path.join(directory, entry.name)] : []));
  return walk(path.join(root, "api"))
    .map((file) => ({ file, template: `/${path.relative(root, path.dirname(file)).split(path.sep).join("/")}` }))
    .filter(({ template }) => prefixes.some((prefix) => template === prefix || template.startsWith(`${prefix}/`)))
    .flatMap(({ file, template }) => [...readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((match) => `${match[1]} ${template}`));
}
const templateMatches = (template: string, concrete: string) => new RegExp(`^${template.replace(/\[[^\]]+\]/g, "[^/]+")}$`).test(concrete.split("?")[0]!);

interface Expected {
  status: number;
  code?: string;
  /** For a 200: the list that must be empty. */
  emptyList?: string;
}

test("no one without an active grant gets anything from any sharing or record endpoint", async ({ browser, playwright }, testInfo) => {
  test.setTimeout(180_000);
  const granted = await newPerson(browser, { role: "doctor", name: "Dr Gina Granted", specialty: "Rheumatology", organization: "North Clinic" });
  const revoked = await newPerson(browser, { role: "doctor", name: "Dr Rex Revoked", specialty: "Rheumatology", organization: "South Clinic" });
  const expired = await newPerson(browser, { role: "doctor", name: "Dr Exa Expired", specialty: "Rheumatology", organization: "West Clinic" });
  const stranger = await newPerson(browser, { role: "nurse", name: "Nina Nogrant", specialty: "Rheumatology", organization: "East Clinic" });
  const otherPatient = await newPerson(browser, { role: "patient", name: "Olga Other" });
  const patient = await newPerson(browser, { role: "patient", name: "Petra Private" });

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Joint pain diary", "Morning stiffness 40 minutes.");
  const filePath = testInfo.outputPath("hand-xray.bin");
  writeFileSync(filePath, randomBytes(200_000));
  await patient.page.getByLabel("File", { exact: true }).setInputFiles(filePath);
  await expect(patient.page.getByText("hand-xray.bin was encrypted and saved.")).toBeVisible();

  for (const doctor of ["Dr Gina Granted", "Dr Rex Revoked"]) {
    await chooseClinician(patient.page, "Rheumatology", doctor);
    const form = patient.page.getByTestId("share-form");
    await form.getByLabel("All my records, including future ones").check();
    await form.getByLabel("Permission").selectOption("contribute");
    await form.getByRole("button", { name: "Share", exact: true }).click();
    await expect(patient.page.getByText(`Shared with ${doctor}.`)).toBeVisible();
  }
  const grantOf = async (person: Person) => ((await (await person.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string }> }).grants[0]!.grantId;
  const grantId = await grantOf(granted);
  const revokedGrantId = await grantOf(revoked);
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: "Revoke Dr Rex Revoked" }).click();
  await expect(patient.page.getByTestId("key-maintenance")).toContainText("now use new keys");

  // A third clinician's grant runs out a few seconds from now; it opened records before that.
  const expiresAt = new Date(Date.now() + 5_000);
  const expiredGrantId = await grantThroughApi(patient, expired.userId, { recordIds: "all", expiresAt });
  expect((await expired.page.request.get(`/api/shared/${expiredGrantId}/records`)).status()).toBe(200);
  await expect.poll(() => Date.now() > expiresAt.getTime(), { timeout: 10_000 }).toBe(true);

  const chart = (await (await patient.page.request.get("/api/records")).json()) as { records: Array<{ id: string; ownerWrap: string; current: { content: string; blobId: string | null } }> };
  const recordId = chart.records[0]!.id;
  const blobId = chart.records.find((record) => record.current.blobId)!.current.blobId!;
  const secrets = chart.records.flatMap((record) => [record.ownerWrap, record.current.content.slice(0, 64)]);

  // The positive control: the granted doctor does get the records and the file.
  const sharedToGranted = await granted.page.request.get(`/api/shared/${grantId}/records`);
  expect(sharedToGranted.status()).toBe(200);
  expect(((await sharedToGranted.json()) as { records: unknown[] }).records).toHaveLength(2);
  expect((await granted.page.request.get(`/api/blobs/${blobId}/chunks/0`)).status()).toBe(200);

  // Well-formed (a padded envelope of 298 bytes, a 64-byte signature), so that only authorization can refuse it.
  const body = { version: { version: 2, keyVersion: 1, content: "A".repeat(398), signature: "A".repeat(86) } };
  const endpoints: Array<{ method: "GET" | "POST" | "PUT" | "DELETE"; path: string; data?: unknown; contentType?: string; expect: Record<ExpectedCaller, Expected> }> = [];
  const unauthenticated: Expected = { status: 401, code: "unauthenticated" };
  const patientsOnly: Expected = { status: 403, code: "forbidden" };
  const notFound: Expected = { status: 404, code: "not-found" };
  const recordEndpoint = (method: "GET" | "POST" | "DELETE", path: string, data?: unknown) =>
    endpoints.push({ method, path, data, expect: { anonymous: unauthenticated, "other patient": notFound, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly } });
  endpoints.push({
    method: "GET",
    path: "/api/records",
    expect: { anonymous: unauthenticated, "other patient": { status: 200, emptyList: "records" }, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly },
  });
  recordEndpoint("GET", `/api/records/${recordId}/versions`);
  recordEndpoint("POST", `/api/records/${recordId}/versions`, body.version);
  recordEndpoint("POST", `/api/records/${recordId}/rotate`, { ownerWrap: "A".repeat(100), version: { ...body.version, keyVersion: 2 }, grantWraps: [] });
  recordEndpoint("DELETE", `/api/records/${recordId}`);
  recordEndpoint("POST", `/api/grants/${grantId}/revoke`);
  recordEndpoint("POST", `/api/grants/${grantId}/records/${recordId}/revoke`);
  endpoints.push({
    method: "GET",
    path: "/api/grants",
    expect: { anonymous: unauthenticated, "other patient": { status: 200, emptyList: "grants" }, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly },
  });
  endpoints.push({
    method: "POST",
    path: "/api/grants/wraps",
    data: { wraps: [{ grantId, recordId, keyVersion: 2, wrappedKey: "A".repeat(100) }] },
    expect: { anonymous: unauthenticated, "other patient": { status: 409, code: "conflict" }, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly },
  });
  const clinicianList: Expected = { status: 200, emptyList: "grants" };
  const cliniciansOnly: Expected = { status: 403, code: "forbidden" };
  endpoints.push({ method: "GET", path: "/api/shared", expect: { anonymous: unauthenticated, "other patient": cliniciansOnly, "clinician without a grant": clinicianList, "revoked clinician": clinicianList } });
  for (const id of [grantId, revokedGrantId, expiredGrantId]) {
    endpoints.push({ method: "GET", path: `/api/shared/${id}/records`, expect: { anonymous: unauthenticated, "other patient": cliniciansOnly, "clinician without a grant": notFound, "revoked clinician": notFound } });
    endpoints.push({
      method: "POST",
      path: `/api/shared/${id}/records`,
      data: { id: crypto.randomUUID(), sealedOwnerKey: "A".repeat(100), grantWrap: "A".repeat(100), version: { ...body.version, version: 1 } },
      expect: { anonymous: unauthenticated, "other patient": cliniciansOnly, "clinician without a grant": notFound, "revoked clinician": notFound },
    });
  }
  endpoints.push({ method: "GET", path: `/api/blobs/${blobId}/chunks/0`, expect: { anonymous: unauthenticated, "other patient": notFound, "clinician without a grant": notFound, "revoked clinician": notFound } });
  endpoints.push({ method: "GET", path: `/api/blobs/${blobId}`, expect: { anonymous: unauthenticated, "other patient": notFound, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly } });
  endpoints.push({
    method: "PUT",
    path: `/api/blobs/${blobId}/chunks/0`,
    data: Buffer.alloc(16),
    contentType: "application/octet-stream",
    expect: { anonymous: unauthenticated, "other patient": notFound, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly },
  });
  endpoints.push({ method: "POST", path: `/api/blobs/${blobId}/complete`, expect: { anonymous: unauthenticated, "other patient": notFound, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly } });
  // Writing into one's own chart, uploads or sharing, with well-formed bodies: another patient may write only their own
  // (a record and an upload of theirs; never a grant of this patient's record), clinicians and strangers nothing.
  const own = (otherPatient: Expected): Record<ExpectedCaller, Expected> => ({ anonymous: unauthenticated, "other patient": otherPatient, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly });
  endpoints.push({ method: "POST", path: "/api/records", data: { records: [{ id: crypto.randomUUID(), ownerWrap: "A".repeat(100), version: { ...body.version, version: 1 } }] }, expect: own({ status: 201 }) });
  endpoints.push({ method: "POST", path: "/api/blobs", data: { chunkSize: 1024 * 1024, chunkCount: 1 }, expect: own({ status: 201 }) });
  endpoints.push({
    method: "POST",
    path: "/api/grants",
    data: {
      grantId: crypto.randomUUID(),
      clinicianId: granted.userId,
      scope: "records",
      permission: "read",
      expiresAt: null,
      sealedShareKey: "A".repeat(100),
      statement: "AAAA",
      signature: "A".repeat(86),
      sealedProfile: null,
      recordIds: [recordId],
      wraps: [{ recordId, keyVersion: 1, wrappedKey: "A".repeat(100) }],
    },
    expect: own({ status: 400, code: "invalid-input" }),
  });
  // One's own trail and upkeep: each caller gets their own, never the patient's.
  endpoints.push({
    method: "GET",
    path: "/api/me/key-maintenance",
    expect: { anonymous: unauthenticated, "other patient": { status: 200, emptyList: "rotations" }, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly },
  });
  const ownTrail: Expected = { status: 200 };
  endpoints.push({ method: "GET", path: "/api/me/audit", expect: { anonymous: unauthenticated, "other patient": ownTrail, "clinician without a grant": ownTrail, "revoked clinician": ownTrail } });
  endpoints.push({ method: "GET", path: "/api/me/audit/actions", expect: { anonymous: unauthenticated, "other patient": cliniciansOnly, "clinician without a grant": ownTrail, "revoked clinician": ownTrail } });
  endpoints.push({ method: "POST", path: "/api/me/audit/exports", expect: { anonymous: unauthenticated, "other patient": { status: 204 }, "clinician without a grant": patientsOnly, "revoked clinician": patientsOnly } });

  // A route added under these APIs without a row here fails the test.
  const routes = routesUnder(["/api/records", "/api/grants", "/api/shared", "/api/blobs", "/api/me/key-maintenance", "/api/me/audit"]);
  expect(routes).toContain("PUT /api/blobs/[id]/chunks/[index]");
  expect(routes.length).toBeGreaterThanOrEqual(23);
  const uncovered = routes.filter((route) => {
    const [method, template] = route.split(" ") as [string, string];
    return !endpoints.some((endpoint) => endpoint.method === method && templateMatches(template, endpoint.path));
  });
  expect(uncovered).toEqual([]);

  const anonymous = await playwright.request.newContext({ baseURL: new URL(patient.page.url()).origin });
  const callers: Record<Caller, APIRequestContext> = {
    anonymous,
    "other patient": otherPatient.page.request,
    "clinician without a grant": stranger.page.request,
    "revoked clinician": revoked.page.request,
    "expired clinician": expired.page.request,
  };
  const origin = sameOrigin(patient.page);
  const failures: string[] = [];
  for (const endpoint of endpoints) {
    for (const [caller, request] of Object.entries(callers) as Array<[Caller, APIRequestContext]>) {
      const response = await request.fetch(endpoint.path, {
        method: endpoint.method,
        headers: { ...origin, ...(endpoint.contentType ? { "content-type": endpoint.contentType } : {}) },
        data: endpoint.data,
      });
      const expected = endpoint.expect[caller === "expired clinician" ? "revoked clinician" : caller];
      const text = await response.text();
      const json = text ? (JSON.parse(text) as Record<string, unknown> & { error?: { code: string } }) : null;
      const where = `${caller}: ${endpoint.method} ${endpoint.path}`;
      if (response.status() !== expected.status) failures.push(`${where} gave ${response.status()}, expected ${expected.status}`);
      if (expected.code && json?.error?.code !== expected.code) failures.push(`${where} gave code ${json?.error?.code}, expected ${expected.code}`);
      if (expected.emptyList && !(Array.isArray(json?.[expected.emptyList]) && (json![expected.emptyList] as unknown[]).length === 0)) {
        failures.push(`${where} did not give an empty ${expected.emptyList} list`);
      }
      if (secrets.some((secret) => text.includes(secret))) failures.push(`${where} carried the patient's ciphertext or wraps`);
    }
  }
  expect(failures).toEqual([]);

  // Nothing any of them sent changed the patient's chart or sharing.
  const after = (await (await patient.page.request.get("/api/records")).json()) as typeof chart;
  expect(after.records.map((record) => record.id).sort()).toEqual(chart.records.map((record) => record.id).sort());
  expect((await granted.page.request.get(`/api/shared/${grantId}/records`)).status()).toBe(200);
  await anonymous.dispose();
  await Promise.all([granted, revoked, expired, stranger, otherPatient, patient].map((person) => person.close()));
});
