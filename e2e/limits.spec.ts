import { randomBytes } from "node:crypto";
import { expect, test } from "./support/test";
import { signInThroughPage, signOutThroughPage } from "./support/accounts";
import { AppServer } from "./support/app-server";
import { newPerson } from "./support/sharing";
import { e2ePorts } from "./support/ports";

/**
 * What only a whole server shows: where a client's address comes from (the socket, or a
 * proxy the operator declared), that junk naming someone's passkey locks out nobody, the
 * sign-up and directory limits, and that a bad setting stops the start. Each test starts
 * the production build as `npm start` does, with its own settings, port and database.
 */

test.describe.configure({ mode: "serial", timeout: 180_000 });

const port = e2ePorts.limits;
const server = new AppServer(port, ".e2e-data-limits");
/** Loopback stands for a reverse proxy in front of the app: the tests speak as many clients through X-Forwarded-For. */
const behindLoopbackProxy = { TRUST_PROXY: "127.0.0.1,::1" };

test.afterEach(async () => {
  await server.stop();
});

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** The API as a page of the app calls it (same origin), from `address` when a proxy is declared. */
const headersFrom = (address?: string) => ({
  origin: server.origin,
  "sec-fetch-site": "same-origin",
  ...(address ? { "x-forwarded-for": address } : {}),
});

/** A sign-in assertion naming `credentialId`, made up: it cannot verify. */
const junkAssertion = (credentialId: string) => ({
  credential: {
    id: credentialId,
    rawId: credentialId,
    type: "public-key",
    response: {
      clientDataJSON: b64(Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: b64(randomBytes(32)), origin: server.origin }))),
      authenticatorData: b64(randomBytes(37)),
      signature: b64(randomBytes(64)),
    },
    clientExtensionResults: {},
  },
});

async function statuses(count: number, send: (index: number) => Promise<{ status(): number }>) {
  const seen: number[] = [];
  for (let index = 0; index < count; index++) seen.push((await send(index)).status());
  return seen;
}

test("the attacker's probe: 400 sign-in attempts with a changing X-Forwarded-For (and a forged peer header) are limited by the socket's address", async ({
  playwright,
}) => {
  expect(await server.start({ AUTH_RATE_LIMIT_PER_ADDRESS: "300" })).toEqual({ state: "ready" });
  const api = await playwright.request.newContext({ baseURL: server.url });
  const seen = await statuses(400, (index) =>
    api.post("/api/auth/sign-in/options", {
      headers: { ...headersFrom(`198.51.${index >> 8}.${index & 255}`), "x-hsc-peer-address": `203.0.113.${index & 255}` },
    }),
  );
  expect(seen.filter((status) => status === 200)).toHaveLength(300);
  expect(seen.slice(300).every((status) => status === 429)).toBe(true);
  await api.dispose();
});

test("behind a declared proxy, each forwarded client has its own allowance", async ({ playwright }) => {
  expect(await server.start({ ...behindLoopbackProxy, AUTH_RATE_LIMIT_PER_ADDRESS: "20" })).toEqual({ state: "ready" });
  const api = await playwright.request.newContext({ baseURL: server.url });
  expect(new Set(await statuses(30, (index) => api.post("/api/auth/sign-in/options", { headers: headersFrom(`198.51.100.${index}`) })))).toEqual(
    new Set([200]),
  );
  const one = await statuses(21, () => api.post("/api/auth/sign-in/options", { headers: headersFrom("192.0.2.44") }));
  expect(one.slice(0, 20).every((status) => status === 200)).toBe(true);
  expect(one[20]).toBe(429);
  await api.dispose();
});

test("twenty junk sign-ins naming a patient's passkey from one source do not stop her signing in from another", async ({ browser, playwright }) => {
  expect(await server.start(behindLoopbackProxy)).toEqual({ state: "ready" });
  const victim = await newPerson(browser, { role: "patient", name: "Vera Victim" }, { baseURL: server.url });
  const { passkeys } = (await (await victim.page.request.get("/api/me/passkeys")).json()) as { passkeys: Array<{ id: string }> };
  const passkeyId = passkeys[0]!.id;
  await signOutThroughPage(victim.page);

  const attacker = await playwright.request.newContext({ baseURL: server.url });
  const junk = await statuses(21, () => attacker.post("/api/auth/sign-in/verify", { headers: headersFrom("198.51.100.66"), data: junkAssertion(passkeyId) }));
  expect(junk.slice(0, 20).every((status) => status === 401)).toBe(true);
  expect(junk[20]).toBe(429);

  // The victim's own browser, from another address (the loopback itself): her passkey works.
  await signInThroughPage(victim.page);
  await expect(victim.page).toHaveURL(/\/(home|unlock)$/);
  await victim.close();
  await attacker.dispose();
});

test("one address may only create so many accounts an hour", async ({ playwright }) => {
  expect(await server.start({ ...behindLoopbackProxy, SIGN_UP_LIMIT_PER_ADDRESS: "3" })).toEqual({ state: "ready" });
  const api = await playwright.request.newContext({ baseURL: server.url });
  const signUp = (address: string) =>
    api.post("/api/auth/sign-up/verify", {
      headers: headersFrom(address),
      data: {
        userId: crypto.randomUUID(),
        role: "patient",
        passkeyName: "Mass produced",
        credential: {
          ...junkAssertion(b64(randomBytes(16))).credential,
          response: { clientDataJSON: b64(randomBytes(60)), attestationObject: b64(randomBytes(200)) },
        },
        keys: {
          identityPublicKey: b64(randomBytes(32)),
          certificate: b64(randomBytes(120)),
          bundle: b64(randomBytes(200)),
          recoveryPublicKey: b64(randomBytes(32)),
          vaultWraps: [
            { method: "prf", methodId: b64(randomBytes(16)), salt: b64(randomBytes(32)), wrappedKey: b64(randomBytes(72)) },
            { method: "recovery", methodId: "recovery", salt: "", wrappedKey: b64(randomBytes(72)) },
          ],
        },
      },
    });
  const seen = await statuses(4, () => signUp("198.51.100.80"));
  expect(seen.slice(0, 3).every((status) => status !== 429)).toBe(true);
  const limited = await signUp("198.51.100.80");
  expect(seen[3]).toBe(429);
  expect(limited.status()).toBe(429);
  expect(Number(limited.headers()["retry-after"])).toBeGreaterThan(0);
  expect((await signUp("198.51.100.81")).status()).not.toBe(429);
  await api.dispose();
});

test("directory searches need three characters and are limited per account, which the Sharing page says plainly", async ({ browser }) => {
  expect(await server.start({ DIRECTORY_SEARCH_LIMIT_PER_ACCOUNT: "5" })).toEqual({ state: "ready" });
  const patient = await newPerson(browser, { role: "patient", name: "Sam Searcher" }, { baseURL: server.url });
  const other = await newPerson(browser, { role: "patient", name: "Olga Other" }, { baseURL: server.url });
  const short = await patient.page.request.get("/api/directory?q=ab");
  expect(short.status()).toBe(400);
  expect(((await short.json()) as { error: { code: string } }).error.code).toBe("invalid-input");

  await patient.page.getByRole("link", { name: "Sharing" }).click();
  await patient.page.getByLabel("Name, specialty or organization").fill("ab");
  await patient.page.getByRole("button", { name: "Search" }).click();
  await expect(patient.page.getByTestId("search-problem")).toHaveText(/Type at least 3 characters/);

  // The short search above counted; three more go through, and the sixth is refused.
  for (let index = 0; index < 4; index++) expect((await patient.page.request.get(`/api/directory?q=cardio${index}`)).status()).toBe(200);
  const limited = await patient.page.request.get("/api/directory?q=cardiology");
  expect(limited.status()).toBe(429);
  await patient.page.getByLabel("Name, specialty or organization").fill("Cardiology");
  await patient.page.getByRole("button", { name: "Search" }).click();
  await expect(patient.page.getByTestId("search-problem")).toHaveText(/^Too many searches from this account\. Try again in \d+ minutes\.$/);
  // Another account's searches are its own.
  expect((await other.page.request.get("/api/directory?q=cardiology")).status()).toBe(200);
  await patient.close();
  await other.close();
});

test("a setting that does not parse stops the start with a message naming it and what it accepts", async () => {
  const outcome = await server.start({ SESSION_MAX_HOURS: "1.5" });
  expect(outcome.state).toBe("exited");
  expect(outcome.state === "exited" && outcome.code).not.toBe(0);
  expect(server.output).toContain('SESSION_MAX_HOURS="1.5" is not valid; it accepts a whole number of hours from 1 to 720');
});

test("an origin without its scheme stops the start too, instead of a server answering 500 to everything", async () => {
  const outcome = await server.start({ APP_ORIGIN: "localhost:3901" });
  expect(outcome.state).toBe("exited");
  expect(outcome.state === "exited" && outcome.code).not.toBe(0);
  expect(server.output).toContain('APP_ORIGIN="localhost:3901" is not valid; it accepts an origin such as https://records.example.org');
});
