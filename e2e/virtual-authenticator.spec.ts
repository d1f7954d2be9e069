import { expect, test, type Page } from "./support/test";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";

// Drives a bare WebAuthn ceremony in the page to prove the harness the account tests
// stand on: a discoverable credential, user verification, and PRF when asked for.
async function createAndEvaluatePrf(page: Page) {
  return page.evaluate(async () => {
    const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));
    const salt = new TextEncoder().encode("harness-salt-0123456789abcdef012");
    const created = (await navigator.credentials.create({
      publicKey: {
        rp: { id: "localhost", name: "Health Safe Cloud" },
        user: { id: random(16), name: "harness", displayName: "Harness" },
        challenge: random(32),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
        extensions: { prf: {} },
      },
    })) as PublicKeyCredential;
    const prfEnabled = (created.getClientExtensionResults() as { prf?: { enabled?: boolean } }).prf?.enabled ?? false;
    const evaluate = async () => {
      const assertion = (await navigator.credentials.get({
        publicKey: {
          challenge: random(32),
          rpId: "localhost",
          userVerification: "required",
          extensions: { prf: { eval: { first: salt } } },
        } as PublicKeyCredentialRequestOptions,
      })) as PublicKeyCredential;
      const results = assertion.getClientExtensionResults() as { prf?: { results?: { first?: ArrayBuffer } } };
      const first = results.prf?.results?.first;
      const flags = new Uint8Array((assertion.response as AuthenticatorAssertionResponse).authenticatorData)[32]!;
      return {
        id: assertion.id,
        userVerified: (flags & 0x04) !== 0,
        prf: first ? Array.from(new Uint8Array(first)) : null,
      };
    };
    return { id: created.id, prfEnabled, first: await evaluate(), second: await evaluate() };
  });
}

test("a PRF authenticator gives a stable 32-byte secret per credential and salt", async ({ page }) => {
  await page.goto("/");
  const authenticator = await addVirtualAuthenticator(page, { prf: true });
  const result = await createAndEvaluatePrf(page);

  expect(result.prfEnabled).toBe(true);
  expect(result.first.id).toBe(result.id);
  expect(result.first.userVerified).toBe(true);
  expect(result.first.prf).toHaveLength(32);
  expect(result.second.prf).toEqual(result.first.prf);

  const [credential] = await authenticator.credentials();
  expect(credential?.isResidentCredential).toBe(true);
  expect(credential?.rpId).toBe("localhost");
});

test("an authenticator without PRF signs in but gives no secret", async ({ page }) => {
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: false });
  const result = await createAndEvaluatePrf(page);

  expect(result.prfEnabled).toBe(false);
  expect(result.first.userVerified).toBe(true);
  expect(result.first.prf).toBeNull();
});

test("two browser contexts get separate authenticators", async ({ browser }) => {
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  const authenticators = [];
  for (const page of pages) {
    await page.goto("/");
    authenticators.push(await addVirtualAuthenticator(page, { prf: true }));
  }
  await createAndEvaluatePrf(pages[0]!);
  expect(await authenticators[0]!.credentials()).toHaveLength(1);
  expect(await authenticators[1]!.credentials()).toHaveLength(0);
  await Promise.all(contexts.map((context) => context.close()));
});
