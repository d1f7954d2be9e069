import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import * as schema from "@/drizzle/schema";
import { sharedRoutes } from "@/contract/sharing";
import { countingDatabase } from "@/lib/db/counting-database";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { addVersion, createRecords } from "@/lib/records/chart-store";
import { createGrant } from "./grant-store";
import { receivedGrantsOf, sharedRecordsOf } from "./shared-store";
import { insertPeople, newGrant, newRecordItem, versionPayload } from "./test-fixtures";

describe.each(testDatabaseKinds())("what a clinician receives, on %s", (kind) => {
  let database: TestDatabase;
  const doctor = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { doctors: [doctor] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** A new patient sharing `records` records, each with `versions` versions, with the doctor; returns the grant id. */
  async function patientSharing(records: number, versions = 3): Promise<string> {
    const patient = randomUUID();
    await insertPeople(database.db, { patients: [patient] });
    const items = Array.from({ length: records }, () => newRecordItem());
    await createRecords(database.db, patient, items);
    for (const item of items) {
      for (let version = 2; version <= versions; version += 1) await addVersion(database.db, patient, item.id, versionPayload(version, 1));
    }
    const grant = newGrant(
      doctor,
      items.map((item) => item.id),
      { sealedProfile: randomBytes(60) },
    );
    await createGrant(database.db, patient, grant);
    return grant.grantId;
  }

  it("loads the records under a grant, every version's statement included, in the same number of statements for 3 records as for 30", async () => {
    const counting = countingDatabase(database);
    const few = await patientSharing(3);
    const many = await patientSharing(30);
    const statementsFor = (grantId: string) => counting.count((db) => sharedRecordsOf(db, doctor, grantId));
    const [forFew, forMany] = [await statementsFor(few), await statementsFor(many)];
    process.stdout.write(`GET /api/shared/[grantId]/records: ${forFew} statements for 3 records, ${forMany} for 30 (${kind})` + "\n");
    expect(forMany).toBe(forFew);

    const served = sharedRoutes.records.response.parse(await sharedRecordsOf(database.db, doctor, many));
    expect(served.records).toHaveLength(30);
    for (const record of served.records) expect(record.statements.map((statement) => statement.version)).toEqual([1, 2, 3]);
  }, 120_000);

  it("lists the grants made to a clinician, each with its patient's keys, in the same number of statements for 3 grants as for 30", async () => {
    const clinician = randomUUID();
    await insertPeople(database.db, { doctors: [clinician] });
    // Three patients (the audit trail updates one head per patient), sharing once each, then ten times each.
    const patients = [randomUUID(), randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients });
    await database.db.insert(schema.keyCertificates).values(
      patients.map((userId) => ({
        id: randomUUID(),
        userId,
        identityPublicKey: randomBytes(32),
        encryptionPublicKey: randomBytes(32),
        certificate: randomBytes(150),
      })),
    );
    const items = new Map<string, ReturnType<typeof newRecordItem>>(patients.map((patient) => [patient, newRecordItem()]));
    for (const [patient, item] of items) await createRecords(database.db, patient, [item]);
    const shareEach = async (times: number) => {
      for (const [patient, item] of items) {
        for (let time = 0; time < times; time += 1) await createGrant(database.db, patient, newGrant(clinician, [item.id]));
      }
    };
    const counting = countingDatabase(database);
    await shareEach(1);
    const forFew = await counting.count((db) => receivedGrantsOf(db, clinician));
    await shareEach(9);
    const forMany = await counting.count((db) => receivedGrantsOf(db, clinician));
    process.stdout.write(`GET /api/shared: ${forFew} statements for 3 grants, ${forMany} for 30 (${kind})` + "\n");
    expect(forMany).toBe(forFew);

    const served = sharedRoutes.list.response.parse(await receivedGrantsOf(database.db, clinician));
    expect(served.grants).toHaveLength(30);
    for (const grant of served.grants) {
      expect(grant.patientKeys.userId).toBe(grant.patientId);
      expect(grant.recordIds).toEqual([items.get(grant.patientId)!.id]);
    }
  }, 120_000);
});
