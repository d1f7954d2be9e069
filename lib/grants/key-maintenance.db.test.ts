import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, EnvelopeKind } from "@/crypto";
import { keyRotations, recordKeyWraps, records, recordVersions } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { codeOf } from "@/lib/app-error-test-helpers";
import { createRecords, versionsOf } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";
import { contributeRecord } from "./contributions";
import {
  activeGrantOf,
  addGrantWraps,
  createGrant,
  grantsOfPatient,
  recordsUnderGrant,
  revokeGrant,
  revokeRecordFromGrant,
  type NewGrant,
} from "./grant-store";
import { keyMaintenanceOf } from "./key-maintenance";
import { b64, insertPeople, newGrant, rotatedVersion, versionPayload } from "./test-fixtures";

const version = versionPayload;
const sealedToOwner = () => {
  const bytes = randomBytes(2 + 48 + 120);
  bytes[0] = 1;
  bytes[1] = EnvelopeKind.sealedRecordKey;
  return b64(bytes);
};

describe.each(testDatabaseKinds())("keeping sharing exact on %s", (kind) => {
  let database: TestDatabase;
  const patient = randomUUID();
  const doctor = randomUUID();
  const nurse = randomUUID();

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await insertPeople(database.db, { patients: [patient], doctors: [doctor], nurses: [nurse] });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newRecords(count: number, grantWraps: Array<{ grantId: string; wrappedKey: string }> = []) {
    const batch = Array.from({ length: count }, () => ({ id: randomUUID(), ownerWrap: b64(randomBytes(74)), version: version(), grantWraps }));
    await createRecords(database.db, patient, batch);
    return batch.map((record) => record.id);
  }

  const grantOf = (recordIds: string[], overrides: Partial<NewGrant> = {}) => newGrant(doctor, recordIds, overrides);

  const wrapsOf = (grantId: string) => database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.grantId, grantId));

  it("wraps a new record for every 'all records' grant in the same request, and refuses a request that misses one", async () => {
    const [first] = await newRecords(1);
    const all = grantOf([], { scope: "all", wraps: [{ recordId: first!, keyVersion: 1, wrappedKey: randomBytes(74) }] });
    await createGrant(database.db, patient, all);
    expect(await codeOf(newRecords(1))).toBe("conflict");
    const [later] = await newRecords(1, [{ grantId: all.grantId, wrappedKey: b64(randomBytes(74)) }]);
    expect((await recordsUnderGrant(database.db, all.grantId)).map((record) => record.id).sort()).toEqual([first, later].sort());
    await revokeGrant(database.db, patient, all.grantId);
    await newRecords(1);
  });

  it("takes one record out of a grant, queues it for rotation, and leaves the rest shared", async () => {
    const ids = await newRecords(2);
    const grant = grantOf(ids);
    await createGrant(database.db, patient, grant);
    await revokeRecordFromGrant(database.db, patient, grant.grantId, ids[0]!);
    expect((await wrapsOf(grant.grantId)).map((wrap) => wrap.recordId)).toEqual([ids[1]]);
    expect((await grantsOfPatient(database.db, patient)).find((row) => row.id === grant.grantId)?.recordIds).toEqual([ids[1]]);
    const queued = await database.db.select().from(keyRotations).where(eq(keyRotations.recordId, ids[0]!));
    expect(queued).toHaveLength(1);
    expect(await codeOf(revokeRecordFromGrant(database.db, doctor, grant.grantId, ids[1]!))).toBe("not-found");
    await revokeGrant(database.db, patient, grant.grantId);
  });

  it("rotates a record after a revoke in place: same version, author, commitment and signature; new key version; wraps only for grants still covering it; old owner wraps kept", async () => {
    const [id] = await newRecords(1);
    const [before] = await database.db.select().from(recordVersions).where(eq(recordVersions.recordId, id!));
    const revoked = grantOf([id!]);
    const kept = grantOf([id!], { clinicianId: nurse });
    await createGrant(database.db, patient, revoked);
    await createGrant(database.db, patient, kept);
    await revokeGrant(database.db, patient, revoked.grantId);
    const maintenance = await keyMaintenanceOf(database.db, patient);
    const task = maintenance.rotations.find((rotation) => rotation.recordId === id);
    expect(task?.grantIds).toEqual([kept.grantId]);
    expect(task?.keyVersion).toBe(1);

    const payload = { ownerWrap: b64(randomBytes(74)), version: rotatedVersion(1, 2), grantWraps: [] as Array<{ grantId: string; wrappedKey: string }> };
    const keptWrap = [{ grantId: kept.grantId, wrappedKey: b64(randomBytes(74)) }];
    expect(await codeOf(rotateRecordKey(database.db, patient, id!, payload))).toBe("conflict");
    // Not a rotation: the same key version, or a version that does not exist yet.
    expect(await codeOf(rotateRecordKey(database.db, patient, id!, { ...payload, version: rotatedVersion(1, 1), grantWraps: keptWrap }))).toBe("conflict");
    expect(await codeOf(rotateRecordKey(database.db, patient, id!, { ...payload, version: rotatedVersion(2, 2), grantWraps: keptWrap }))).toBe("conflict");
    await rotateRecordKey(database.db, patient, id!, { ...payload, grantWraps: keptWrap });

    const [record] = await database.db.select().from(records).where(eq(records.id, id!));
    expect([record?.currentVersion, record?.keyVersion]).toEqual([1, 2]);
    const after = await database.db.select().from(recordVersions).where(eq(recordVersions.recordId, id!));
    expect(after).toHaveLength(1);
    expect([after[0]!.authorId, Buffer.from(after[0]!.commitment), Buffer.from(after[0]!.signature), after[0]!.keyVersion]).toEqual([
      before!.authorId,
      Buffer.from(before!.commitment),
      Buffer.from(before!.signature),
      2,
    ]);
    expect(Buffer.from(after[0]!.contentCiphertext).equals(Buffer.from(before!.contentCiphertext))).toBe(false);
    expect((await wrapsOf(kept.grantId)).map((wrap) => [wrap.recordId, wrap.keyVersion])).toEqual([[id, 2]]);
    const ownerWraps = await database.db
      .select()
      .from(recordKeyWraps)
      .where(and(eq(recordKeyWraps.recordId, id!), isNull(recordKeyWraps.grantId)));
    expect(ownerWraps.map((wrap) => wrap.keyVersion).sort()).toEqual([1, 2]);
    expect((await versionsOf(database.db, patient, id!)).ownerWraps.map((wrap) => wrap.keyVersion).sort()).toEqual([1, 2]);
    expect((await keyMaintenanceOf(database.db, patient)).rotations.map((rotation) => rotation.recordId)).not.toContain(id);
    await revokeGrant(database.db, patient, kept.grantId);
  });

  it("closes expired grants at the patient's next visit and queues their records", async () => {
    const [id] = await newRecords(1);
    const grant = grantOf([id!], { expiresAt: new Date(Date.now() + 60_000) });
    await createGrant(database.db, patient, grant);
    const later = new Date(Date.now() + 120_000);
    const maintenance = await keyMaintenanceOf(database.db, patient, later);
    expect(maintenance.rotations.map((rotation) => rotation.recordId)).toContain(id);
    expect(await wrapsOf(grant.grantId)).toEqual([]);
    expect(await codeOf(activeGrantOf(database.db, doctor, grant.grantId))).toBe("not-found");
  });

  it("lets a contributing clinician write into the chart, and the patient's browser add the missing wraps", async () => {
    const readOnly = grantOf([]);
    readOnly.recordIds = await newRecords(1);
    readOnly.wraps = readOnly.recordIds.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) }));
    await createGrant(database.db, patient, readOnly);
    const note = { id: randomUUID(), sealedOwnerKey: sealedToOwner(), grantWrap: b64(randomBytes(74)), version: version() };
    expect(await codeOf(contributeRecord(database.db, doctor, readOnly.grantId, note))).toBe("forbidden");
    expect(await codeOf(contributeRecord(database.db, nurse, readOnly.grantId, note))).toBe("not-found");

    const contribute = grantOf(readOnly.recordIds, { permission: "contribute" });
    await createGrant(database.db, patient, contribute);
    const all = grantOf([], { scope: "all", clinicianId: nurse, wraps: [] });
    const owned = await database.db.select({ id: records.id, keyVersion: records.keyVersion }).from(records).where(eq(records.ownerId, patient));
    all.wraps = owned.map((record) => ({ recordId: record.id, keyVersion: record.keyVersion, wrappedKey: randomBytes(74) }));
    await createGrant(database.db, patient, all);

    expect(await codeOf(contributeRecord(database.db, doctor, contribute.grantId, { ...note, sealedOwnerKey: b64(randomBytes(170)) }))).toBe("invalid-input");
    await contributeRecord(database.db, doctor, contribute.grantId, note);
    const [stored] = await database.db.select().from(records).where(eq(records.id, note.id));
    expect(stored?.ownerId).toBe(patient);
    expect((await recordsUnderGrant(database.db, contribute.grantId)).map((record) => record.id)).toContain(note.id);

    const maintenance = await keyMaintenanceOf(database.db, patient);
    expect(maintenance.missingWraps).toEqual([{ grantId: all.grantId, recordId: note.id, keyVersion: 1, ownerWrap: note.sealedOwnerKey }]);
    expect(
      await codeOf(addGrantWraps(database.db, patient, [{ grantId: readOnly.grantId, recordId: note.id, keyVersion: 1, wrappedKey: randomBytes(74) }])),
    ).toBe("conflict");
    await addGrantWraps(database.db, patient, [{ grantId: all.grantId, recordId: note.id, keyVersion: 1, wrappedKey: randomBytes(74) }]);
    expect((await keyMaintenanceOf(database.db, patient)).missingWraps).toEqual([]);
    expect((await recordsUnderGrant(database.db, all.grantId)).map((record) => record.id)).toContain(note.id);
  });

  it("records when a clinician last opened what was shared", async () => {
    const [id] = await newRecords(
      1,
      (await grantsOfPatient(database.db, patient))
        .filter((row) => row.scope === "all" && !row.revokedAt)
        .map((row) => ({ grantId: row.id, wrappedKey: b64(randomBytes(74)) })),
    );
    const grant = grantOf([id!]);
    await createGrant(database.db, patient, grant);
    const openedAt = new Date("2026-11-25T10:00:00Z");
    await recordsUnderGrant(database.db, grant.grantId, openedAt);
    expect((await grantsOfPatient(database.db, patient)).find((row) => row.id === grant.grantId)?.lastOpenedAt).toEqual(openedAt);
  });
});
