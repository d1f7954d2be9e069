import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users, webauthnChallenges } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { challengeLifetimeMs, consumeChallenge, issueChallenge, sweepChallenges } from "./challenges";

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe.each(testDatabaseKinds())("WebAuthn challenges on %s", (kind) => {
  let database: TestDatabase;
  let userId: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    userId = randomUUID();
    await database.db.insert(users).values({ id: userId, role: "patient" });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("issues 256-bit challenges that expire after five minutes", async () => {
    const now = new Date();
    const issued = await issueChallenge(database.db, "authentication", null, now);
    expect(Buffer.from(issued.challenge, "base64url")).toHaveLength(32);
    expect(issued.expiresAt.getTime() - now.getTime()).toBe(5 * 60_000);
  });

  it("is consumed once only", async () => {
    const { challenge } = await issueChallenge(database.db, "authentication", null);
    await consumeChallenge(database.db, challenge, "authentication", null);
    expect(await refusal(consumeChallenge(database.db, challenge, "authentication", null))).toBe("unauthenticated");
  });

  it("cannot be consumed twice even by racing requests", async () => {
    const { challenge } = await issueChallenge(database.db, "authentication", null);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => consumeChallenge(database.db, challenge, "authentication", null)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  it("is refused once expired", async () => {
    const issuedAt = new Date("2026-05-01T00:00:00Z");
    const { challenge } = await issueChallenge(database.db, "authentication", null, issuedAt);
    const late = new Date(issuedAt.getTime() + challengeLifetimeMs);
    expect(await refusal(consumeChallenge(database.db, challenge, "authentication", null, late))).toBe("unauthenticated");
  });

  it("is refused for another ceremony or another user", async () => {
    const { challenge } = await issueChallenge(database.db, "registration", userId);
    expect(await refusal(consumeChallenge(database.db, challenge, "authentication", null))).toBe("unauthenticated");
    expect(await refusal(consumeChallenge(database.db, challenge, "registration", randomUUID()))).toBe("unauthenticated");
    expect((await consumeChallenge(database.db, challenge, "registration", userId)).userId).toBe(userId);
  });

  it("sweeps expired and consumed challenges, and leaves live ones usable", async () => {
    const now = new Date();
    const live = await issueChallenge(database.db, "authentication", null, now);
    const expired = await issueChallenge(database.db, "authentication", null, new Date(now.getTime() - challengeLifetimeMs));
    const used = await issueChallenge(database.db, "authentication", null, now);
    await consumeChallenge(database.db, used.challenge, "authentication", null, now);
    await sweepChallenges(database.db, now);
    const left = (await database.db.select({ challenge: webauthnChallenges.challenge }).from(webauthnChallenges)).map((row) => row.challenge);
    expect(left).toContain(live.challenge);
    expect(left).not.toContain(expired.challenge);
    expect(left).not.toContain(used.challenge);
    expect(await refusal(consumeChallenge(database.db, used.challenge, "authentication", null, now))).toBe("unauthenticated");
    await consumeChallenge(database.db, live.challenge, "authentication", null, now);
  });
});
