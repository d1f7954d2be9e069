import { randomBytes, randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, toBase64url, verifyAuditChain } from "@/crypto";
import { hashShlPasscode } from "@/crypto/shl-passcode";
import { auditEvents, blobChunks, blobs, shlFileTokens, shlLinks, users } from "@/drizzle/schema";
import { foldAuditInbox, storedEventFields } from "@/lib/audit/audit-log";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { databaseBlobStore } from "@/lib/blobs/database-blob-store";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/route";
import type { ShlFlag } from "@/contract/links";
import { storageUsage } from "@/lib/records/storage-quota";
import { accessesOfLink, insertLink, linksOfOwner, replaceLinkFile, revokeLink, sweepDeadLinks } from "./link-store";
import { directFile, locationFile, manifest, type Caller } from "./public-link-service";

// A compact JWE's shape is all the store and the blind routes look at; the bytes are opaque here.
const jweText = (size = 200) =>
  `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiYXBwbGljYXRpb24vZmhpcitqc29uIn0..${"a".repeat(16)}.${"b".repeat(size)}.${"c".repeat(22)}`;
const passcode = "tulip-42";
const hour = 3600_000;
const roomy = { quotaBytes: 1024 ** 4, unfinishedUploadsMax: 100 };

describe.each(testDatabaseKinds())("SMART Health Links on %s", (kind) => {
  let database: TestDatabase;
  let caller: Caller;
  let store: BlobStore;
  let owner: string;
  let passcodeHash: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    store = databaseBlobStore(database.db);
    caller = { db: database.db, blobs: store, address: `198.51.100.${Math.floor(Math.random() * 200)}` };
    owner = randomUUID();
    await database.db.insert(users).values({ id: owner, role: "patient" });
    passcodeHash = hashShlPasscode(passcode);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function makeLink(flag: ShlFlag, { expiresAt = new Date(Date.now() + hour), jwe = jweText(), limits = roomy } = {}) {
    const shlId = toBase64url(randomBytes(32));
    const row = await insertLink(
      database.db,
      store,
      owner,
      {
        id: randomUUID(),
        shlId,
        flag,
        passcodeHash: flag.includes("P") ? passcodeHash : null,
        attempts: 10,
        expiresAt,
        contentType: "application/fhir+json",
        jwe: new TextEncoder().encode(jwe),
        sealedLabel: randomBytes(60),
      },
      limits,
    );
    return { ...row, jwe, blobId: (await linkRow(row.id)).blobId! };
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
  /** Whether the blob's row and every chunk of it are gone from the store. */
  const blobGone = async (blobId: string) =>
    (await database.db.select().from(blobs).where(eq(blobs.id, blobId))).length === 0 &&
    (await database.db.select().from(blobChunks).where(eq(blobChunks.blobId, blobId))).length === 0;

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
    await revokeLink(database.db, store, owner, revoked.id);
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

  it("revoking deletes the JWE blob and the location tokens at once, once", async () => {
    const link = await makeLink("P");
    const served = (await manifest(caller, link.shlId, { recipient: "Front desk", passcode })) as { files: Array<{ location?: string }> };
    const token = served.files[0]!.location!.split("/").at(-1)!;
    expect((await locationFile(caller, token)).status).toBe(200);

    await revokeLink(database.db, store, owner, link.id);
    await revokeLink(database.db, store, owner, link.id);
    const row = await linkRow(link.id);
    expect(row.blobId).toBeNull();
    expect(await blobGone(link.blobId)).toBe(true);
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, link.id))).toEqual([]);
    expect((await answerOf(() => locationFile(caller, token))).status).toBe(404);
    const revokes = await database.db.select().from(auditEvents).where(eq(auditEvents.grantId, link.id));
    expect(revokes.filter((event) => event.action === "link-revoked")).toHaveLength(1);
    await expect(revokeLink(database.db, store, randomUUID(), link.id)).rejects.toMatchObject({ code: "not-found" });
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
    expect(row).toMatchObject({ remainingAttempts: 0, blobId: null });
    expect(await blobGone(link.blobId)).toBe(true);
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect((await answerOf(() => manifest(caller, link.shlId, { recipient: "owner's doctor", passcode }))).status).toBe(404);
    const [listed] = (await linksOfOwner(database.db, owner, 1000)).filter((entry) => entry.id === link.id);
    expect(listed).toMatchObject({ remainingAttempts: 0, opens: 0 });
    expect(listed!.disabledAt).not.toBeNull();
  }, 300_000);

  it("the sweep drops expired links' blobs and expired location tokens, and nothing live", async () => {
    const live = await makeLink("P");
    const expiring = await makeLink("U", { expiresAt: new Date(Date.now() + 60_000) });
    await manifest(caller, live.shlId, { recipient: "Clinic", passcode });
    const later = new Date(Date.now() + 2 * hour);
    const swept = await sweepDeadLinks(database.db, store, new Date(Date.now() + 120_000));
    expect(swept.links).toBeGreaterThanOrEqual(1);
    expect((await linkRow(expiring.id)).blobId).toBeNull();
    expect(await blobGone(expiring.blobId)).toBe(true);
    expect((await linkRow(live.id)).blobId).toBe(live.blobId);
    expect(await blobGone(live.blobId)).toBe(false);
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, live.id))).toHaveLength(1);
    await sweepDeadLinks(database.db, store, later);
    expect(await database.db.select().from(shlFileTokens).where(eq(shlFileTokens.linkId, live.id))).toEqual([]);
  });

  it("keeps a JWE of several chunks in the blob store and serves it whole, by GET and by location", async () => {
    const big = jweText(9 * 1024 * 1024 - 200);
    const u = await makeLink("U", { jwe: big });
    const [info] = await database.db.select().from(blobs).where(eq(blobs.id, u.blobId));
    expect(info).toMatchObject({ ownerId: owner, status: "complete", chunkCount: 3, paddedSize: big.length });
    expect(await (await directFile(caller, u.shlId, "Big clinic")).text()).toBe(big);
    const p = await makeLink("P", { jwe: big });
    const served = (await manifest(caller, p.shlId, { recipient: "Big clinic", passcode })) as { files: Array<{ location?: string }> };
    expect(await (await locationFile(caller, served.files[0]!.location!.split("/").at(-1)!)).text()).toBe(big);
  }, 120_000);

  it("counts a link's JWE toward the owner's quota, and refuses a link past it without leaving a blob", async () => {
    const before = await storageUsage(database.db, owner, roomy);
    const jwe = jweText(100_000);
    await makeLink("U", { jwe });
    const after = await storageUsage(database.db, owner, roomy);
    expect(after.fileBytes - before.fileBytes).toBeGreaterThanOrEqual(jwe.length);
    expect(after.fileBytes - before.fileBytes).toBeLessThan(jwe.length + 3);

    const blobsBefore = (await database.db.select().from(blobs).where(eq(blobs.ownerId, owner))).length;
    const full = { quotaBytes: after.usedBytes + 1000, unfinishedUploadsMax: 100 };
    await expect(makeLink("U", { jwe, limits: full })).rejects.toMatchObject({ code: "quota-exceeded" });
    expect(await database.db.select().from(blobs).where(eq(blobs.ownerId, owner))).toHaveLength(blobsBefore);
  });

  it("the blob sweep leaves a link's JWE alone, however long idle", async () => {
    const link = await makeLink("U");
    await store.sweep(new Date(Date.now() + 365 * 24 * hour));
    expect(await blobGone(link.blobId)).toBe(false);
    expect(await (await directFile(caller, link.shlId, "After the sweep")).text()).toBe(link.jwe);
  });

  it("a revocation that lost its blob deletion to a crash is finished by the link sweep", async () => {
    const link = await makeLink("U");
    await database.db.update(shlLinks).set({ revokedAt: new Date() }).where(eq(shlLinks.id, link.id));
    expect((await answerOf(() => directFile(caller, link.shlId, "x"))).status).toBe(404);
    await sweepDeadLinks(database.db, store);
    expect(await blobGone(link.blobId)).toBe(true);
  });

  it("limits the blind routes per address", async () => {
    const flood: Caller = { db: database.db, blobs: store, address: "203.0.113.9" };
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

  it("serves a long-term link's manifest (L without a passcode, LP with one) and, once its file is replaced, only the new JWE", async () => {
    const open = await makeLink("L");
    const guarded = await makeLink("LP");
    const embedded = (link: { shlId: string }, code?: string) =>
      manifest(caller, link.shlId, { recipient: "City ER", embeddedLengthMax: 1_000_000, ...(code ? { passcode: code } : {}) }) as Promise<{
        files: Array<{ embedded?: string }>;
      }>;
    expect((await embedded(open)).files[0]!.embedded).toBe(open.jwe);
    expect((await answerOf(() => embedded(guarded))).status).toBe(401);
    expect((await embedded(guarded, passcode)).files[0]!.embedded).toBe(guarded.jwe);
    expect((await answerOf(() => directFile(caller, open.shlId, "x"))).status).toBe(404);

    const served = (await manifest(caller, guarded.shlId, { recipient: "Front desk", passcode })) as { files: Array<{ location?: string }> };
    const token = served.files[0]!.location!.split("/").at(-1)!;
    const newer = jweText(300);
    const label = randomBytes(70);
    const row = await replaceLinkFile(
      database.db,
      store,
      owner,
      guarded.id,
      { jwe: new TextEncoder().encode(newer), contentType: "application/fhir+json", sealedLabel: label },
      roomy,
    );
    expect(Buffer.from(row.sealedLabel).equals(label)).toBe(true);
    expect((await embedded(guarded, passcode)).files[0]!.embedded).toBe(newer);
    // A location handed out before names the link, so it serves the new contents too.
    expect(await (await locationFile(caller, token)).text()).toBe(newer);
    expect(await blobGone(guarded.blobId)).toBe(true);

    await foldAuditInbox(database.db, [owner]);
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, owner)).orderBy(asc(auditEvents.seq));
    expect(events.filter((event) => event.grantId === guarded.id).map((event) => event.action)).toContain("link-updated");
    expect(verifyAuditChain(events.map(storedEventFields)).ok).toBe(true);
  });

  it.each(["while its bytes are read", "after its bytes are read"] as const)(
    "a long-term link's file replaced %s is served new, by manifest and by location, never refused",
    async (timing) => {
      const link = await makeLink("LP");
      const served = (await manifest(caller, link.shlId, { recipient: "Ward 3", passcode })) as { files: Array<{ location?: string }> };
      const token = served.files[0]!.location!.split("/").at(-1)!;
      const opensBefore = (await linkRow(link.id)).opens;
      for (const read of ["manifest", "location"] as const) {
        const newer = jweText(400 + (read === "manifest" ? 1 : 2));
        const current = (await linkRow(link.id)).blobId!;
        let replaced = false;
        const replace = () =>
          replaceLinkFile(
            database.db,
            store,
            owner,
            link.id,
            { jwe: new TextEncoder().encode(newer), contentType: "application/fhir+json", sealedLabel: randomBytes(60) },
            roomy,
          );
        // The owner's browser replaces the file at the worst moment of this read.
        const racing: BlobStore = {
          ...store,
          describe: (id) => store.describe(id),
          readChunk: async (id, index) => {
            if (id !== current || replaced) return store.readChunk(id, index);
            replaced = true;
            if (timing === "while its bytes are read") {
              await replace();
              return store.readChunk(id, index);
            }
            const bytes = await store.readChunk(id, index);
            await replace();
            return bytes;
          },
        };
        const racingCaller = { ...caller, blobs: racing };
        const text =
          read === "manifest"
            ? (
                (await manifest(racingCaller, link.shlId, { recipient: "Ward 3", passcode, embeddedLengthMax: 1_000_000 })) as {
                  files: Array<{ embedded?: string }>;
                }
              ).files[0]!.embedded
            : await (await locationFile(racingCaller, token)).text();
        expect(replaced).toBe(true);
        expect(text, `the ${read} read`).toBe(newer);
      }
      // The manifest read counted once (the retry is not a second open).
      expect((await linkRow(link.id)).opens).toBe(opensBefore + 1);
    },
  );

  it("replaces no file of a U or P link, a revoked link or another owner's, and keeps no blob of a refused replacement", async () => {
    const before = (await database.db.select().from(blobs)).length;
    const u = await makeLink("U");
    const p = await makeLink("P");
    const revoked = await makeLink("L");
    await revokeLink(database.db, store, owner, revoked.id);
    const stranger = randomUUID();
    await database.db.insert(users).values({ id: stranger, role: "patient" });
    const replace = (who: string, id: string) =>
      replaceLinkFile(
        database.db,
        store,
        who,
        id,
        { jwe: new TextEncoder().encode(jweText(250)), contentType: "application/fhir+json", sealedLabel: randomBytes(60) },
        roomy,
      );
    for (const [who, id] of [
      [owner, u.id],
      [owner, p.id],
      [owner, revoked.id],
      [stranger, p.id],
    ] as const) {
      await expect(replace(who, id)).rejects.toMatchObject({ code: "not-found" });
    }
    // Only the two live links' blobs were added.
    expect((await database.db.select().from(blobs)).length).toBe(before + 2);
  });
});
