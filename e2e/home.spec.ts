import { expect, test } from "./support/test";
import { recordCspViolations } from "./support/csp-violations";

function cspNonce(csp: string | null): string {
  const match = /'nonce-([^']+)'/.exec(csp ?? "");
  expect(match, "the CSP carries a nonce").not.toBeNull();
  return match![1]!;
}

test("the home page runs libsodium under the CSP and offers sign-up and sign-in", async ({ page }) => {
  const violations = await recordCspViolations(page);
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });

  const response = await page.goto("/");
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("'wasm-unsafe-eval'");
  const nonce = cspNonce(csp ?? null);

  await expect(page.getByRole("heading", { level: 1 })).toContainText("readable only by you");
  await expect(page.getByTestId("crypto-status")).toHaveAttribute("data-state", "ready", { timeout: 20_000 });
  await expect(page.getByTestId("crypto-status")).toContainText("Encryption is ready");

  // Next put this response's nonce on its scripts; nothing ran without it.
  const scriptNonces = await page.locator("script[src]").evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  for (const scriptNonce of scriptNonces) expect(scriptNonce).toBe(nonce);
  expect(await violations()).toEqual([]);
  expect(consoleErrors).toEqual([]);

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await expect(page.getByRole("heading", { level: 1, name: "Create an account" })).toBeVisible();
  await page.goto("/");
  await page.getByRole("link", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
});

test("the CSP blocks script injected into the page", async ({ page }) => {
  const violations = await recordCspViolations(page);
  await page.goto("/");
  await expect(page.getByTestId("crypto-status")).toHaveAttribute("data-state", "ready", { timeout: 20_000 });
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img src="/no-such-image.png" onerror="window.__injected = true">');
  });
  await expect.poll(violations).toContainEqual(expect.stringMatching(/^script-src-attr /));
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});

test("two requests get two different nonces of at least 128 bits", async ({ request }) => {
  const first = cspNonce((await request.get("/")).headers()["content-security-policy"] ?? null);
  const second = cspNonce((await request.get("/")).headers()["content-security-policy"] ?? null);
  expect(first).not.toBe(second);
  for (const nonce of [first, second]) expect(Buffer.from(nonce, "base64").length).toBeGreaterThanOrEqual(16);
});

test("every response carries the security headers, API and pages alike", async ({ request }) => {
  for (const path of ["/", "/sign-in", "/api/health", "/no-such-page"]) {
    const headers = (await request.get(path)).headers();
    expect(headers["strict-transport-security"], path).toMatch(/max-age=\d+/);
    expect(headers["referrer-policy"], path).toBe("no-referrer");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    const csp = headers["content-security-policy"] ?? "";
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(csp, path).toContain(directive);
    }
  }
});

test("health tells anyone that the deployment serves, and nothing about what it runs on", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  // Which database and file store, and the migrations, are the administration console's (lib/health.db.test.ts).
  expect(await response.json()).toEqual({ status: "ok" });
});

test("a write from another origin is refused before its route reads it", async ({ request, baseURL }) => {
  // The route wrapper refuses it first (the proxy does not run for the API): before the body, the session, the handler.
  const refused = await request.post("/api/records", { headers: { origin: "https://attacker.example" }, data: {} });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe("cross-origin-refused");

  // The same request from the app's own origin passes the check and reaches the route,
  // whose contract refuses the empty body.
  const sameOrigin = await request.post("/api/records", { headers: { origin: baseURL! }, data: {} });
  expect(sameOrigin.status()).toBe(400);
  expect((await sameOrigin.json()).error.code).toBe("invalid-input");
});

test("an /api path no route serves answers the API's JSON 404, whatever the method, and a served path keeps its 405", async ({ request, baseURL }) => {
  for (const [method, path] of [
    ["GET", "/api/no-such-route"],
    ["GET", "/api/records/00000000-0000-4000-8000-000000000000/no/such/part"],
    ["POST", "/api/no-such-route"],
    ["DELETE", "/api/shl/no/such"],
  ] as const) {
    const response = await request.fetch(`${baseURL}${path}`, { method, headers: { origin: baseURL! }, ...(method === "POST" ? { data: {} } : {}) });
    expect(response.status(), `${method} ${path}`).toBe(404);
    expect(response.headers()["content-type"], `${method} ${path}`).toContain("application/json");
    expect((await response.json()).error.code, `${method} ${path}`).toBe("not-found");
  }
  expect((await request.post("/api/health", { headers: { origin: baseURL! }, data: {} })).status()).toBe(405);
  // Unknown or not, a write from another origin is refused as such.
  const elsewhere = await request.post("/api/no-such-route", { headers: { origin: "https://attacker.example" }, data: {} });
  expect(elsewhere.status()).toBe(403);
  expect((await elsewhere.json()).error.code).toBe("cross-origin-refused");
});
