import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventHash, auditGenesisHash, cryptoReady, equalBytes, type AuditEventFields } from "@/crypto";
import { auditEvents, users } from "@/drizzle/schema";
import { appendAudit, foldAuditInbox, storedEventFields } from "@/lib/audit/audit-log";
import { resultRows } from "./client";
import { createTestDatabase, migrationsBefore, testDatabaseKinds, type TestDatabase } from "./test-databases";

// 0010 renames audit_events.patient_id to subject_id: the trails written before it (a
// clinician's included) must come through whole, still chained, still unique per place.
const renameTag = "0010_audit-subject-id";

describe.each(testDatabaseKinds())("migration 0010 (audit_events.subject_id) on %s", (kind) => {
  let database: TestDatabase;
  let olderMigrations: string;
  const patient = randomUUID();
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    olderMigrations = migrationsBefore(renameTag);
    database = await createTestDatabase(kind, olderMigrations);
  });
  afterAll(async () => {
    await database?.dispose();
    rmSync(olderMigrations, { recursive: true, force: true });
  });

  /** Writes a chain the way the code before 0010 did, into patient_id. */
  async function writeOldChain(subjectId: string, actions: string[]) {
    let previous = auditGenesisHash;
    for (const [index, action] of actions.entries()) {
      const fields: AuditEventFields = {
        subjectId,
        seq: index + 1,
        actorId: doctor,
        action,
        recordId: null,
        grantId: null,
        outcome: "success",
        occurredAt: 1_700_000_000_000 + index,
      };
      const hash = auditEventHash(previous, fields);
      await database.db.execute(sql`
        insert into audit_events (patient_id, seq, actor_id, action, outcome, occurred_at, prev_hash, hash)
        values (${subjectId}, ${fields.seq}, ${doctor}, ${action}, 'success', ${new Date(fields.occurredAt).toISOString()}, ${previous}, ${hash})`);
      previous = hash;
    }
    await database.db.execute(sql`insert into audit_heads (subject_id, seq, hash) values (${subjectId}, ${actions.length}, ${previous})`);
  }

  const trailOf = (subjectId: string) => database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq));

  it("renames the column in place: every row, the chain index and the foreign key come through", async () => {
    await database.db.insert(users).values([
      { id: patient, role: "patient" },
      { id: doctor, role: "doctor" },
    ]);
    await writeOldChain(patient, ["grant-created", "record-created"]);
    await writeOldChain(doctor, ["sign-in", "share-key-fetched"]);

    await database.migrate();

    for (const subjectId of [patient, doctor]) {
      const trail = await trailOf(subjectId);
      expect(trail.map((row) => row.seq)).toEqual([1, 2]);
      let previous = auditGenesisHash;
      for (const row of trail) {
        const { hash, ...fields } = storedEventFields(row);
        expect(equalBytes(row.prevHash, previous)).toBe(true);
        expect(equalBytes(auditEventHash(previous, fields), hash)).toBe(true);
        previous = hash;
      }
    }

    const columns = resultRows<{ column_name: string }>(
      await database.db.execute(
        sql`select column_name from information_schema.columns where table_name = 'audit_events' and column_name in ('patient_id', 'subject_id')`,
      ),
    );
    expect(columns.map((column) => column.column_name)).toEqual(["subject_id"]);
    const constraints = resultRows<{ conname: string }>(
      await database.db.execute(sql`select conname from pg_constraint where conrelid = 'audit_events'::regclass and contype = 'f'`),
    );
    expect(constraints.map((constraint) => constraint.conname)).toEqual(["audit_events_subject_id_users_id_fk"]);
    const [chainIndex] = resultRows<{ indexdef: string }>(
      await database.db.execute(sql`select indexdef from pg_indexes where indexname = 'audit_events_chain_idx'`),
    );
    expect(chainIndex?.indexdef).toMatch(/UNIQUE INDEX .*\(subject_id, seq\)/);
  });

  it("keeps appending to the same chains after the rename, and still refuses a second event at one place", async () => {
    await appendAudit(database.db, [{ subjectId: doctor, actorId: doctor, action: "sign-in", outcome: "success" }]);
    // A sign-in's event waits in the audit inbox until the next fold chains it.
    await foldAuditInbox(database.db, [doctor]);
    const trail = await trailOf(doctor);
    expect(trail.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(equalBytes(trail[2]!.prevHash, trail[1]!.hash)).toBe(true);

    const [first] = trail;
    await expect(
      database.db
        .insert(auditEvents)
        .values({ subjectId: doctor, seq: 1, actorId: doctor, action: "sign-in", outcome: "success", prevHash: first!.prevHash, hash: first!.hash }),
    ).rejects.toThrow();
    await expect(
      database.db
        .insert(auditEvents)
        .values({ subjectId: randomUUID(), seq: 1, action: "sign-in", outcome: "success", prevHash: auditGenesisHash, hash: auditGenesisHash }),
    ).rejects.toThrow();
  });
});
