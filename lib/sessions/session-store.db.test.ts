import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import {
  endOtherSessions,
  endSession,
  hashSessionToken,
  listActiveSessions,
  markSessionVerified,
  resolveSession,
  sessionTouchIntervalMs,
  startSession,
} from "./session-store";
import { requireFreshProof } from "@/lib/auth/fresh-proof";
import { AppError } from "@/lib/errors";

const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };
const minutes = (date: Date, count: number) => new Date(date.getTime() + count * 60_000);
const seconds = (date: Date, count: number) => new Date(date.getTime() + count * 1000);

describe.each(testDatabaseKinds())("sessions on %s", (kind) => {
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

  it("stores only the token's hash", async () => {
    const { token, sessionId } = await startSession(database.db, userId, policy);
    const [row] = await database.db.select().from(sessions).where(eq(sessions.id, sessionId));
    expect(Buffer.from(row!.tokenHash)).toEqual(Buffer.from(hashSessionToken(token)));
    expect(Buffer.from(row!.tokenHash).toString("utf8")).not.toContain(token);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });

  it("resolves an active session and keeps it alive while it is used", async () => {
    const start = new Date("2026-03-01T10:00:00Z");
    const { token } = await startSession(database.db, userId, policy, start);
    expect(await resolveSession(database.db, token, policy, minutes(start, 20))).toMatchObject({ userId, role: "patient" });
    expect(await resolveSession(database.db, token, policy, minutes(start, 45))).not.toBeNull();
  });

  it("starts verified (every session follows a verified passkey ceremony) and records a later fresh proof", async () => {
    const start = new Date("2026-03-02T10:00:00Z");
    const { token, sessionId } = await startSession(database.db, userId, policy, start);
    const started = (await resolveSession(database.db, token, policy, minutes(start, 1)))!;
    expect(started.verifiedAt).toEqual(start);
    // The default window is five minutes (FRESH_PROOF_MINUTES).
    expect(() => requireFreshProof(started, minutes(start, 5))).not.toThrow();
    const stale = (await resolveSession(database.db, token, policy, minutes(start, 6)))!;
    const refusal = (() => {
      try {
        requireFreshProof(stale, seconds(minutes(start, 5), 1));
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe("fresh-proof-required");
    await markSessionVerified(database.db, sessionId, minutes(start, 7));
    const proven = (await resolveSession(database.db, token, policy, minutes(start, 8)))!;
    expect(proven.verifiedAt).toEqual(minutes(start, 7));
    expect(() => requireFreshProof(proven, minutes(start, 8))).not.toThrow();
    // A session with no verification on record (one from before fresh proofs) is never fresh.
    expect(() => requireFreshProof({ verifiedAt: null }, start)).toThrow(AppError);
  });

  it("does not mark an ended session verified", async () => {
    const { token, sessionId } = await startSession(database.db, userId, policy);
    await endSession(database.db, sessionId);
    await markSessionVerified(database.db, sessionId);
    expect(await resolveSession(database.db, token, policy)).toBeNull();
    const [row] = await database.db.select({ endedAt: sessions.endedAt }).from(sessions).where(eq(sessions.id, sessionId));
    expect(row!.endedAt).not.toBeNull();
  });

  it("writes the last-seen time once per touch interval, not on every request", async () => {
    expect(sessionTouchIntervalMs(policy)).toBe(60_000);
    expect(sessionTouchIntervalMs({ idleMs: 3000, maxMs: 3_600_000 })).toBe(300);
    const start = new Date("2026-03-04T10:00:00Z");
    const { token, sessionId } = await startSession(database.db, userId, policy, start);
    const lastSeen = async () => (await database.db.select({ at: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, sessionId)))[0]!.at;
    // Two resolves within the interval: neither writes.
    expect(await resolveSession(database.db, token, policy, seconds(start, 20))).not.toBeNull();
    expect(await resolveSession(database.db, token, policy, seconds(start, 50))).not.toBeNull();
    expect(await lastSeen()).toEqual(start);
    // Past it, one write; the next resolve within the new interval writes nothing again.
    expect(await resolveSession(database.db, token, policy, seconds(start, 70))).not.toBeNull();
    expect(await lastSeen()).toEqual(seconds(start, 70));
    expect(await resolveSession(database.db, token, policy, seconds(start, 100))).not.toBeNull();
    expect(await lastSeen()).toEqual(seconds(start, 70));
    // A late request carrying an older clock never moves the time backwards.
    expect(await resolveSession(database.db, token, policy, seconds(start, 69))).not.toBeNull();
    expect(await lastSeen()).toEqual(seconds(start, 70));
  });

  it("still ends a session idle since its last written touch", async () => {
    const start = new Date("2026-03-05T10:00:00Z");
    const { token } = await startSession(database.db, userId, policy, start);
    // Used every 40 s for 20 minutes: touched every other request, never idle.
    for (let second = 40; second <= 20 * 60; second += 40) {
      expect(await resolveSession(database.db, token, policy, seconds(start, second))).not.toBeNull();
    }
    // The last written touch was at most a minute before the last use; 31 minutes after that use it has ended.
    expect(await resolveSession(database.db, token, policy, minutes(start, 20 + 31))).toBeNull();
    expect(await resolveSession(database.db, token, policy, minutes(start, 20 + 32))).toBeNull();
  });

  it("lists a session as last seen at its last written touch", async () => {
    const owner = randomUUID();
    await database.db.insert(users).values({ id: owner, role: "patient" });
    const start = new Date("2026-03-06T10:00:00Z");
    const session = await startSession(database.db, owner, policy, start);
    await resolveSession(database.db, session.token, policy, seconds(start, 30));
    await resolveSession(database.db, session.token, policy, minutes(start, 5));
    const listed = await listActiveSessions(database.db, owner, session.sessionId, policy, minutes(start, 6));
    expect(listed).toEqual([{ id: session.sessionId, createdAt: start, lastSeenAt: minutes(start, 5), current: true }]);
    // Idle past the timeout since that touch: no longer listed.
    expect(await listActiveSessions(database.db, owner, session.sessionId, policy, minutes(start, 36))).toEqual([]);
  });

  it("ends a session after the idle timeout, for good", async () => {
    const start = new Date("2026-03-02T10:00:00Z");
    const { token } = await startSession(database.db, userId, policy, start);
    expect(await resolveSession(database.db, token, policy, minutes(start, 31))).toBeNull();
    expect(await resolveSession(database.db, token, policy, minutes(start, 32))).toBeNull();
  });

  it("ends a session at its absolute lifetime however active", async () => {
    const start = new Date("2026-03-03T00:00:00Z");
    const { token } = await startSession(database.db, userId, policy, start);
    for (let minute = 20; minute < 12 * 60; minute += 20) {
      expect(await resolveSession(database.db, token, policy, minutes(start, minute))).not.toBeNull();
    }
    expect(await resolveSession(database.db, token, policy, minutes(start, 12 * 60))).toBeNull();
  });

  it("refuses unknown tokens and ended sessions", async () => {
    expect(await resolveSession(database.db, "not-a-token", policy)).toBeNull();
    const { token, sessionId } = await startSession(database.db, userId, policy);
    await endSession(database.db, sessionId);
    expect(await resolveSession(database.db, token, policy)).toBeNull();
  });

  it("lists active sessions and ends the others", async () => {
    const otherUser = randomUUID();
    await database.db.insert(users).values({ id: otherUser, role: "doctor" });
    const current = await startSession(database.db, otherUser, policy);
    const second = await startSession(database.db, otherUser, policy);
    const listed = await listActiveSessions(database.db, otherUser, current.sessionId, policy);
    expect(listed.map((session) => session.current).sort()).toEqual([false, true]);
    expect(await endOtherSessions(database.db, otherUser, current.sessionId)).toBe(1);
    expect(await resolveSession(database.db, second.token, policy)).toBeNull();
    expect(await resolveSession(database.db, current.token, policy)).not.toBeNull();
  });
});
