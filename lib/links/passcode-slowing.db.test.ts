import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, toBase64url } from "@/crypto";
import { hashShlPasscode } from "@/crypto/shl-passcode";
import { auditEvents, auditInbox, notices, shlLinks, users } from "@/drizzle/schema";
import { shlLimits, type ShlFlag } from "@/contract/links";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/route";
import { insertLink, linksOfOwner } from "./link-store";
import { manifest, type Caller } from "./public-link-service";

// The rule that keeps a stranger holding the emergency card from killing its link: a long-term
// passcode link (LP) is slowed per window, never stopped; an ordinary P link still stops after
// 10 wrong passcodes; either way the owner is told (a notice).
const jweText = `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vZmhpcitqc29uIn0..${"a".repeat(16)}.${"b".repeat(200)}.${"c".repeat(22)}`;
const passcode = "tiger-lily-42";
const { perWindow, windowSeconds, lifetimeAttempts } = shlLimits.longTermGuesses;

describe.each(testDatabaseKinds())("wrong passcodes on %s", (kind) => {
  let database: TestDatabase;
  let store: BlobStore;
  let owner: string;
  let passcodeHash: string;
  let addresses = 0;
  // Each test speaks from its own address, so the per-address limit is met only where it is tested.
  const newCaller = (): Caller => ({ db: database.db, blobs: store, address: `203.0.113.${++addresses}` });

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    store = databaseBlobStore(database.db);
    owner = randomUUID();
    await database.db.insert(users).values({ id: owner, role: "patient" });
    passcodeHash = hashShlPasscode(passcode);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function makeLink(flag: ShlFlag) {
    const longTerm = flag.includes("L");
    return insertLink(
      database.db,
      store,
      owner,
      {
        id: randomUUID(),
        shlId: toBase64url(randomBytes(32)),
        flag,
        passcodeHash,
        attempts: longTerm ? lifetimeAttempts : shlLimits.passcodeAttempts,
        expiresAt: new Date(Date.now() + (longTerm ? shlLimits.maxLongTermLifetimeMs - 86_400_000 : 3600_000)),
        contentType: "application/fhir+json",
        jwe: new TextEncoder().encode(jweText),
        sealedLabel: randomBytes(60),
      },
      { quotaBytes: 1024 ** 4, unfinishedUploadsMax: 100 },
    );
  }

  async function answerOf(run: () => Promise<unknown>): Promise<{ status: number; body: string; retryAfter: string | null }> {
    try {
      const value = await run();
      if (value instanceof Response) return { status: value.status, body: await value.text(), retryAfter: value.headers.get("retry-after") };
      return { status: 200, body: JSON.stringify(value), retryAfter: null };
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const response = errorResponse(error, new Request("http://localhost/api/shl/x"));
      return { status: response.status, body: await response.text(), retryAfter: response.headers.get("retry-after") };
    }
  }

  const tryPasscode = (caller: Caller, shlId: string, guess: string) => answerOf(() => manifest(caller, shlId, { recipient: "Finder", passcode: guess }));
  const linkRow = async (id: string) => (await database.db.select().from(shlLinks).where(eq(shlLinks.id, id)))[0]!;
  const noticesOf = (linkId: string) =>
    database.db
      .select()
      .from(notices)
      .where(and(eq(notices.recipientId, owner), eq(notices.linkId, linkId)));
  const actionsOf = async (linkId: string) =>
    [
      ...(await database.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.grantId, linkId))),
      ...(await database.db.select({ action: auditInbox.action }).from(auditInbox).where(eq(auditInbox.grantId, linkId))),
    ].map((row) => row.action);

  it("a long-term passcode link is slowed after its window's wrong passcodes (429, Retry-After), never stopped, and opens with the right one once the window passes", async () => {
    const caller = newCaller();
    const card = await makeLink("LP");
    for (let attempt = 1; attempt <= perWindow; attempt++) {
      const answer = await tryPasscode(caller, card.shlId, `guess-${attempt}`);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ remainingAttempts: lifetimeAttempts - attempt });
    }
    // The window is used up: no passcode is checked, not even the right one, until it passes.
    for (const guess of ["guess-next", passcode]) {
      const slowed = await tryPasscode(caller, card.shlId, guess);
      expect(slowed.status).toBe(429);
      expect(Number(slowed.retryAfter)).toBeGreaterThan(windowSeconds - 120);
      expect(Number(slowed.retryAfter)).toBeLessThanOrEqual(windowSeconds);
    }
    const row = await linkRow(card.id);
    expect(row).toMatchObject({ disabledAt: null, revokedAt: null, remainingAttempts: lifetimeAttempts - perWindow });
    expect(row.blobId).not.toBeNull();
    const [listed] = (await linksOfOwner(database.db, owner, 1000)).filter((link) => link.id === card.id);
    expect(listed!.throttledUntil!.getTime()).toBe(row.guessWindowStart!.getTime() + windowSeconds * 1000);

    // The owner is told once for the window, and nothing says the link stopped.
    expect((await noticesOf(card.id)).map((notice) => [notice.kind, notice.count])).toEqual([["link-guessed", 1]]);
    const actions = await actionsOf(card.id);
    expect(actions.filter((action) => action === "link-passcode-throttled")).toHaveLength(1);
    expect(actions).not.toContain("link-disabled");

    // A day later the holder of the right passcode gets in.
    await database.db
      .update(shlLinks)
      .set({ guessWindowStart: new Date(Date.now() - windowSeconds * 1000 - 1000) })
      .where(eq(shlLinks.id, card.id));
    expect((await tryPasscode(caller, card.shlId, passcode)).status).toBe(200);
    const [after] = (await linksOfOwner(database.db, owner, 1000)).filter((link) => link.id === card.id);
    expect(after!.throttledUntil).toBeNull();
  }, 120_000);

  it("parallel wrong passcodes on a long-term link: exactly the window's tries are checked (401), the rest answered 429", async () => {
    const caller = newCaller();
    const card = await makeLink("LP");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => tryPasscode(caller, card.shlId, `wrong-${index}`)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(perWindow);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - perWindow);
    expect(await linkRow(card.id)).toMatchObject({ disabledAt: null, guessesInWindow: perWindow, remainingAttempts: lifetimeAttempts - perWindow });
  }, 120_000);

  it("the right passcode gives its try back: only wrong passcodes use up a window", async () => {
    const caller = newCaller();
    const card = await makeLink("LP");
    for (let attempt = 1; attempt < perWindow; attempt++) expect((await tryPasscode(caller, card.shlId, `guess-${attempt}`)).status).toBe(401);
    expect((await tryPasscode(caller, card.shlId, passcode)).status).toBe(200);
    expect((await tryPasscode(caller, card.shlId, passcode)).status).toBe(200);
    expect((await tryPasscode(caller, card.shlId, "guess-last")).status).toBe(401);
    expect((await tryPasscode(caller, card.shlId, passcode)).status).toBe(429);
  }, 120_000);

  it("an ordinary passcode link still stops after 10 wrong passcodes, and its owner is told", async () => {
    const caller = newCaller();
    const link = await makeLink("P");
    for (let attempt = 1; attempt <= shlLimits.passcodeAttempts; attempt++)
      expect((await tryPasscode(caller, link.shlId, `guess-${attempt}`)).status).toBe(401);
    expect((await tryPasscode(caller, link.shlId, passcode)).status).toBe(404);
    expect((await linkRow(link.id)).disabledAt).toBeInstanceOf(Date);
    expect((await noticesOf(link.id)).map((notice) => notice.kind)).toEqual(["link-stopped"]);
    expect((await actionsOf(link.id)).filter((action) => action === "link-disabled")).toHaveLength(1);
  }, 120_000);

  it("limits the passcodes one address sends, to any links", async () => {
    const caller = newCaller();
    const statuses: number[] = [];
    // Fresh links, so that no link's own count is met first.
    for (let link = 0; link < 7; link++) {
      const { shlId } = await makeLink("P");
      for (let attempt = 0; attempt < 9; attempt++) statuses.push((await tryPasscode(caller, shlId, `guess-${attempt}`)).status);
    }
    expect(statuses.slice(0, 60).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(60).every((status) => status === 429)).toBe(true);
    const other = await makeLink("P");
    expect((await tryPasscode(newCaller(), other.shlId, passcode)).status).toBe(200);
  }, 300_000);
});
