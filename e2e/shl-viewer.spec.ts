import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { SHCIssuer, SHL, SHLManifestBuilder } from "kill-the-clipboard";
import { expect, test, type Page } from "./support/test";
import { signUpThroughPage } from "./support/accounts";
import { addVirtualAuthenticator } from "./support/virtual-authenticator";
import { expectFitsViewport } from "./support/viewport";
import { e2ePorts } from "./support/ports";

// Links made by an independent implementation (kill-the-clipboard: SHL.generate and
// SHLManifestBuilder), their files served by a small loopback server this spec starts with
// CORS open to every origin, opened in our viewer: from the fragment, pasted text and a
// photo of the QR code; a passcode link with a wrong passcode first; an expired link and an
// unknown one; then imported by a signed-in patient, twice.

const fixtures = path.resolve(__dirname, "../fixtures/shl");
const ips = JSON.parse(readFileSync(path.join(fixtures, "IPS_IG-bundle-01.json"), "utf8")) as Record<string, unknown>;
const immunizations = JSON.parse(readFileSync(path.join(fixtures, "example-00-a-fhirBundle.json"), "utf8")) as Record<string, unknown>;

const peerPort = e2ePorts.shlPeer;
const peer = `http://127.0.0.1:${peerPort}`;
const passcode = "correct-horse";
const recipient = "Dr Test, Riverside Clinic";

interface PeerLink {
  shl: SHL;
  builder: SHLManifestBuilder;
  passcode?: string;
  attempts: number;
}

const files = new Map<string, string>();
const links = new Map<string, PeerLink>();
/** Every request the peer server answered: method, path, recipient. */
const requests: Array<{ method: string; path: string; recipient?: string }> = [];
let server: Server;
/** The health-card issuer's key pair and the JWKS the peer server publishes for it. */
let issuerKeys: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwks: unknown;

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => resolve(body));
  });

/** A link as kill-the-clipboard makes one, its files kept by this spec's server. */
async function peerLink(options: { flag?: "U" | "P"; label: string; passcode?: string; expires?: Date; content: Array<Record<string, unknown> | string> }) {
  const shl = SHL.generate({
    baseManifestURL: `${peer}/shl/`,
    manifestPath: options.flag === "U" ? "/file" : "/manifest.json",
    flag: options.flag,
    label: options.label,
    expirationDate: options.expires,
  });
  const builder = new SHLManifestBuilder({
    shl,
    uploadFile: async (content) => {
      const name = `file-${files.size + 1}`;
      files.set(name, content);
      return name;
    },
    getFileURL: async (name) => `${peer}/files/${name}`,
    loadFile: async (name) => files.get(name)!,
  });
  for (const item of options.content) {
    if (typeof item === "string") await builder.addHealthCard({ shc: item });
    else await builder.addFHIRResource({ content: item as never });
  }
  links.set(new URL(shl.url).pathname, { shl, builder, passcode: options.passcode, attempts: 3 });
  return shl;
}

test.beforeAll(async () => {
  issuerKeys = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(issuerKeys.publicKey);
  jwks = { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: "ES256", use: "sig" }] };
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", peer);
    response.setHeader("access-control-allow-origin", "*");
    // The e2e config adds the app's client header to every browser request, so a preflight asks for it too: allow what is asked.
    response.setHeader("access-control-allow-headers", request.headers["access-control-request-headers"] ?? "content-type");
    response.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    if (request.method === "OPTIONS") return void response.writeHead(204).end();
    const body =
      request.method === "POST" ? (JSON.parse(await readBody(request)) as { recipient?: string; passcode?: string; embeddedLengthMax?: number }) : {};
    requests.push({ method: request.method ?? "", path: url.pathname, recipient: url.searchParams.get("recipient") ?? body.recipient });
    if (url.pathname === "/issuer/.well-known/jwks.json") return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
    if (url.pathname.startsWith("/files/") && files.has(url.pathname.slice(7))) {
      return void response.writeHead(200, { "content-type": "application/jose" }).end(files.get(url.pathname.slice(7)));
    }
    const link = links.get(url.pathname);
    if (!link) return void response.writeHead(404).end();
    if (request.method === "GET" && link.shl.flag?.includes("U")) {
      return void response.writeHead(200, { "content-type": "application/jose" }).end(files.get(link.builder.files[0]!.storagePath));
    }
    if (request.method !== "POST") return void response.writeHead(405).end();
    if (link.passcode && body.passcode !== link.passcode) {
      link.attempts = Math.max(0, link.attempts - 1);
      return void response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ remainingAttempts: link.attempts }));
    }
    const manifest = await link.builder.buildManifest({ embeddedLengthMax: body.embeddedLengthMax });
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(manifest));
  });
  await new Promise<void>((resolve) => server.listen(peerPort, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The page's own alert (Next's route announcer is an alert region too). */
const alertOf = (page: Page) => page.getByRole("main").getByRole("alert");

const viewerUrl = (shl: SHL) => `/links/open#${shl.toURI()}`;

/** Enters who is opening (and the passcode) and opens the link. */
async function openAs(page: Page, options: { passcode?: string } = {}) {
  await page.getByLabel("Your name or clinic").fill(recipient);
  if (options.passcode !== undefined) await page.getByLabel("Passcode", { exact: true }).fill(options.passcode);
  await page.getByRole("button", { name: "Open link" }).click();
}

test("a U link from kill-the-clipboard opens from the fragment and from pasted text, and shows the records", async ({ page }) => {
  const shl = await peerLink({ flag: "U", label: "IPS from a peer", content: [ips] });
  await page.goto(viewerUrl(shl));
  await expect(page.getByRole("heading", { name: "“IPS from a peer”" })).toBeVisible();
  // The name is required: nothing is fetched without it.
  await page.getByRole("button", { name: "Open link" }).click();
  expect(requests.filter((request) => request.path === new URL(shl.url).pathname)).toHaveLength(0);
  await openAs(page);
  const bundle = page.getByTestId("link-bundle");
  await expect(bundle).toContainText("Records of Martha DeLarosa");
  await expect(bundle.getByTestId("group-condition").getByRole("listitem").first()).toBeVisible();
  await expect(bundle.getByTestId("group-observation")).toBeVisible();
  // An allergy's criticality shows in its row, before anything is opened (as on the emergency card).
  await expect(bundle.locator(".hsc-readable")).toHaveCount(0);
  await expect(bundle.getByTestId("group-allergy").getByRole("listitem").first().getByTestId("row-facts")).toContainText("High criticality");
  // A record opens to the chart's readable view.
  await bundle.getByTestId("group-condition").getByRole("button").first().click();
  await expect(bundle.locator(".hsc-readable").first()).toBeVisible();
  expect(requests.filter((request) => request.path === new URL(shl.url).pathname)).toEqual([{ method: "GET", path: new URL(shl.url).pathname, recipient }]);
  // Not signed in: no import, no clinician link.
  await expect(page.getByRole("button", { name: "Import into my chart" })).toHaveCount(0);

  // Away and back: a new page, so the name typed before is gone (it is kept in the page only).
  await page.goto("/");
  await page.goto("/links/open");
  await page.getByLabel("Link text").fill(`https://another-viewer.example/view#${shl.toURI()}`);
  await page.getByRole("button", { name: "Read link" }).click();
  await expect(page.getByLabel("Your name or clinic")).toHaveValue("");
  await openAs(page);
  await expect(page.getByTestId("link-bundle")).toContainText("Records of Martha DeLarosa");
});

test("a P link asks for the passcode, says how many attempts are left, then shows the records and a verified health card", async ({ page }) => {
  const card = await new SHCIssuer({ issuer: `${peer}/issuer`, ...issuerKeys }).issue(immunizations as never);
  const shl = await peerLink({ flag: "P", label: "With a passcode", passcode, content: [immunizations, card.asJWS()] });
  await page.goto(viewerUrl(shl));
  await openAs(page, { passcode: "wrong-one" });
  await expect(alertOf(page)).toHaveText("The passcode is wrong. 2 attempts are left before the link is disabled.");
  await openAs(page, { passcode });
  await expect(page.getByTestId("link-bundle").first().getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);
  await expect(page.getByTestId("card-signature")).toHaveText("Signature verified: issued by this issuer and not altered.");
  const posts = requests.filter((request) => request.path === new URL(shl.url).pathname);
  expect(posts.map((request) => [request.method, request.recipient])).toEqual([
    ["POST", recipient],
    ["POST", recipient],
  ]);
});

test("a photo of the QR code opens the link; expired and unknown links are refused plainly", async ({ page, baseURL }) => {
  const shl = await peerLink({ label: "From a QR code", content: [immunizations] });
  const dataUrl = await shl.asQR({ viewerURL: `${baseURL}/links/open` });
  await page.goto("/links/open");
  await page.getByLabel("Or choose a photo of the QR code").setInputFiles({
    name: "qr.png",
    mimeType: "image/png",
    buffer: Buffer.from(dataUrl.split(",")[1]!, "base64"),
  });
  await expect(page.getByRole("heading", { name: "“From a QR code”" })).toBeVisible();
  await openAs(page);
  await expect(page.getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);

  const expired = await peerLink({ flag: "U", label: "Old", expires: new Date(Date.now() - 60_000), content: [immunizations] });
  await page.goto(viewerUrl(expired));
  await expect(alertOf(page)).toHaveText("This link has expired. Ask the person who shared it for a new one.");
  expect(requests.filter((request) => request.path === new URL(expired.url).pathname)).toHaveLength(0);

  const unknown = SHL.generate({ baseManifestURL: `${peer}/shl/`, manifestPath: "/manifest.json", label: "Gone" });
  await page.goto(viewerUrl(unknown));
  await openAs(page);
  await expect(alertOf(page)).toHaveText("This link was not found. It may have been revoked or expired, or the address is wrong.");

  await page.goto("/links/open#shlink:/not-a-link");
  await expect(alertOf(page)).toContainText("damaged");
});

test("a signed-in patient imports a peer's link into the chart; a second import finds the records already there", async ({ page }) => {
  test.setTimeout(120_000);
  const shl = await peerLink({ flag: "U", label: "For my chart", content: [immunizations] });
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "patient", name: "Ivy Importer" });

  for (const round of [1, 2]) {
    // From another page, so the viewer loads afresh (a fragment-only change would keep the page).
    await page.goto("/home");
    await page.goto(viewerUrl(shl));
    await openAs(page);
    await expect(page.getByTestId("link-bundle").getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);
    const importRegion = page.getByRole("region", { name: "Import into my chart" });
    const unlock = importRegion.getByRole("button", { name: "Unlock with passkey" });
    const start = importRegion.getByRole("button", { name: "Import into my chart" });
    await expect(unlock.or(start)).toBeVisible({ timeout: 20_000 });
    if (await unlock.isVisible()) await unlock.click();
    await start.click();
    const plan = page.getByTestId("link-import-plan");
    if (round === 1) {
      // The button pressed goes away with its step: focus moves to the plan's first line, then back to the start.
      await expect(plan.getByText("Ready to import 3 records.")).toBeFocused();
      await plan.getByRole("button", { name: "Import 3 records" }).click();
      await expect(importRegion.getByRole("status")).toHaveText("Imported 3 records into your chart.", { timeout: 30_000 });
      await expect(start).toBeFocused();
    } else {
      await expect(plan).toContainText("Nothing new to import.");
      await expect(plan.getByTestId("link-import-already")).toHaveText("3 records are already in your chart and will be skipped.");
      await expect(plan.getByRole("button", { name: "Import 0 records" })).toBeDisabled();
    }
  }
  await page.goto("/chart");
  // A reload clears the keys from memory: the chart asks for the passkey again.
  const unlockChart = page.getByRole("button", { name: "Unlock with passkey" });
  await expect(unlockChart.or(page.getByTestId("group-immunization"))).toBeVisible({ timeout: 20_000 });
  if (await unlockChart.isVisible()) await unlockChart.click();
  await expect(page.getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3, { timeout: 30_000 });
});

test("a clinician opens a link while signed in and is offered the way back to shared charts, at phone width too", async ({ page }) => {
  const shl = await peerLink({ flag: "U", label: "For the clinic", content: [immunizations] });
  await page.goto("/");
  await addVirtualAuthenticator(page, { prf: true });
  await signUpThroughPage(page, { role: "doctor", name: "Dr Viewer" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(viewerUrl(shl));
  await openAs(page);
  await expect(page.getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);
  await expect(page.getByRole("link", { name: "View beside your shared charts" })).toHaveAttribute("href", "/shared");
  await expect(page.getByRole("button", { name: "Import into my chart" })).toHaveCount(0);
  await expectFitsViewport(page, "link viewer, clinician, 390 px");
  // Links are the patients' page; it shows a clinician the way to the viewer, where a link can be pasted or scanned.
  await page.goto("/links");
  await page.getByRole("main").getByRole("link", { name: "Open a SMART Health Link" }).click();
  await expect(page.getByRole("heading", { name: "Open a SMART Health Link", level: 1 })).toBeVisible();
});

test("the viewer moves the focus from Open link to the opened records, shows its passcode field as a field, and drops the last link's status when another is read", async ({
  page,
}) => {
  const first = await peerLink({ flag: "U", label: "First link", content: [immunizations] });
  const second = await peerLink({ flag: "P", label: "Second link", passcode, content: [immunizations] });
  await page.goto(viewerUrl(first));
  await openAs(page);
  await expect(page.getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);
  const opening = page.getByRole("region", { name: "“First link”" });
  await expect(opening.getByRole("status")).toHaveText("Opened: 1 file.");
  // Pressed, the button keeps the focus while the link opens (a disabled button would drop it to the body); once
  // opened, the focus moves to the records, which a reader would otherwise have to find far below.
  await expect(page.getByRole("heading", { name: "What the link holds" })).toBeFocused();

  await page.getByLabel("Link text").fill(second.toURI());
  await page.getByRole("button", { name: "Read link" }).click();
  const next = page.getByRole("region", { name: "“Second link”" });
  await expect(next.getByRole("heading", { name: "“Second link”" })).toBeFocused();
  // The second link is not opened yet: nothing says it was.
  await expect(next.getByRole("status")).toHaveText("");
  await expect(page.getByRole("region", { name: "What the link holds" })).toHaveCount(0);
  // The passcode is a field like the name: its label above its input, the input as wide as the name's.
  const label = await next.getByText("Passcode", { exact: true }).boundingBox();
  const input = await next.getByLabel("Passcode", { exact: true }).boundingBox();
  const nameInput = await next.getByLabel("Your name or clinic").boundingBox();
  expect(label!.y + label!.height).toBeLessThanOrEqual(input!.y);
  expect(input!.width).toBe(nameInput!.width);
  await openAs(page, { passcode });
  await expect(page.getByTestId("group-immunization").getByRole("listitem")).toHaveCount(3);
});
