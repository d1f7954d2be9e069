import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditGenesisHash, cryptoReady } from "@/crypto";
import { auditEvents, auditHeads, careTeamMembers } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import { insertPeople } from "@/lib/grants/test-fixtures";
import { resultRows } from "./client";
import { lockAccount, lockCareTeam } from "./row-locks";
import { createTestDatabase, type TestDatabase } from "./test-databases";

/*
 * The row locks that serialise an account's or a team's work must not make inserts that only name
 * the row wait (their foreign-key checks), or a lock holder that then waits for such an inserter
 * deadlocks with it. Two connections at once: PostgreSQL only (PGlite is one connection).
 */
const adminUrl = process.env.DATABASE_URL;

describe.skipIf(!adminUrl)("row locks on PostgreSQL", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => database?.dispose());

  /** Resolves once some other backend of this database waits on a lock or sits in an open transaction after `from`. */
  async function untilOtherTransactionSettles(since: string) {
    for (let tries = 0; tries < 500; tries++) {
      const [row] = resultRows<{ settled: number }>(
        await database.db.execute(sql`
          select count(*)::int as settled from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and query like ${`%${since}%`}
            and (wait_event_type = 'Lock' or state = 'idle in transaction')`),
      );
      if (row!.settled > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the other transaction never reached its insert");
  }

  it("a first audit event written under the owner's lock does not deadlock with the fold creating the same head", async () => {
    const { db } = database;
    const patient = randomUUID();
    await insertPeople(db, { patients: [patient] });
    let releaseFold!: () => void;
    const foldMayCommit = new Promise<void>((resolve) => (releaseFold = resolve));

    const outcome = await db.transaction(async (save) => {
      // A record save: the owner's row first (the quota's lock), then the person's first audit event.
      expect(await lockAccount(save, patient)).toMatchObject({ role: "patient", disabledAt: null });
      // Meanwhile the fold creates the same person's head (its first step for a chain not started), and holds it.
      const fold = db.transaction(async (tx) => {
        await tx.execute(sql`insert into audit_heads (subject_id, seq, hash) values (${patient}, 0, ${auditGenesisHash}) on conflict do nothing`);
        await foldMayCommit;
      });
      await untilOtherTransactionSettles("insert into audit_heads");
      const append = appendAudit(save, [{ subjectId: patient, actorId: patient, action: "record-created", outcome: "success" }]);
      releaseFold();
      // Under FOR UPDATE the fold's foreign-key check waited on the save, the save's head insert on the fold: 40P01.
      return Promise.allSettled([fold, append]);
    });

    expect(outcome.map((result) => (result.status === "rejected" ? String((result.reason as Error).cause ?? result.reason) : "ok"))).toEqual(["ok", "ok"]);
    expect(await db.select().from(auditHeads).where(eq(auditHeads.subjectId, patient))).toHaveLength(1);
    expect(await db.select({ seq: auditEvents.seq }).from(auditEvents).where(eq(auditEvents.subjectId, patient))).toEqual([{ seq: 1 }]);
  });

  it("while a lock is held, inserts naming the account or team go ahead and a second locker waits", async () => {
    const { db } = database;
    const doctor = randomUUID();
    await insertPeople(db, { doctors: [doctor] });
    const organizationId = randomUUID();
    const teamId = randomUUID();
    await db.execute(sql`insert into organizations (id, name) values (${organizationId}, 'Riverside')`);
    await db.execute(sql`insert into care_teams (id, organization_id, name, key_version) values (${teamId}, ${organizationId}, 'Ward 7', 1)`);

    await db.transaction(async (holder) => {
      await lockAccount(holder, doctor);
      expect(await lockCareTeam(holder, teamId)).toMatchObject({ id: teamId });
      // Another connection, that gives up after 2 s of waiting on a lock.
      const other = <T>(work: Parameters<typeof db.transaction<T>>[0]) =>
        db.transaction(async (tx) => {
          await tx.execute(sql`set local lock_timeout = '2s'`);
          return work(tx);
        });
      await other((tx) => tx.insert(auditHeads).values({ subjectId: doctor, seq: 0, hash: auditGenesisHash }));
      await other((tx) => tx.insert(careTeamMembers).values({ teamId, userId: doctor }));
      // The locks still serialise their lockers: a second one gives up waiting (55P03, lock_not_available).
      await expect(other((tx) => lockAccount(tx, doctor))).rejects.toMatchObject({ cause: { code: "55P03" } });
      await expect(other((tx) => lockCareTeam(tx, teamId))).rejects.toMatchObject({ cause: { code: "55P03" } });
    });
  });

  it("says there is no such account or team", async () => {
    await database.db.transaction(async (tx) => {
      expect(await lockAccount(tx, randomUUID())).toBeUndefined();
      expect(await lockCareTeam(tx, randomUUID())).toBeUndefined();
    });
  });
});
