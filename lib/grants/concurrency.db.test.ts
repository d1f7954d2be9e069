import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, verifyAuditChain } from "@/crypto";
import { auditEvents, grants, recordKeyWraps } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { storedEventFields } from "@/lib/audit/audit-log";
import { createRecords } from "@/lib/records/chart-store";
import { createGrant, fetchSharedRecords, revokeGrant } from "./grant-store";
import { insertPeople, newGrant, newRecordItem } from "./test-fixtures";

describe.each(testDatabaseKinds())("two devices granting and revoking at once on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const doctor = randomUUID();
  let recordIds: string[];

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const batch = Array.from({ length: 3 }, () => newRecordItem());
    await createRecords(database.db, patient, batch);
    recordIds = batch.map((record) => record.id);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  const grantOf = () => newGrant(doctor, recordIds);

  it("never lets a concurrent grant or read undo a revoke, and records both actions", async () => {
    for (let round = 0; round < 5; round++) {
      const first = grantOf();
      await createGrant(database.db, patient, first);
      const second = grantOf();
      const reads = Array.from({ length: 4 }, () =>
        fetchSharedRecords(database.db, doctor, first.grantId).then(
          (page) => page.records.length,
          (error: unknown) => (error instanceof AppError && error.code === "not-found" ? "refused" : Promise.reject(error)),
        ),
      );
      const [revoked, granted, ...outcomes] = await Promise.allSettled([
        revokeGrant(database.db, patient, first.grantId),
        createGrant(database.db, patient, second),
        ...reads,
      ]);
      expect([revoked.status, granted.status]).toEqual(["fulfilled", "fulfilled"]);
      // A read saw the whole grant (before the revoke committed) or nothing: refused, or an empty list when the
      // revoke committed between its grant check and its (single-statement, so all-or-nothing) read of the wraps.
      for (const outcome of outcomes) expect(outcome.status === "fulfilled" && [3, 0, "refused"].includes(outcome.value as number | string)).toBe(true);

      const [firstRow] = await database.db.select().from(grants).where(eq(grants.id, first.grantId));
      expect(firstRow?.revokedAt).toBeInstanceOf(Date);
      expect(firstRow?.sealedShareKey).toBeNull();
      expect(await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, first.grantId))).toEqual([]);
      expect(await fetchSharedRecords(database.db, doctor, first.grantId).catch((error: AppError) => error.code)).toBe("not-found");
      expect((await fetchSharedRecords(database.db, doctor, second.grantId)).records.length).toBe(3);
      await revokeGrant(database.db, patient, second.grantId);

      const trail = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, patient)).orderBy(asc(auditEvents.seq));
      const actions = trail.map((event) => `${event.action}:${event.grantId}`);
      expect(actions).toContain(`grant-revoked:${first.grantId}`);
      expect(actions).toContain(`grant-created:${second.grantId}`);
      expect(verifyAuditChain(trail.map(storedEventFields)).ok).toBe(true);
    }
  });
});
