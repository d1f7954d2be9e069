import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knownBrowsers, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { knownBrowsersPerAccount, rememberBrowser } from "./known-browsers";
import { hashSessionToken } from "./session-store";

const newToken = () => randomBytes(32).toString("base64url");
const seconds = (date: Date, count: number) => new Date(date.getTime() + count * 1000);

describe.each(testDatabaseKinds())("known browsers on %s", (kind) => {
  let database: TestDatabase;
  const newUser = async () => {
    const id = randomUUID();
    await database.db.insert(users).values({ id, role: "patient" });
    return id;
  };
  const rowsOf = (userId: string) => database.db.select().from(knownBrowsers).where(eq(knownBrowsers.userId, userId));
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("calls a browser new once, then known, and stores only its token's hash", async () => {
    const userId = await newUser();
    const token = newToken();
    const start = new Date("2026-12-01T09:00:00Z");
    expect(await rememberBrowser(database.db, userId, token, start)).toBe("new");
    expect(await rememberBrowser(database.db, userId, token, seconds(start, 60))).toBe("known");
    const rows = await rowsOf(userId);
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.tokenHash)).toEqual(Buffer.from(hashSessionToken(token)));
    expect(rows[0]!.firstSeenAt).toEqual(start);
    expect(rows[0]!.lastSeenAt).toEqual(seconds(start, 60));
  });

  it("knows a browser per account: another account signing in from it is new there", async () => {
    const [first, second] = [await newUser(), await newUser()];
    const token = newToken();
    expect(await rememberBrowser(database.db, first, token)).toBe("new");
    expect(await rememberBrowser(database.db, second, token)).toBe("new");
    expect(await rememberBrowser(database.db, first, newToken())).toBe("new");
  });

  it(`keeps the ${knownBrowsersPerAccount} most recently seen browsers of an account`, async () => {
    const userId = await newUser();
    const start = new Date("2026-12-01T09:00:00Z");
    const tokens = Array.from({ length: knownBrowsersPerAccount + 2 }, newToken);
    for (const [index, token] of tokens.entries()) await rememberBrowser(database.db, userId, token, seconds(start, index));
    expect(await rowsOf(userId)).toHaveLength(knownBrowsersPerAccount);
    // The two seen first were forgotten; the newest is still known.
    expect(await rememberBrowser(database.db, userId, tokens.at(-1)!, seconds(start, 1000))).toBe("known");
    expect(await rememberBrowser(database.db, userId, tokens[0]!, seconds(start, 1001))).toBe("new");
  });
});
