import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditGenesisHash, cryptoReady, verifyAuditSegment } from "@/crypto";
import { adminTrail, auditEvents, sessions, users } from "@/drizzle/schema";
import { codeOf } from "@/lib/app-error-test-helpers";
import { foldAuditInbox } from "@/lib/audit/audit-log";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { activeGrantOf, activeGrantsForClinician, createGrant } from "@/lib/grants/grant-store";
import { insertPeople, newGrant, newRecordItem } from "@/lib/grants/test-fixtures";
import { createRecords } from "@/lib/records/chart-store";
import { tallySecurityEvent } from "@/lib/security-tallies";
import { resolveSession, startSession } from "@/lib/sessions/session-store";
import { disableAccount, enableAccount, listAccounts } from "./account-status";
import { adminEventFields, adminTrailPage, adminTrailRows } from "./admin-trail";
import { adminOverview } from "./overview";

const policy = { idleMs: 60 * 60_000, maxMs: 24 * 60 * 60_000 };
const healthy = async () => ({
  status: "ok" as const,
  database: { kind: "pglite" as const, migrations: { applied: 1, expected: 1, upToDate: true } },
  blobStore: { kind: "file" as const },
});

describe.each(testDatabaseKinds())("the administration console on %s", (kind) => {
  let database: TestDatabase;
  const admin = randomUUID();
  const patient = randomUUID();
  const doctor = randomUUID();
  let grantId: string;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    await database.db.insert(users).values({ id: admin, role: "admin" });
    const batch = [newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, batch);
    const grant = newGrant(
      doctor,
      batch.map((record) => record.id),
    );
    await createGrant(database.db, patient, grant);
    grantId = grant.grantId;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("counts accounts by role, records, storage, active grants and security events, and nothing else", async () => {
    await tallySecurityEvent(database.db, "rate-limited");
    await tallySecurityEvent(database.db, "sign-in-refused");
    await tallySecurityEvent(database.db, "sign-in-refused");
    const overview = await adminOverview(database.db, new Date(), healthy);
    expect(overview.accounts).toEqual({ patient: 1, doctor: 1, nurse: 0, admin: 1, disabled: 0 });
    expect(overview.records).toBe(2);
    expect(overview.storageBytes).toBeGreaterThan(0);
    expect(overview.activeGrants).toBe(1);
    expect(overview.activeLinks).toBe(0);
    expect(overview.rotationQueue).toBe(0);
    expect(overview.security).toMatchObject({ rateLimited: 1, refusedSignIns: 2, refusedRequests: 0 });
    expect(overview.health.report?.status).toBe("ok");
    // An unreachable store is reported, not thrown.
    const { AppError } = await import("@/lib/errors");
    const sick = await adminOverview(database.db, new Date(), () => Promise.reject(new AppError("service-unavailable", "The file store is not reachable.")));
    expect(sick.health).toMatchObject({ report: null, problem: "The file store is not reachable." });
  });

  it("refuses to disable the administrator's own account or an unknown one", async () => {
    expect(await codeOf(disableAccount(database.db, admin, admin))).toBe("conflict");
    expect(await codeOf(disableAccount(database.db, admin, randomUUID()))).toBe("not-found");
    expect(await codeOf(enableAccount(database.db, admin, randomUUID()))).toBe("not-found");
    expect(await adminTrailRows(database.db)).toHaveLength(0);
  });

  it("refuses to disable the last enabled administrator", async () => {
    // Only reachable by an administrator acting on another one while being the only one left enabled: made so here.
    const other = randomUUID();
    await database.db.insert(users).values({ id: other, role: "admin" });
    await database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, admin));
    try {
      expect(await codeOf(disableAccount(database.db, admin, other))).toBe("conflict");
    } finally {
      await database.db.update(users).set({ disabledAt: null }).where(eq(users.id, admin));
      await database.db.delete(users).where(eq(users.id, other));
    }
  });

  it("disabling a clinician ends their sessions at once, refuses new ones, and their grants stop serving", async () => {
    const { token } = await startSession(database.db, doctor, policy);
    expect(await resolveSession(database.db, token, policy)).not.toBeNull();
    expect(await disableAccount(database.db, admin, doctor)).toBe(true);
    const ended = await database.db.select({ endedAt: sessions.endedAt }).from(sessions).where(eq(sessions.userId, doctor));
    expect(ended.every((row) => row.endedAt !== null)).toBe(true);
    expect(await resolveSession(database.db, token, policy)).toBeNull();
    expect(await codeOf(startSession(database.db, doctor, policy))).toBe("account-disabled");
    expect(await codeOf(activeGrantOf(database.db, doctor, grantId))).toBe("not-found");
    expect(await activeGrantsForClinician(database.db, doctor)).toHaveLength(0);
    // Twice changes nothing and writes nothing.
    expect(await disableAccount(database.db, admin, doctor)).toBe(false);
    const overview = await adminOverview(database.db, new Date(), healthy);
    expect(overview.accounts.disabled).toBe(1);
    // The grant itself is the patient's and stays active: it serves again once the clinician is enabled.
    expect(overview.activeGrants).toBe(1);
    expect((await listAccounts(database.db, doctor)).map((row) => [row.userId, row.disabledAt !== null])).toEqual([[doctor, true]]);
    // The short id the console shows finds the account too (organizations name administrators by it).
    expect((await listAccounts(database.db, doctor.slice(0, 8).toUpperCase())).map((row) => row.userId)).toContain(doctor);
  });

  it("enabling serves the grants again and the clinician may sign in", async () => {
    expect(await enableAccount(database.db, admin, doctor)).toBe(true);
    expect(await enableAccount(database.db, admin, doctor)).toBe(false);
    expect((await activeGrantOf(database.db, doctor, grantId)).id).toBe(grantId);
    const { token } = await startSession(database.db, doctor, policy);
    expect(await resolveSession(database.db, token, policy)).not.toBeNull();
  });

  it("chains every action into the administration trail, which verifies, and a change to it does not", async () => {
    const rows = await adminTrailRows(database.db);
    expect(rows.map((row) => [row.seq, row.action, row.actorId, row.subjectId])).toEqual([
      [1, "account-disabled", admin, doctor],
      [2, "account-enabled", admin, doctor],
    ]);
    const fields = rows.map((row) => ({ ...adminEventFields(row), hash: row.hash }));
    expect(verifyAuditSegment({ seq: 0, hash: auditGenesisHash }, fields)).toMatchObject({ ok: true, end: { seq: 2 } });
    const page = await adminTrailPage(database.db, { limit: 100 });
    expect(page.head.seq).toBe(2);
    expect(page.events.map((event) => event.action)).toEqual(["account-disabled", "account-enabled"]);
    expect(await adminTrailPage(database.db, { before: 2, limit: 100 })).toMatchObject({ events: [{ seq: 1 }] });
    // An edited time breaks the chain from there on.
    const tampered = fields.map((event, index) => (index === 0 ? { ...event, occurredAt: event.occurredAt + 1 } : event));
    expect(verifyAuditSegment({ seq: 0, hash: auditGenesisHash }, tampered)).toMatchObject({ ok: false, brokenAt: 0, reason: "hash" });
    // The clinician's own trail says it too.
    await foldAuditInbox(database.db, [doctor]);
    const own = await database.db
      .select({ action: auditEvents.action, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(eq(auditEvents.subjectId, doctor));
    expect(own).toEqual(
      expect.arrayContaining([
        { action: "account-disabled", actorId: admin },
        { action: "account-enabled", actorId: admin },
      ]),
    );
    expect(await database.db.select().from(adminTrail)).toHaveLength(2);
  });
});
