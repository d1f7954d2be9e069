import { randomBytes, randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, toBase64url, verifyAuditChain } from "@/crypto";
import { hashShlPasscode } from "@/crypto/shl-passcode";
import { auditEvents, shlFileTokens, shlLinks, users } from "@/drizzle/schema";
import { foldAuditInbox, storedEventFields } from "@/lib/audit/audit-log";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/route";
import { accessesOfLink, insertLink, linksOfOwner, revokeLink, sweepDeadLinks } from "./link-store";
import { directFile, locationFile, manifest, type Caller } from "./public-link-service";

// A compact JWE's shape is all the store and the blind routes look at; the bytes are opaque here.
const jweText = (size = 200) =>
  `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vZmhpcitqc29uIn0..${"a".repeat(16)}.${"b".repeat(size)}.${"c".repeat(22)}`;
const passcode = "tulip-42";
const hour = 3600_000;

describe.each(testDatabaseKinds())("SMART Health Links on %s", (kind) => {
  let database: TestDatabase;
  let caller: Caller;
  let owner: string;
  let passcodeHash: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    caller = { db: database.db, address: `198.51.100.${Math.floor(Math.random() * 200)}` };
    owner = randomUUID();
    await database.db.insert(users).values({ id: owner, role: "patient" });
    passcodeHash = hashShlPasscode(passcode);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function makeLink(flag: "U" | "P", { expiresAt = new Date(Date.now() + hour), jwe = jweText() } = {}) {
    const shlId = toBase64url(randomBytes(32));
    const row = await insertLink(database.db, owner, {
      id: randomUUID(),
      shlId,
      flag,
      passcodeHash: flag === "P" ? passcodeHash : null,
      attempts: 10,
      expiresAt,
      contentType: "application/fhir+json",
      jwe: new TextEncoder().encode(jwe),
      sealedLabel: randomBytes(60),
    });
    return { ...row, jwe };
  }

  /** What a refusal looks like on the wire: status and body text. */
  async function answerOf(run: () => Promise<unknown>): Promise<{ status: number; body: string }> {
    try {
      const value = await run();
      if (value instanceof Response) return { status: value.status, body: await value.text() };
      return { status: 200, body: JSON.stringify(value) };
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const response = errorResponse(error, new Request("http://localhost/api/shl/x"));
      return { status: response.status, body: await response.text() };
    }
  }

  const linkRow = async (id: string) => (await database.db.select().from(shlLinks).where(eq(shlLinks.id, id)))[0]!;

  it("serves a U link's JWE to GET with a recipient, counts the open and logs it with the recipient", async () => {
    const link = await makeLink("U");
    const response = await directFile(caller, link.shlId, "Dr Rivera, Hilltop Clinic");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jose");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toBe(link.jwe);

    const [listed] = (await linksOfOwner(database.db, owner, 100)).filter((row) => row.id === link.id);
    expect(listed).toMatchObject({ opens: 1, remainingAttempts: null, revokedAt: null, disabledAt: null });
    expect(await accessesOfLink(database.db, owner, link.id, 100)).toEqual([
      { at: expect.any(Date), recipient: "Dr Rivera, Hilltop Clinic", outcome: "opened" },
    ]);

    await foldAuditInbox(database.db, [owner]);
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, owner)).orderBy(asc(auditEvents.seq));
    const ofLink = events.filter((event) => event.grantId === link.id).map((event) => [event.action, event.actorId, event.outcome]);
    expect(ofLink).toEqual([
      ["link-created", owner, "success"],
      ["link-opened", null, "success"],
    ]);
    expect(verifyAuditChain(events.map(storedEventFields)).ok).toBe(true);
  });

  it("answers the same 404 for unknown, malformed, revoked, expired, disabled and wrong-flag links", async () => {
    const revoked = await makeLink("U");
    await revokeLink(database.db, owner, revoked.id);
    const expired = await makeLink("U", { expiresAt: new Date(Date.now() - 1000) });
    const p = await makeLink("P");
    const u = await makeLink("U");
    const answers = [
      await answerOf(() => directFile(caller, toBase64url(randomBytes(32)), "x")),
      await answerOf(() => directFile(caller, "not-a-link", "x")),
      await answerOf(() => directFile(caller, revoked.shlId, "x")),
      await answerOf(() => directFile(caller, expired.shlId, "x")),
      await answerOf(() => directFile(caller, p.shlId, "x")),
      await answerOf(() => manifest(caller, u.shlId, { recipient: "x", passcode })),
      await answerOf(() => manifest(caller, revoked.shlId, { recipient: "x" })),
      await answerOf(() => locationFile(caller, toBase64url(randomBytes(32)))),
    ];
    expect(answers[0]!.status).toBe(404);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("revoking deletes the JWE bytes and the location tokens at once, once", async () => {
    const link = await makeLink("P");
    const served = (await manifest(caller, link.shlId, { recipient: "Front desk", passcode })) as { files: Array<{ location?: string }> };
    const token = served.files[0]!.location!.split("/").at(-1)!;
    expect((await locationFile(caller, token)).status).toBe(200);

    await revokeLink(database.db, owner, link.id);
    await revokeLink(database.db, owner, link.id);
    const row = await linkRow(link.id);
    expect(row.jwe).toBeNull();
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, link.id))).toEqual([]);
    expect((await answerOf(() => locationFile(caller, token))).status).toBe(404);
    const revokes = await database.db.select().from(auditEvents).where(eq(auditEvents.grantId, link.id));
    expect(revokes.filter((event) => event.action === "link-revoked")).toHaveLength(1);
    await expect(revokeLink(database.db, randomUUID(), link.id)).rejects.toMatchObject({ code: "not-found" });
  });

  it("serves a P link's manifest for the right passcode: embedded up to embeddedLengthMax, else a location for an hour", async () => {
    const link = await makeLink("P");
    const embedded = await manifest(caller, link.shlId, { recipient: "Nurse Kim", passcode, embeddedLengthMax: link.jwe.length });
    expect(embedded).toEqual({ files: [{ contentType: "application/fhir+json", embedded: link.jwe }] });

    const located = (await manifest(caller, link.shlId, { recipient: "Nurse Kim", passcode, embeddedLengthMax: link.jwe.length - 1 })) as {
      files: Array<{ contentType: string; location: string }>;
    };
    expect(located.files[0]!.location).toMatch(/\/api\/shl\/files\/[A-Za-z0-9_-]{43}$/);
    const response = await locationFile(caller, located.files[0]!.location.split("/").at(-1)!);
    expect(await response.text()).toBe(link.jwe);
    const [token] = await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, link.id));
    expect(token!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(hour);
    // The token is kept only as its hash.
    expect(Buffer.from(token!.tokenHash).toString("base64url")).not.toBe(located.files[0]!.location.split("/").at(-1));
    expect((await linkRow(link.id)).opens).toBe(2);
  });

  it("answers a missing passcode 401 without spending an attempt, and a wrong one 401 with one fewer", async () => {
    const link = await makeLink("P");
    const missing = await manifest(caller, link.shlId, { recipient: "Reception" });
    expect(missing).toBeInstanceOf(Response);
    expect((missing as Response).status).toBe(401);
    expect(await (missing as Response).json()).toEqual({ remainingAttempts: 10 });
    const wrong = (await manifest(caller, link.shlId, { recipient: "Reception", passcode: "tulip-43" })) as Response;
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ remainingAttempts: 9 });
    expect(await accessesOfLink(database.db, owner, link.id, 100)).toEqual([{ at: expect.any(Date), recipient: "Reception", outcome: "wrong-passcode" }]);
    const refused = await database.db.select().from(auditEvents).where(eq(auditEvents.grantId, link.id));
    await foldAuditInbox(database.db, [owner]);
    expect(refused.map((event) => [event.action, event.outcome])).toContainEqual(["link-passcode-refused", "denied"]);
  });

  it("30 parallel wrong passcodes: exactly 10 are answered 401, the rest 404, and the link is then disabled for good", async () => {
    const link = await makeLink("P");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) => answerOf(() => manifest(caller, link.shlId, { recipient: `guesser ${index}`, passcode: `wrong-${index}` }))),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 404)).toHaveLength(20);
    const unknown = await answerOf(() => directFile(caller, toBase64url(randomBytes(32)), "x"));
    for (const answer of answers.filter((entry) => entry.status === 404)) expect(answer).toEqual(unknown);
    const remaining = answers
      .filter((answer) => answer.status === 401)
      .map((answer) => (JSON.parse(answer.body) as { remainingAttempts: number }).remainingAttempts);
    expect(remaining.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const row = await linkRow(link.id);
    expect(row).toMatchObject({ remainingAttempts: 0, jwe: null });
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect((await answerOf(() => manifest(caller, link.shlId, { recipient: "owner's doctor", passcode }))).status).toBe(404);
    const [listed] = (await linksOfOwner(database.db, owner, 1000)).filter((entry) => entry.id === link.id);
    expect(listed).toMatchObject({ remainingAttempts: 0, opens: 0 });
    expect(listed!.disabledAt).not.toBeNull();
  }, 300_000);

  it("the sweep drops expired links' bytes and expired location tokens, and nothing live", async () => {
    const live = await makeLink("P");
    const expiring = await makeLink("U", { expiresAt: new Date(Date.now() + 60_000) });
    await manifest(caller, live.shlId, { recipient: "Clinic", passcode });
    const later = new Date(Date.now() + 2 * hour);
    const swept = await sweepDeadLinks(database.db, new Date(Date.now() + 120_000));
    expect(swept.links).toBeGreaterThanOrEqual(1);
    expect((await linkRow(expiring.id)).jwe).toBeNull();
    expect((await linkRow(live.id)).jwe).not.toBeNull();
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, live.id))).toHaveLength(1);
    await sweepDeadLinks(database.db, later);
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, live.id))).toEqual([]);
  });

  it("limits the blind routes per address", async () => {
    const flood: Caller = { db: database.db, address: "203.0.113.9" };
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await answerOf(() => directFile(flood, "nope", "x"))).status);
    expect(statuses.slice(0, 120).every((status) => status === 404)).toBe(true);
    expect(statuses[120]).toBe(429);
  }, 60_000);

  it("lists the owner's links newest first, and shows another person nothing", async () => {
    const first = await makeLink("U");
    const second = await makeLink("P");
    const ids = (await linksOfOwner(database.db, owner, 1000)).map((row) => row.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(await linksOfOwner(database.db, randomUUID(), 10)).toEqual([]);
    await expect(accessesOfLink(database.db, randomUUID(), first.id, 10)).rejects.toMatchObject({ code: "not-found" });
  });
});
