import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { rateLimitBuckets } from "@/drizzle/schema";
import { countAttempt, enforceRateLimits, longestWindowSeconds, sweepRateLimitBuckets, type RateLimitRule } from "./rate-limit";

const rule: RateLimitRule = { name: "test", limit: 3, windowSeconds: 60 };

describe.each(testDatabaseKinds())("rate limits on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("allows up to the limit in a window, then refuses with the time left", async () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const outcomes = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      outcomes.push(await countAttempt(database.db, rule, "subject-a", new Date(start.getTime() + attempt * 1000)));
    }
    expect(outcomes.map((outcome) => outcome.allowed)).toEqual([true, true, true, false]);
    expect(outcomes[3]?.retryAfterSeconds).toBe(57);
  });

  it("starts a new window once the old one has passed", async () => {
    const start = new Date("2026-01-02T00:00:00Z");
    for (let attempt = 0; attempt < 4; attempt++) await countAttempt(database.db, rule, "subject-b", start);
    const later = await countAttempt(database.db, rule, "subject-b", new Date(start.getTime() + 61_000));
    expect(later).toMatchObject({ allowed: true, remaining: 2 });
  });

  it("counts concurrent attempts exactly", async () => {
    const now = new Date("2026-01-03T00:00:00Z");
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => countAttempt(database.db, { ...rule, limit: 5 }, "subject-c", now)));
    expect(outcomes.filter((outcome) => outcome.allowed)).toHaveLength(5);
  });

  it("keeps subjects apart and throws 429 with Retry-After when any rule is exceeded", async () => {
    const now = new Date("2026-01-04T00:00:00Z");
    const checks = [
      { rule: { ...rule, name: "address", limit: 100 }, subject: "203.0.113.9" },
      { rule: { ...rule, name: "account", limit: 1 }, subject: "user-1" },
    ];
    await enforceRateLimits(database.db, checks, now);
    const error = await enforceRateLimits(database.db, checks, now).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("rate-limited");
    expect((error as AppError).details.retryAfterSeconds).toBe(60);
    await enforceRateLimits(database.db, [{ rule: checks[1]!.rule, subject: "user-2" }], now);
  });

  it("says how long to wait, in plain words, from the Retry-After it carries, and where the attempts came from", async () => {
    const start = new Date("2026-01-06T00:00:00Z");
    const perAddress = { name: "auth:address", limit: 1, windowSeconds: 600 };
    await enforceRateLimits(database.db, [{ rule: perAddress, subject: "198.51.100.7" }], start);
    const later = new Date(start.getTime() + 61_000);
    const error = (await enforceRateLimits(database.db, [{ rule: perAddress, subject: "198.51.100.7" }], later).catch((caught: unknown) => caught)) as AppError;
    expect(error.details.retryAfterSeconds).toBe(539);
    expect(error.message).toBe("Too many attempts from this network. Try again in 9 minutes.");
    const searches = { name: "directory:account", limit: 0, windowSeconds: 3600, refusal: "Too many searches from this account" };
    const searchError = (await enforceRateLimits(database.db, [{ rule: searches, subject: "user-9" }], start).catch((caught: unknown) => caught)) as AppError;
    expect(searchError.message).toBe("Too many searches from this account. Try again in 1 hour.");
    expect(error.message + searchError.message).not.toMatch(/a moment/);
  });

  it("sweeps buckets whose window has ended for every rule, and keeps the counts still running", async () => {
    const now = new Date("2026-01-05T12:00:00Z");
    const hourAgo = new Date(now.getTime() - longestWindowSeconds * 1000);
    await countAttempt(database.db, rule, "stale-1", new Date(hourAgo.getTime() - 1000));
    await countAttempt(database.db, rule, "stale-2", hourAgo);
    for (let attempt = 0; attempt < 3; attempt++)
      await countAttempt(database.db, { ...rule, windowSeconds: 3600 }, "running", new Date(hourAgo.getTime() + 1000));
    await sweepRateLimitBuckets(database.db, now);
    const keys = (await database.db.select({ key: rateLimitBuckets.key }).from(rateLimitBuckets)).map((row) => row.key);
    expect(keys).not.toContain("test:stale-1");
    expect(keys).not.toContain("test:stale-2");
    // The running window still counts: the fourth attempt is refused.
    expect((await countAttempt(database.db, { ...rule, windowSeconds: 3600 }, "running", now)).allowed).toBe(false);
  });

  it("refuses a rule whose window outlasts the sweep", async () => {
    await expect(countAttempt(database.db, { ...rule, windowSeconds: longestWindowSeconds + 1 }, "x")).rejects.toThrow(/longer than/);
  });
});
