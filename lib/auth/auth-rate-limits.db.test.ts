import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The real route handlers against an embedded database of their own.
const dataDir = mkdtempSync(path.join(tmpdir(), "hsc-rate-"));
type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
let signInOptions: RouteHandler;
let signInVerify: RouteHandler;
const noParams = { params: Promise.resolve({}) };

/** What scripts/server.mjs does: it names the header it writes each socket's peer address into. */
const peerHeader = "x-hsc-peer-address";

beforeAll(async () => {
  (globalThis as Record<symbol, unknown>)[Symbol.for("health-safe-cloud.peer-address-header")] = peerHeader;
  process.env.DATA_DIR = dataDir;
  process.env.AUTH_RATE_LIMIT_PER_ADDRESS = "60";
  process.env.AUTH_RATE_LIMIT_PER_ACCOUNT = "20";
  delete process.env.DATABASE_URL;
  signInOptions = (await import("@/app/api/auth/sign-in/options/route")).POST;
  signInVerify = (await import("@/app/api/auth/sign-in/verify/route")).POST;
});

afterAll(async () => {
  const { getDatabase } = await import("@/lib/db");
  await (await getDatabase()).close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A request whose socket peer is `address`, claiming in X-Forwarded-For to come from `claimed`. */
const from = (address: string, body?: unknown, claimed?: string) =>
  new Request("http://localhost:3000/api/auth/sign-in", {
    method: "POST",
    headers: {
      // From the app's own page: the route wrapper refuses anything else before the rate limits are reached.
      "sec-fetch-site": "same-origin",
      origin: "http://localhost:3000",
      "content-type": "application/json",
      [peerHeader]: address,
      ...(claimed ? { "x-forwarded-for": claimed } : {}),
    },
    body: JSON.stringify(body ?? {}),
  });

const bogusAssertion = (credentialId: string) => ({
  credential: {
    id: credentialId,
    rawId: credentialId,
    type: "public-key",
    response: {
      clientDataJSON: Buffer.from(JSON.stringify({ type: "webauthn.get", challenge: "x", origin: "http://localhost:3000" })).toString("base64url"),
      authenticatorData: randomBytes(37).toString("base64url"),
      signature: randomBytes(64).toString("base64url"),
    },
    clientExtensionResults: {},
  },
});

describe("authentication rate limits", () => {
  it("answer 429 with Retry-After once an address has made too many attempts", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 61; attempt++) statuses.push((await signInOptions(from("203.0.113.5"), noParams)).status);
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    const limited = await signInOptions(from("203.0.113.5"), noParams);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe("rate-limited");
    expect((await signInOptions(from("203.0.113.6"), noParams)).status).toBe(200);
  });

  it("count a client by its socket, however its X-Forwarded-For changes (no proxy declared)", async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 61; attempt++) statuses.push((await signInOptions(from("203.0.113.50", {}, `198.51.100.${attempt}`), noParams)).status);
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });

  it("limit attempts naming one passkey from one address, without locking its owner out elsewhere", async () => {
    const credentialId = randomBytes(16).toString("base64url");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt++) statuses.push((await signInVerify(from("192.0.2.10", bogusAssertion(credentialId)), noParams)).status);
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another address still gets its own twenty attempts at the same passkey: the owner is not locked out.
    for (let attempt = 0; attempt < 20; attempt++) expect((await signInVerify(from("192.0.2.11", bogusAssertion(credentialId)), noParams)).status).toBe(401);
  });

  it("answer an unknown passkey with the same generic refusal", async () => {
    const unknown = await signInVerify(from("192.0.2.77", bogusAssertion(randomBytes(16).toString("base64url"))), noParams);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({
      error: {
        code: "unauthenticated",
        message:
          "That passkey could not sign you in. Please try again. If you deleted your account, its passkeys no longer sign in here: you may remove this one from your device.",
      },
    });
  });
});
