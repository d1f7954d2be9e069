import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { recordCspViolations } from "./support/csp-violations";
import { addNote } from "./support/sharing";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

// The e2e server tees its log beside its fresh data directory (scripts/e2e-server.mjs).
const serverLog = `${path.resolve(__dirname, "../.e2e-data")}.log`;

test("a blocked image from another origin is reported to the server, which logs the directive and origin only, under a rate limit", async ({
  page,
  playwright,
  baseURL,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // An image from another origin: what an injected tracker would try. (A script injected from
  // the test would run with the DevTools protocol's own CSP exemption, so it proves nothing.)
  const marker = `leak-${Date.now()}`;
  await page.evaluate((text) => {
    const image = document.createElement("img");
    image.src = `http://127.0.0.2:9/${text}.png?who=${text}`;
    document.body.append(image);
  }, marker);
  // The browser sends the report itself (not the page), so it shows up in the server's log, not in the page's requests.
  // Earlier specs post reports of their own, so only this image's report will do.
  const logged = () =>
    readFileSync(serverLog, "utf8")
      .split("\n")
      .filter((line) => line.includes("content security policy violation"));
  await expect
    .poll(() => logged().some((line) => line.includes('"directive":"img-src"') && line.includes('"blocked":"http://127.0.0.2:9"')), { timeout: 15_000 })
    .toBe(true);
  expect(logged().join("\n")).not.toContain(marker);

  // From one address, at most 30 reports per 10 minutes are taken.
  const client = await playwright.request.newContext({ baseURL });
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 32; attempt++) {
    const response = await client.post("/api/csp-reports", {
      headers: { "content-type": "application/csp-report" },
      data: JSON.stringify({ "csp-report": { "effective-directive": "img-src", "blocked-uri": "https://tracker.example/pixel" } }),
    });
    statuses.push(response.status());
    if (response.status() === 429) expect(Number(response.headers()["retry-after"])).toBeGreaterThan(0);
  }
  expect(statuses).toContain(429);
  expect(statuses.filter((status) => status === 204).length).toBeLessThanOrEqual(30);
  await client.dispose();
});

test("signing up, reloading and unlocking trip no rule of the CSP: no eval, nothing reported, nothing in the console", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = await recordCspViolations(page);
  const console: string[] = [];
  page.on("console", (message) => {
    if (/content security policy|unsafe-eval|eval/i.test(message.text())) console.push(`${message.type()}: ${message.text()}`);
  });
  const reports: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/csp-reports")) reports.push(request.postData() ?? "");
  });
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Cleo Clean" });
  await page.getByRole("link", { name: "My records" }).first().click();
  await addNote(page, "Clean note", "Nothing evaluated.");
  // A reload clears the keys from memory: unlocking opens the vault again (passkey PRF).
  await page.reload();
  await page.getByRole("button", { name: "Unlock with passkey" }).click();
  await expect(page.getByTestId("group-note").getByRole("button", { name: "Clean note" })).toBeVisible();
  expect(await violations()).toEqual([]);
  expect(console).toEqual([]);
  expect(reports).toEqual([]);
  await context.close();
});
