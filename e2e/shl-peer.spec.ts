import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SHLInvalidPasscodeError, SHLManifestNotFoundError, SHLNetworkError, SHLViewer } from "kill-the-clipboard";
import { cryptoReady } from "@/crypto";
import { encryptShlFile } from "@/crypto/shl-jwe";
import { encodeShlink, newShlKey } from "@/crypto/shl-link";
import type { LinkSummary } from "@/contract/links";
import { expect, test, type APIRequestContext } from "./support/test";
import { newPerson, type Person } from "./support/sharing";

/**
 * Our SMART Health Links served by the real route handlers, opened by an independent
 * implementation: kill-the-clipboard's SHLViewer in this Node process, with Node's own fetch,
 * decrypting with its own JWE code. The link is made through the API as the links page makes
 * it (the JWE built here with crypto/shl-jwe.ts, the label sealed: opaque bytes to the server).
 */

const bundle = JSON.parse(readFileSync(path.join(process.cwd(), "fixtures", "shl", "IPS_IG-bundle-01.json"), "utf8")) as { resourceType: string; id?: string };
const hour = 3600_000;

async function makeLink(patient: Person, baseURL: string, flag: "U" | "P" | "L" | "LP", passcode?: string) {
  const key = newShlKey();
  const jwe = await encryptShlFile(JSON.stringify(bundle), key, "application/fhir+json");
  // A long-term link (the emergency card's kind) may live years.
  const expiresAt = new Date(Date.now() + (flag.includes("L") ? 4 * 365 * 24 : 1) * hour);
  const response = await patient.page.request.post("/api/links", {
    headers: { origin: baseURL },
    data: { flag, ...(passcode ? { passcode } : {}), expiresAt: expiresAt.toISOString(), jwe, sealedLabel: randomBytes(90).toString("base64url") },
  });
  expect(response.status(), await response.text()).toBe(201);
  const { link } = (await response.json()) as { link: LinkSummary };
  expect(link.url).toMatch(new RegExp(`^${baseURL}/api/shl/[A-Za-z0-9_-]{43}$`));
  expect(link.url.length).toBeLessThanOrEqual(128);
  const shlink = encodeShlink({ url: link.url, flag, key, exp: Math.floor(expiresAt.getTime() / 1000), label: "For the clinic" });
  return { link, shlink, key };
}

const listed = async (request: APIRequestContext, id: string) =>
  ((await (await request.get("/api/links")).json()) as { links: LinkSummary[] }).links.find((link) => link.id === id)!;

test("kill-the-clipboard opens our links over HTTP: U by GET, P by manifest; a wrong passcode costs an attempt; revoked links are gone", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await cryptoReady();
  const patient = await newPerson(browser, { role: "patient", name: "Pia Peer" });

  // A U link: one GET with the recipient, the JWE decrypted by the peer.
  const direct = await makeLink(patient, baseURL!, "U");
  const opened = await new SHLViewer({ shlinkURI: direct.shlink }).resolveSHL({ recipient: "Dr Peer, Elsewhere Clinic" });
  expect(opened.fhirResources).toEqual([bundle]);
  expect(opened.manifest).toBeUndefined();
  expect(await listed(patient.page.request, direct.link.id)).toMatchObject({ opens: 1, remainingAttempts: null, disabled: false });
  const accesses = (await (await patient.page.request.get(`/api/links/${direct.link.id}/accesses`)).json()) as { accesses: unknown[] };
  expect(accesses.accesses).toEqual([{ at: expect.any(String), recipient: "Dr Peer, Elsewhere Clinic", outcome: "opened" }]);

  // The blind route answers any site, sets no cookie, and answers CORS preflights.
  const raw = await fetch(`${direct.link.url}?recipient=Nurse`, { headers: { origin: "https://clinic.example" } });
  expect(raw.status).toBe(200);
  expect(raw.headers.get("access-control-allow-origin")).toBe("*");
  expect(raw.headers.get("content-type")).toBe("application/jose");
  expect(raw.headers.get("set-cookie")).toBeNull();
  const preflight = await fetch(direct.link.url, {
    method: "OPTIONS",
    headers: { origin: "https://clinic.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
  expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");

  // A P link: the right passcode gives the manifest (embedded, and by location), a wrong one the peer's invalid-passcode error.
  const guarded = await makeLink(patient, baseURL!, "P", "blue-heron-7");
  const withPasscode = await new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "Front desk", passcode: "blue-heron-7" });
  expect(withPasscode.fhirResources).toEqual([bundle]);
  expect(withPasscode.manifest?.files[0]).toHaveProperty("location");
  const embedded = await new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({
    recipient: "Front desk",
    passcode: "blue-heron-7",
    embeddedLengthMax: 10_000_000,
  });
  expect(embedded.manifest?.files[0]).toHaveProperty("embedded");
  expect(embedded.fhirResources).toEqual([bundle]);

  await expect(new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "A guesser", passcode: "blue-heron-8" })).rejects.toBeInstanceOf(
    SHLInvalidPasscodeError,
  );
  expect(await listed(patient.page.request, guarded.link.id)).toMatchObject({ opens: 2, remainingAttempts: 9, disabled: false });
  await expect(new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "A guesser", passcode: "blue-heron-9" })).rejects.toBeInstanceOf(
    SHLInvalidPasscodeError,
  );
  expect((await listed(patient.page.request, guarded.link.id)).remainingAttempts).toBe(8);

  // Revoked: both links answer 404 at once (the peer's not-found errors), the U link's bytes with them.
  for (const link of [direct, guarded]) {
    expect((await patient.page.request.delete(`/api/links/${link.link.id}`, { headers: { origin: baseURL! } })).status()).toBe(204);
  }
  await expect(new SHLViewer({ shlinkURI: direct.shlink }).resolveSHL({ recipient: "Dr Peer" })).rejects.toThrow(SHLNetworkError);
  await expect(new SHLViewer({ shlinkURI: direct.shlink }).resolveSHL({ recipient: "Dr Peer" })).rejects.toThrow(/not found/i);
  await expect(new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "Front desk", passcode: "blue-heron-7" })).rejects.toBeInstanceOf(
    SHLManifestNotFoundError,
  );
  const unknown = await fetch(`${baseURL}/api/shl/${randomBytes(32).toString("base64url")}?recipient=x`);
  const revoked = await fetch(`${direct.link.url}?recipient=x`);
  expect([unknown.status, revoked.status]).toEqual([404, 404]);
  expect(await revoked.text()).toBe(await unknown.text());
  expect(await listed(patient.page.request, direct.link.id)).toMatchObject({ revokedAt: expect.any(String), opens: 2 });

  // The owner's trail has the link's events, and still verifies (the History page checks the chain).
  const trail = (await (await patient.page.request.get("/api/me/audit?limit=500")).json()) as { events: Array<{ action: string; grantId: string | null }> };
  const ofLink = (id: string) => trail.events.filter((event) => event.grantId === id).map((event) => event.action);
  expect(ofLink(direct.link.id)).toEqual(["link-created", "link-opened", "link-opened", "link-revoked"]);
  expect(ofLink(guarded.link.id)).toEqual(["link-created", "link-opened", "link-opened", "link-passcode-refused", "link-passcode-refused", "link-revoked"]);
  await patient.close();
});

test("kill-the-clipboard opens long-term links (the emergency card's kind): LP with its passcode, L with none, and reads the new file after the owner replaces it", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await cryptoReady();
  const patient = await newPerson(browser, { role: "patient", name: "Lou Longterm" });
  const guarded = await makeLink(patient, baseURL!, "LP", "red-kite-42");
  const first = await new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "City ER", passcode: "red-kite-42" });
  expect(first.fhirResources).toEqual([bundle]);
  await expect(new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({ recipient: "A guesser", passcode: "red-kite-43" })).rejects.toBeInstanceOf(
    SHLInvalidPasscodeError,
  );

  // The owner's browser replaces the file under the same key: the same link now reads the new Bundle.
  const changed = { ...bundle, id: "changed-emergency-set" };
  const replaced = await patient.page.request.put(`/api/links/${guarded.link.id}`, {
    headers: { origin: baseURL! },
    data: { jwe: await encryptShlFile(JSON.stringify(changed), guarded.key, "application/fhir+json"), sealedLabel: randomBytes(90).toString("base64url") },
  });
  expect(replaced.status(), await replaced.text()).toBe(200);
  const second = await new SHLViewer({ shlinkURI: guarded.shlink }).resolveSHL({
    recipient: "City ER",
    passcode: "red-kite-42",
    embeddedLengthMax: 10_000_000,
  });
  expect(second.fhirResources).toEqual([changed]);

  const open = await makeLink(patient, baseURL!, "L");
  expect((await new SHLViewer({ shlinkURI: open.shlink }).resolveSHL({ recipient: "Ambulance crew" })).fhirResources).toEqual([bundle]);
  await patient.close();
});
