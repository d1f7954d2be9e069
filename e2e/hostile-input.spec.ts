import { request as httpRequest } from "node:http";
import { apiClientHeader } from "@/contract/api-client-header";
import { expect, test, type Page } from "./support/test";
import fc from "fast-check";
import { bodyLimits, describeLimit } from "@/contract/body-limits";
import { apiRoutes } from "./support/api-routes";
import { trailEvents } from "./support/audit";
import { addNote, compareSafetyCode, newPerson, sameOrigin } from "./support/sharing";

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
    const chart = (records as { records: Array<{ id: string; currentVersion: number; keyVersion: number }> }).records.map(
      ({ id, currentVersion, keyVersion }) => ({ id, currentVersion, keyVersion }),
    );
    return JSON.stringify({ chart, grants, vault, passkeys });
  };
  const before = await snapshot();
  const recordId = JSON.parse(before).chart[0].id as string;
  const { passkeys } = (await (await request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ id: string }> };

  // Every route that reads a body, from the contract's table (a route added there is fed garbage the day it is added), with its own
  // limit (contract/body-limits.ts; the standard 64 KiB where it names none). Path parameters are filled with the patient's own ids.
  // (Routes that take no body, such as the sign-in and recovery options, are fed only an oversized body below: they read nothing.)
  const concretePath = (template: string) =>
    template.startsWith("/api/me/passkeys/")
      ? template.replace("[id]", encodeURIComponent(passkeys[0]!.id))
      : template.startsWith("/api/blobs/")
        ? template.replace("[id]", crypto.randomUUID()).replace("[index]", "0")
        : template.replace(/\[[^\]]+\]/g, recordId);
  const readingBodies = apiRoutes().filter((route) => route.body !== undefined);
  const routes = readingBodies.map((route) => ({
    method: route.method,
    path: concretePath(route.template),
    limit: route.bodyLimit,
    // File chunks take any bytes: only their limit is theirs to check.
    binary: route.body === "binary" && route.template.includes("[index]"),
  }));
  expect(readingBodies.length, "the table lists the routes that read a body").toBeGreaterThanOrEqual(18);
  expect(routes.map((route) => `${route.method} ${route.path}`)).toContain("POST /api/auth/sign-in/verify");

  const generated = fc.sample(
    fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom("id", "version", "records", "wraps", "grantId", "bundle", "revision", "name", "credential", "content"), fc.jsonValue()),
      fc.record({ records: fc.array(fc.record({ id: fc.uuid(), ownerWrap: fc.string(), version: fc.jsonValue() }), { maxLength: 3 }) }),
    ),
    { numRuns: 12, seed: 20261125 },
  );
  type Body = { label: string; data: string; contentType: string; expect?: number[]; limit?: number };
  const bodies: Body[] = [
    ...generated.map((value, index) => ({ label: `generated ${index}`, data: JSON.stringify(value), contentType: "application/json" })),
    ...["{", "[1,", '{"a":', "\u0000", "\ud800", "nul", "{}}", ""].map((data, index) => ({
      label: `malformed ${index}`,
      data,
      contentType: "application/json",
    })),
    { label: "non-canonical base64url", data: JSON.stringify({ bundle: "AB==", revision: 1 }), contentType: "application/json" },
    { label: "wrong content type", data: "{}", contentType: "text/plain", expect: [415, 400] },
  ];
  // One byte over the route's limit: refused with 413, and the answer names that limit.
  const oversizedBinary = (limit: number): Body => ({
    label: "oversized",
    data: "A".repeat(limit + 1),
    contentType: "application/octet-stream",
    expect: [413],
    limit,
  });
  const oversized = (limit: number): Body => ({
    label: "oversized",
    data: JSON.stringify({ padding: "A".repeat(limit - 13) }),
    contentType: "application/json",
    expect: [413],
    limit,
  });

  const failures: string[] = [];
  for (const route of routes) {
    const limit = route.limit ?? bodyLimits.standard;
    for (const body of route.binary ? [oversizedBinary(limit)] : [...bodies, oversized(limit)]) {
      const response = await request.fetch(route.path, {
        method: route.method,
        headers: { ...sameOrigin(patient.page), "content-type": body.contentType },
        data: body.data,
      });
      const status = response.status();
      const text = await response.text();
      const where = `${route.method} ${route.path} with ${body.label}`;
      let code: unknown;
      let error: { code?: unknown; message?: unknown; limitBytes?: unknown } | undefined;
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
        code = error?.code;
      } catch {
        code = undefined;
      }
      if (body.limit !== undefined && status === 413 && (error?.limitBytes !== body.limit || !String(error?.message).includes(describeLimit(body.limit)))) {
        failures.push(`${where}: the 413 does not name the ${describeLimit(body.limit)} limit: ${text}`);
      }
      if (status === 204 && route.path === "/api/csp-reports") continue; // Any JSON is a (possibly empty) report batch.
      if (status < 400 || status >= 500) failures.push(`${where}: status ${status}`);
      // A refusal that comes first (not signed in, not allowed, rate limited) is as good as the specific one.
      else if (body.expect && !body.expect.includes(status) && ![401, 403, 429].includes(status))
        failures.push(`${where}: status ${status}, expected ${body.expect.join(" or ")}`);
      if (typeof code !== "string") failures.push(`${where}: no error code`);
      if (/\bat .+\.(ts|js):\d+|node_modules|Error: /.test(text)) failures.push(`${where}: leaks internals`);
    }
  }
  // Routes that read no body refuse an oversized one too, before their handler runs (a sign-out here would end the session).
  const bodiless = apiRoutes().filter((handler) => handler.method !== "GET" && handler.body === undefined);
  expect(bodiless.map((handler) => handler.key)).toContain("POST /api/auth/sign-out");
  for (const handler of bodiless) {
    const path = handler.template.replace(/\[[^\]]+\]/g, () => crypto.randomUUID());
    const response = await request.fetch(path, {
      method: handler.method,
      headers: { ...sameOrigin(patient.page), "content-type": "application/json" },
      data: oversized(bodyLimits.standard).data,
    });
    if (response.status() !== 413) failures.push(`${handler.key} with an oversized body: status ${response.status()}`);
  }

  // (Soft checks: each of these reports on its own.)
  // Sent in chunks, with no length declared: the body Next passes on is still read only up to the limit, and refused with 413.
  const chunked = await sendChunked(patient.page, "/api/records", bodyLimits.recordsBatch + 6 * 1024 * 1024);
  expect.soft(chunked.status, chunked.text).toBe(413);
  expect.soft(JSON.parse(chunked.text).error).toMatchObject({ code: "payload-too-large", limitBytes: bodyLimits.recordsBatch });

  // An invalid body gets an error of bounded size, however many problems it has (a 20 KB batch once drew 485 KB).
  const invalidBatch = JSON.stringify({ records: Array.from({ length: 300 }, () => ({ id: 1, ownerWrap: 2, version: { version: "x", content: 3 } })) });
  expect(invalidBatch.length).toBeLessThan(30_000);
  const invalid = await request.post("/api/records", { headers: { ...sameOrigin(patient.page), "content-type": "application/json" }, data: invalidBatch });
  expect.soft(invalid.status()).toBe(400);
  const invalidText = await invalid.text();
  expect.soft(invalidText.length).toBeLessThan(10_000);
  expect.soft(JSON.parse(invalidText).error.fields).toHaveLength(20);

  // Storage: a declared size beyond what is left is refused before any byte (413), and so is one more unfinished upload than allowed (409).
  const start = (chunkCount: number) => request.post("/api/blobs", { headers: sameOrigin(patient.page), data: { chunkSize: 1024 * 1024, chunkCount } });
  const tooBig = await start(4096);
  expect.soft(tooBig.status()).toBe(413);
  expect.soft((await tooBig.json()).error).toMatchObject({ code: "quota-exceeded", message: expect.stringContaining("This file needs 4.3 GB but you have") });
  for (let index = 0; index < 5; index++) expect.soft((await start(1)).status()).toBe(201);
  const sixth = await start(1);
  expect.soft(sixth.status()).toBe(409);
  expect.soft((await sixth.json()).error.code).toBe("too-many-uploads");

  expect(failures).toEqual([]);
  expect(await snapshot()).toBe(before);
  await patient.close();
});

/** POSTs `bytes` of JSON-looking padding with Transfer-Encoding: chunked (no Content-Length), as the page's session. */
async function sendChunked(page: Page, path: string, bytes: number): Promise<{ status: number; text: string }> {
  const url = new URL(path, page.url());
  const cookies = (await page.context().cookies(url.origin)).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: "POST",
        headers: {
          cookie: cookies,
          origin: url.origin,
          [apiClientHeader.name]: apiClientHeader.value,
          "content-type": "application/json",
          "transfer-encoding": "chunked",
        },
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }));
      },
    );
    outgoing.on("error", reject);
    const piece = Buffer.alloc(256 * 1024, "A");
    outgoing.write('{"padding":"');
    // The server may answer (and stop reading) before everything is sent: writing stops then.
    const writeMore = (left: number) => {
      while (left > 0) {
        const size = Math.min(piece.length, left);
        left -= size;
        if (!outgoing.write(piece.subarray(0, size))) return void outgoing.once("drain", () => writeMore(left));
      }
      outgoing.end('"}');
    };
    writeMore(bytes);
  });
}

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
  await patient.page
    .getByTestId("group-note")
    .getByRole("button", { name: `Note ${payload}` })
    .click();
  await expect(patient.page.getByTestId("record-detail")).toContainText(`Body ${payload}`);

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByLabel("Name, specialty or organization").fill("Xss");
  await patient.page.getByRole("button", { name: "Search" }).click();
  await expect(patient.page.getByText(`Xss ${payload}`, { exact: false })).toBeVisible();
  await patient.page.getByRole("button", { name: `Choose Dr ${payload}` }).click();
  await compareSafetyCode(patient.page);
  const form = patient.page.getByTestId("share-form");
  await form.getByLabel(`Note ${payload}`, { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText(`Shared with Dr ${payload}.`, { exact: true })).toBeVisible();

  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  await expect(doctor.page.getByTestId("shared-patient").getByRole("heading", { name: `Pat ${payload}` })).toBeVisible();
  await doctor.page
    .getByTestId("shared-patient")
    .getByRole("button", { name: `Note ${payload}` })
    .click();
  await expect(doctor.page.getByTestId("shared-patient")).toContainText(`Body ${payload}`);

  for (const page of [doctor.page, patient.page]) {
    expect(await page.title()).not.toBe("pwned");
    expect(await page.locator("main img[src='x'], main script:not([nonce])").count()).toBe(0);
  }
  expect(dialogs).toEqual([]);
  await Promise.all([doctor.close(), patient.close()]);
});

test("another site's request reaches no API route, however the path is spelled", async ({ browser }) => {
  const patient = await newPerson(browser, { role: "patient", name: "Sally Spelling" });
  await patient.page.getByRole("link", { name: "My records" }).first().click();
  await addNote(patient.page, "Spelled note", "Not for other sites.");
  const request = patient.page.request;
  const { records } = (await (await request.get("/api/records")).json()) as { records: Array<{ id: string }> };
  const recordId = records[0]!.id;
  const trailLength = async () => ((await (await request.get("/api/me/audit")).json()) as { events: unknown[] }).events.length;
  const before = await trailLength();

  const failures: string[] = [];
  for (const path of [
    "/api/records",
    "/%61pi/records",
    "/api/%72ecords",
    "/API/records",
    "/api/records/",
    "/api//records",
    "/api/records?x=1",
    "/api/records;x",
    "/api/records%2f",
  ]) {
    for (const site of ["same-site", "cross-site", "none"]) {
      const response = await request.get(path, { headers: { "sec-fetch-site": site, origin: "http://sibling.localhost" }, maxRedirects: 5 });
      const text = await response.text();
      const where = `GET ${path} from ${site}`;
      if (response.status() < 400) failures.push(`${where}: status ${response.status()}`);
      if (text.includes(recordId)) failures.push(`${where}: carried the patient's record`);
      if (response.status() === 403 && !text.includes('"cross-origin-refused"')) failures.push(`${where}: a 403 without its code`);
    }
  }
  expect(failures).toEqual([]);
  expect(await trailLength(), "nothing joined the patient's trail").toBe(before);
  await patient.close();
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
