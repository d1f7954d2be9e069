import { expect, test } from "./support/test";
import fc from "fast-check";
import { apiRoutes, templateMatches } from "./support/api-routes";
import { trailEvents } from "./support/audit";
import { addNote, newPerson, sameOrigin } from "./support/sharing";

/**
 * Every route that takes a JSON body, fed generated garbage, malformed JSON, the wrong
 * content type and an oversized body, as a signed-in patient: each answer is a clear 4xx
 * with an error code and no stack trace, and nothing the patient has changes.
 */
test("hostile request bodies get a clear 4xx with an error code, and nothing is written", async ({ browser }) => {
  test.setTimeout(180_000);
  const patient = await newPerson(browser, { role: "patient", name: "Hugo Hostile" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Stable note", "Unchanged by garbage.");
  const request = patient.page.request;
  const snapshot = async () => {
    const [records, grants, vault, passkeys] = await Promise.all(
      ["/api/records", "/api/grants", "/api/me/vault", "/api/me/passkeys"].map(async (path) => (await request.get(path)).json()),
    );
    const chart = (records as { records: Array<{ id: string; currentVersion: number; keyVersion: number }> }).records.map(({ id, currentVersion, keyVersion }) => ({ id, currentVersion, keyVersion }));
    return JSON.stringify({ chart, grants, vault, passkeys });
  };
  const before = await snapshot();
  const recordId = JSON.parse(before).chart[0].id as string;
  const { passkeys } = (await (await request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ id: string }> };

  // (Routes that take no body, such as the sign-in and recovery options, are left out: they read nothing.)
  const routes: Array<{ method: "POST" | "PUT" | "PATCH"; path: string; limitMiB?: number; binary?: true }> = [
    { method: "POST", path: "/api/records", limitMiB: 24 },
    { method: "POST", path: `/api/records/${recordId}/versions` },
    { method: "POST", path: `/api/records/${recordId}/rotate` },
    { method: "POST", path: "/api/grants" },
    { method: "POST", path: "/api/grants/wraps" },
    { method: "POST", path: `/api/grants/${recordId}/change` },
    { method: "POST", path: `/api/shared/${recordId}/records` },
    { method: "POST", path: "/api/blobs" },
    { method: "PUT", path: "/api/me/vault/bundle" },
    { method: "POST", path: "/api/me/vault/device-wraps" },
    { method: "POST", path: "/api/me/passkeys" },
    { method: "PATCH", path: `/api/me/passkeys/${encodeURIComponent(passkeys[0]!.id)}` },
    { method: "PUT", path: "/api/me/recovery-key" },
    { method: "POST", path: "/api/auth/sign-up/options" },
    { method: "POST", path: "/api/auth/sign-up/verify" },
    { method: "POST", path: "/api/auth/sign-in/verify" },
    { method: "POST", path: "/api/auth/recovery/verify" },
    { method: "POST", path: "/api/auth/recovery/complete" },
    { method: "POST", path: "/api/csp-reports" },
    { method: "PUT", path: `/api/blobs/${crypto.randomUUID()}/chunks/0`, limitMiB: 1, binary: true },
  ];
  // Every handler that reads a body is here: one added later without a row fails this test.
  const readingBodies = apiRoutes().filter((route) => /parseJsonBody|readBinaryBody|request\.(json|text|arrayBuffer|formData)\(/.test(route.source));
  const missing = readingBodies.filter((handler) => !routes.some((route) => route.method === handler.method && templateMatches(handler.template, route.path)));
  expect(readingBodies.length, "the source scan found the handlers").toBeGreaterThanOrEqual(18);
  expect(missing.map((handler) => handler.key)).toEqual([]);

  const generated = fc.sample(
    fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom("id", "version", "records", "wraps", "grantId", "bundle", "revision", "name", "credential", "content"), fc.jsonValue()),
      fc.record({ records: fc.array(fc.record({ id: fc.uuid(), ownerWrap: fc.string(), version: fc.jsonValue() }), { maxLength: 3 }) }),
    ),
    { numRuns: 12, seed: 20261125 },
  );
  const bodies: Array<{ label: string; data: string; contentType: string; expect?: number[] }> = [
    ...generated.map((value, index) => ({ label: `generated ${index}`, data: JSON.stringify(value), contentType: "application/json" })),
    ...["{", "[1,", "{\"a\":", "\u0000", "\ud800", "nul", "{}}", ""].map((data, index) => ({ label: `malformed ${index}`, data, contentType: "application/json" })),
    { label: "non-canonical base64url", data: JSON.stringify({ bundle: "AB==", revision: 1 }), contentType: "application/json" },
    { label: "wrong content type", data: "{}", contentType: "text/plain", expect: [415, 400] },
  ];
  const oversizedBinary = (limitMiB = 1) => ({ label: "oversized", data: "A".repeat((limitMiB + 1) * 1024 * 1024), contentType: "application/octet-stream", expect: [413] });
  const oversized = (limitMiB = 8) => ({ label: "oversized", data: JSON.stringify({ padding: "A".repeat((limitMiB + 1) * 1024 * 1024) }), contentType: "application/json", expect: [413] });

  const failures: string[] = [];
  for (const route of routes) {
    for (const body of route.binary ? [oversizedBinary(route.limitMiB)] : [...bodies, oversized(route.limitMiB)]) {
      const response = await request.fetch(route.path, { method: route.method, headers: { ...sameOrigin(patient.page), "content-type": body.contentType }, data: body.data });
      const status = response.status();
      const text = await response.text();
      const where = `${route.method} ${route.path} with ${body.label}`;
      let code: unknown;
      try {
        code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
      } catch {
        code = undefined;
      }
      if (status === 204 && route.path === "/api/csp-reports") continue; // Any JSON is a (possibly empty) report batch.
      if (status < 400 || status >= 500) failures.push(`${where}: status ${status}`);
      // A refusal that comes first (not signed in, not allowed, rate limited) is as good as the specific one.
      else if (body.expect && !body.expect.includes(status) && ![401, 403, 429].includes(status)) failures.push(`${where}: status ${status}, expected ${body.expect.join(" or ")}`);
      if (typeof code !== "string") failures.push(`${where}: no error code`);
      if (/\bat .+\.(ts|js):\d+|node_modules|Error: /.test(text)) failures.push(`${where}: leaks internals`);
    }
  }
  expect(failures).toEqual([]);
  expect(await snapshot()).toBe(before);
  await patient.close();
});

test("script payloads in user-supplied fields render as text everywhere they are shown", async ({ browser }) => {
  const payload = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;
  const doctor = await newPerson(browser, { role: "doctor", name: `Dr ${payload}`, specialty: `Xss ${payload}`, organization: `Org ${payload}` });
  const patient = await newPerson(browser, { role: "patient", name: `Pat ${payload}` });
  const dialogs: string[] = [];
  for (const page of [doctor.page, patient.page]) {
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, `Note ${payload}`, `Body ${payload}`);
  await patient.page.getByTestId("group-note").getByRole("button", { name: `Note ${payload}` }).click();
  await expect(patient.page.getByTestId("record-detail")).toContainText(`Body ${payload}`);

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByLabel("Name, specialty or organization").fill("Xss");
  await patient.page.getByRole("button", { name: "Search" }).click();
  await expect(patient.page.getByText(`Xss ${payload}`, { exact: false })).toBeVisible();
  await patient.page.getByRole("button", { name: `Choose Dr ${payload}` }).click();
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel(`Note ${payload}`, { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText(`Shared with Dr ${payload}.`, { exact: true })).toBeVisible();

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("heading", { name: `Pat ${payload}` })).toBeVisible();
  await doctor.page.getByTestId("shared-patient").getByRole("button", { name: `Note ${payload}` }).click();
  await expect(doctor.page.getByTestId("shared-patient")).toContainText(`Body ${payload}`);

  for (const page of [doctor.page, patient.page]) {
    expect(await page.title()).not.toBe("pwned");
    expect(await page.locator("main img[src='x'], main script:not([nonce])").count()).toBe(0);
  }
  expect(dialogs).toEqual([]);
  await Promise.all([doctor.close(), patient.close()]);
});

test("the trail's page parameters refuse anything but a sequence number and a bounded limit (400)", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Quinn Query" });
  for (const query of ["after=-1", "after=1.5", "after=abc", "before=0", "after=1&before=2", "limit=0", "limit=501", "unknown=1"]) {
    const response = await patient.page.request.get(`/api/me/audit?${query}`);
    expect(response.status(), query).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code, query).toBe("invalid-input");
  }
  expect((await patient.page.request.get("/api/me/audit?after=0&limit=500")).status()).toBe(200);
  await patient.close();
});

test("a flood of refused requests is limited per account (429), and joins the owner's trail as one counted event", async ({ browser }) => {
  const owner = await newPerson(browser, { role: "patient", name: "Rita Refused" });
  const prober = await newPerson(browser, { role: "patient", name: "Pete Prober" });
  await owner.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(owner.page, "Target note", "Not for Pete.");
  const { records } = (await (await owner.page.request.get("/api/records")).json()) as { records: Array<{ id: string }> };
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 110; attempt++) statuses.push((await prober.page.request.get(`/api/records/${records[0]!.id}/versions`)).status());
  // REFUSED_REQUEST_LIMIT_PER_ACTOR (100 in 10 minutes): the same 404 as for nothing, then 429.
  expect(statuses.slice(0, 100).every((status) => status === 404)).toBe(true);
  expect(statuses.slice(100).every((status) => status === 429)).toBe(true);
  // The limit answers every refusal alike, so it tells nothing about whether an id exists.
  expect((await prober.page.request.get(`/api/records/${crypto.randomUUID()}/versions`)).status()).toBe(429);
  const refused = (await trailEvents(owner.page)).filter((event) => event.action === "access-refused");
  expect(refused.map((event) => [event.actorId, event.count])).toEqual([[prober.userId, 110]]);
  await Promise.all([owner.close(), prober.close()]);
});
