import { expect, test } from "./support/test";
import { cryptoReady, decodeRecoveryKey, deriveRecoveryKeyEncryptionKey, fromBase64url, decryptPrivateBundle, unwrapVaultKey } from "../crypto";
import { apiClientHeader } from "@/contract/api-client-header";
import { shortIdleURL } from "../playwright.config";
import { signInThroughPage, signOutThroughPage, signUpThroughPage } from "./support/accounts";
import { captureRequests, findLeaks, recordPrfOutputs } from "./support/secrets";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

const cookieName = "__Host-hsc-session";

test("the session cookie is host-only, HttpOnly, Secure and Lax, rotates at sign-in and dies at sign-out", async ({ page, playwright, baseURL }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Cleo Cookie" });
  const first = (await page.context().cookies()).find((cookie) => cookie.name === cookieName)!;
  expect(first).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/", domain: "localhost" });
  expect(Buffer.from(first.value, "base64url")).toHaveLength(32);

  // Signing in again while signed in replaces the session rather than adding to it.
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: "Welcome, Cleo Cookie" })).toBeVisible();
  const second = (await page.context().cookies()).find((cookie) => cookie.name === cookieName)!;
  expect(second.value).not.toBe(first.value);

  const withCookie = async (value: string) => {
    const client = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { cookie: `${cookieName}=${value}`, [apiClientHeader.name]: apiClientHeader.value },
    });
    const status = (await client.get("/api/me/vault")).status();
    await client.dispose();
    return status;
  };
  expect(await withCookie(first.value)).toBe(401);
  expect(await withCookie(second.value)).toBe(200);
  await signOutThroughPage(page);
  expect(await withCookie(second.value)).toBe(401);
});

test("a session ends after the idle timeout", async ({ page }) => {
  // This server runs with SESSION_IDLE_MINUTES=0.05 (3 seconds).
  await page.goto(`${shortIdleURL}/`);
  await addVirtualAuthenticator(page, { prf: true });
  await page.goto(`${shortIdleURL}/sign-up`);
  await page.getByLabel("Your name").fill("Ida Idle");
  await page.getByRole("button", { name: "Create account with a passkey" }).click();
  await expect(page.getByTestId("recovery-key")).toBeVisible();
  const vault = () => page.request.get(`${shortIdleURL}/api/me/vault`).then((response) => response.status());
  for (let step = 0; step < 3; step++) {
    await page.waitForTimeout(1500);
    expect(await vault()).toBe(200);
  }
  await page.waitForTimeout(4000);
  expect(await vault()).toBe(401);
  expect(await vault()).toBe(401);
});

test("no PRF output, vault key, private key, recovery key or patient name is ever sent", async ({ page }) => {
  const sent = captureRequests(page.context());
  const prfOutputs = await recordPrfOutputs(page);
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  const name = "Zebulon Canary-Quixote";
  const recoveryKeyText = await signUpThroughPage(page, { role: "patient", name });
  await signOutThroughPage(page);
  await signInThroughPage(page);
  await expect(page.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();

  // Open the vault from outside with the recovery key, to learn the secrets to look for.
  await cryptoReady();
  const material = (await (await page.request.get("/api/me/vault")).json()) as {
    userId: string;
    bundle: string;
    wraps: Array<{ method: string; wrappedKey: string }>;
  };
  const recoveryKey = decodeRecoveryKey(recoveryKeyText);
  const recoveryWrap = material.wraps.find((wrap) => wrap.method === "recovery")!;
  const vaultKey = unwrapVaultKey(fromBase64url(recoveryWrap.wrappedKey), deriveRecoveryKeyEncryptionKey(recoveryKey), {
    userId: material.userId,
    methodId: "recovery",
  });
  const bundle = decryptPrivateBundle(fromBase64url(material.bundle), vaultKey, { userId: material.userId });
  const prf = await prfOutputs();
  expect(prf.length).toBeGreaterThanOrEqual(2);
  expect(material.wraps.map((wrap) => wrap.method).sort()).toEqual(["prf", "recovery"]);

  const secrets: Record<string, Uint8Array | string> = {
    "patient name": name,
    "recovery key text": recoveryKeyText,
    "recovery key text without dashes": recoveryKeyText.replaceAll("-", ""),
    "recovery key": recoveryKey,
    "vault key": vaultKey,
    "identity private key": bundle.identitySecretKey,
    "identity private seed": bundle.identitySecretKey.slice(0, 32),
    "encryption private key": bundle.encryptionSecretKey,
    ...Object.fromEntries(prf.map((hex, index) => [`PRF output ${index}`, Buffer.from(hex, "hex")])),
  };
  expect(sent.filter((request) => request.url.includes("/api/")).length).toBeGreaterThan(5);
  // The scanner itself finds a secret when one is there.
  expect(findLeaks([{ url: "/api/x", body: JSON.stringify({ k: Buffer.from(vaultKey).toString("base64url") }) }], { vaultKey })).toHaveLength(1);
  expect(findLeaks(sent, secrets)).toEqual([]);
});
