import { randomBytes, randomUUID } from "node:crypto";
import type { RecordRotation } from "@/contract/records";
import { keyCertificates, users } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { createRecords } from "@/lib/records/chart-store";
import { createGrant, type NewGrant } from "./grant-store";

/** Random bytes stand in for ciphertext in database tests: the server treats them as opaque. */
export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A version payload with a well-formed padded envelope (42 bytes of overhead around 256). */
export const versionPayload = (version = 1, keyVersion = 1) => ({
  version,
  keyVersion,
  content: b64(randomBytes(42 + 256)),
  commitment: b64(randomBytes(32)),
  signature: b64(randomBytes(64)),
});

/** A key rotation's version part: the same version re-encrypted under `keyVersion` (no statement: the server keeps the author's). */
export const rotatedVersion = (version: number, keyVersion: number) => ({ version, keyVersion, content: b64(randomBytes(42 + 256)) });

/** The batch the browser would send for the rotations `keyMaintenanceOf` lists: random bytes for the new ciphertext and wraps. */
export const rotationsFor = (tasks: ReadonlyArray<{ recordId: string; currentVersion: number; keyVersion: number; grantIds: string[] }>): RecordRotation[] =>
  tasks.map((task) => ({
    recordId: task.recordId,
    ownerWrap: b64(randomBytes(74)),
    version: rotatedVersion(task.currentVersion, task.keyVersion + 1),
    grantWraps: task.grantIds.map((grantId) => ({ grantId, wrappedKey: b64(randomBytes(74)) })),
  }));

/** A new record for `createRecords`, with random owner wrap and content. */
export const newRecordItem = (grantWraps: Array<{ grantId: string; wrappedKey: string }> = []) => ({
  id: randomUUID(),
  ownerWrap: b64(randomBytes(74)),
  version: versionPayload(),
  grantWraps,
});

/** A grant of `recordIds` (at key version 1) to `clinicianId`, with one wrap per record. */
export const newGrant = (clinicianId: string, recordIds: string[], overrides: Partial<NewGrant> = {}): NewGrant => ({
  grantId: randomUUID(),
  clinicianId,
  scope: "records",
  permission: "read",
  expiresAt: null,
  sealedShareKey: randomBytes(98),
  statement: randomBytes(40),
  signature: randomBytes(64),
  sealedProfile: null,
  recordIds,
  wraps: recordIds.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) })),
  ...overrides,
});

/**
 * Inserts patients and clinicians for a database test. Each clinician gets a current key
 * certificate (random bytes: the server stores it opaque), which sharing with them requires.
 */
export async function insertPeople(db: Database, people: { patients?: string[]; doctors?: string[]; nurses?: string[] }) {
  const clinicians = [...(people.doctors ?? []), ...(people.nurses ?? [])];
  await db
    .insert(users)
    .values([
      ...(people.patients ?? []).map((id) => ({ id, role: "patient" as const })),
      ...(people.doctors ?? []).map((id) => ({ id, role: "doctor" as const })),
      ...(people.nurses ?? []).map((id) => ({ id, role: "nurse" as const })),
    ]);
  if (clinicians.length === 0) return;
  await db.insert(keyCertificates).values(
    clinicians.map((userId) => ({
      id: randomUUID(),
      userId,
      identityPublicKey: randomBytes(32),
      encryptionPublicKey: randomBytes(32),
      certificate: randomBytes(150),
    })),
  );
}

/** A new patient who shares `records` new records with `clinicianId` in one grant; returns the patient's, the grant's and the records' ids. */
export async function newPatientSharing(db: Database, clinicianId: string, records = 2) {
  const patient = randomUUID();
  await insertPeople(db, { patients: [patient] });
  const items = Array.from({ length: records }, () => newRecordItem());
  await createRecords(db, patient, items);
  const grant = newGrant(
    clinicianId,
    items.map((item) => item.id),
    { sealedProfile: randomBytes(60) },
  );
  await createGrant(db, patient, grant);
  return { patient, grantId: grant.grantId, recordIds: items.map((item) => item.id) };
}
