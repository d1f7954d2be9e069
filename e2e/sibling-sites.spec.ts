import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page, type Response } from "./support/test";
import { grantThroughApi, newPerson, type Person } from "./support/sharing";

/**
 * A page of another site on the same host (here another port of localhost; in production a
 * sibling subdomain: same-site, so the browser sends the app's SameSite=Lax cookies with its
 * requests) must not be able to act as the signed-in person through their browser, reads
 * included: a read writes "file fetched" and "records received" events into a patient's
 * trail, credited to the clinician, and moves the grant's "last opened" time.
 */

/** Serves one HTML page from another origin of the same host, until closed. */
async function siblingSite(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Trail {
  events: Array<{ actorId: string | null; action: string; createdAt?: string }>;
}

/** What the patient can see of the clinician: their events in the trail, and when the grant was last opened. */
async function clinicianFootprint(patient: Person, clinicianId: string, grantId: string) {
  const trail = (await (await patient.page.request.get("/api/me/audit")).json()) as Trail;
  const { grants } = (await (await patient.page.request.get("/api/grants")).json()) as {
    grants: Array<{ id: string; lastOpenedAt: string | null; revokedAt: string | null }>;
  };
  const grant = grants.find((candidate) => candidate.id === grantId)!;
  return { events: trail.events.filter((event) => event.actorId === clinicianId), lastOpenedAt: grant.lastOpenedAt, revokedAt: grant.revokedAt };
}

/**
 * Every request the page sends to `origin`'s API and the status the server answered, read
 * from the network as DevTools does: the browser reports no response to the page, or to
 * Playwright, for what CORS or Cross-Origin-Resource-Policy kept from the page.
 */
async function apiRequestsTo(page: Page, origin: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urls = new Map<string, string>();
  const statuses = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (event) => {
    // Violation reports (of the refused form answer the sibling framed) go to the one route other sites may call.
    if (event.request.url.startsWith(`${origin}/api/`) && !event.request.url.startsWith(`${origin}/api/csp-reports`))
      urls.set(event.requestId, event.request.url.slice(origin.length));
  });
  cdp.on("Network.responseReceivedExtraInfo", (event) => statuses.set(event.requestId, event.statusCode));
  return () => [...urls].map(([id, url]) => ({ url, status: statuses.get(id) }));
}

test("a page on a sibling site cannot read a patient's records or files through the clinician's browser", async ({ browser, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const origin = new URL(baseURL!).origin;
  const patient = await newPerson(browser, { role: "patient", name: "Sibyl Sibling" });
  const doctor = await newPerson(browser, { role: "doctor", name: "Dr Sid Sibling", specialty: "Cardiology", organization: "Sibling Clinic" });

  await patient.page.getByRole("link", { name: "My records" }).first().click();
  const scan = testInfo.outputPath("echo.bin");
  writeFileSync(scan, randomBytes(20_000));
  await patient.page.getByLabel("File", { exact: true }).setInputFiles(scan);
  await expect(patient.page.getByText("echo.bin was encrypted and saved.")).toBeVisible({ timeout: 30_000 });
  const { records } = (await (await patient.page.request.get("/api/records")).json()) as { records: Array<{ current: { blobId: string | null } }> };
  const blobId = records.find((record) => record.current.blobId)!.current.blobId!;
  const grantId = await grantThroughApi(patient, doctor.userId, { recordIds: "all", expiresAt: null });

  // The app's own page opens the share: the guard lets the app through, and this is what a fetch leaves behind.
  await doctor.page.getByRole("link", { name: "Shared with me" }).click();
  const shared = doctor.page.getByTestId("shared-patient");
  await expect(shared.getByRole("button", { name: "echo.bin" })).toBeVisible();
  const before = await clinicianFootprint(patient, doctor.userId, grantId);
  expect(before.events.map((event) => event.action)).toContain("records-received");
  expect(before.lastOpenedAt).not.toBeNull();

  // The doctor's browser, as a browser is: the test suite's API client header is not on its requests.
  await doctor.page.context().setExtraHTTPHeaders({});
  const sharedRecords = `${origin}/api/shared/${grantId}/records`;
  const fileChunk = `${origin}/api/blobs/${blobId}/chunks/0`;
  const sibling = await siblingSite(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A sibling site</title></head><body>
<main><h1>A sibling site</h1>
<img alt="" src="${fileChunk}">
<script src="${sharedRecords}"></script>
<iframe name="sink" title="sink"></iframe>
<form method="post" action="${origin}/api/grants/${grantId}/revoke" target="sink" enctype="text/plain"><input type="hidden" name="a" value="b"></form>
</main>
<script>
  document.forms[0].submit();
  Promise.allSettled([
    fetch(${JSON.stringify(sharedRecords)}, { credentials: "include" }),
    fetch(${JSON.stringify(fileChunk)}, { credentials: "include" }),
    fetch(${JSON.stringify(sharedRecords)}, { credentials: "include", mode: "no-cors" }),
    fetch(${JSON.stringify(fileChunk)}, { credentials: "include", mode: "no-cors" }),
    fetch(${JSON.stringify(`${origin}/api/me/vault`)}, { credentials: "include" }),
  ]).then(() => location.assign(${JSON.stringify(sharedRecords)}));
</script>
</body></html>`);
  const answers = await apiRequestsTo(doctor.page, origin);
  let navigated: Response | null;
  try {
    // A credentialed fetch the app does not allow by CORS fails for the page whatever the server did (its effects are what
    // count); once all have settled, the page sends the browser itself to the shared records, where the refusal is readable.
    const navigation = doctor.page.waitForResponse((response) => response.url() === sharedRecords && response.request().isNavigationRequest());
    await doctor.page.goto(sibling.url, { waitUntil: "commit" });
    navigated = await navigation;
    const answered = () => answers().filter((answer) => answer.status !== undefined).length;
    await expect.poll(answered, { message: "the app answered the sibling page's nine requests" }).toBe(9);
  } finally {
    await sibling.close();
  }

  const after = await clinicianFootprint(patient, doctor.userId, grantId);
  expect(after.events, "the clinician's events in the patient's trail").toEqual(before.events);
  expect(after.lastOpenedAt, "the grant's last-opened time").toBe(before.lastOpenedAt);
  expect(after.revokedAt).toBeNull();
  for (const answer of answers()) expect(answer.status, `${answer.url} from the sibling site`).toBe(403);
  expect(await navigated.json()).toEqual({ error: { code: "cross-origin-refused", message: expect.any(String) } });
  await Promise.all([patient.close(), doctor.close()]);
});
