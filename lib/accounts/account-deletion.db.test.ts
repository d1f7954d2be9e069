import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, EnvelopeKind } from "@/crypto";
import {
  departedAuditEvents,
  encryptedKeyBundles,
  keyCertificates,
  passkeyCredentials,
  rateLimitBuckets,
  recoveryVerifiers,
  sessions,
  users,
  vaultKeyWraps,
  webauthnChallenges,
} from "@/drizzle/schema";
import { foldAuditInbox } from "@/lib/audit/audit-log";
import { actionsBy } from "@/lib/audit/trail-store";
import type { BlobStore } from "@/lib/blobs/blob-store";
import { chunkedBlobStore } from "@/lib/blobs/chunked-blob-store";
import { fileChunkBodies } from "@/lib/blobs/file-chunk-bodies";
import { findTraces, type RawQuery } from "@/lib/db/account-traces";
import { rememberBrowser } from "@/lib/sessions/known-browsers";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { activeGrantsForClinician, createGrant, fetchSharedRecords, revokeGrant } from "@/lib/grants/grant-store";
import { noticesOfRecipient } from "@/lib/notices/notice-store";
import { insertPeople, newGrant, newRecordItem, versionPayload } from "@/lib/grants/test-fixtures";
import { insertLink } from "@/lib/links/link-store";
import { contributeRecord } from "@/lib/grants/contributions";
import { chartOf, createRecords } from "@/lib/records/chart-store";
import { startImport } from "@/lib/records/import-store";
import { deleteAccount } from "./account-deletion";

const roomy = { quotaBytes: 1024 ** 4, unfinishedUploadsMax: 100 };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

describe.each(testDatabaseKinds())("deleting an account on %s", (kind) => {
  let database: TestDatabase;
  let store: BlobStore;
  let blobDir: string;
  let query: RawQuery;

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    blobDir = mkdtempSync(path.join(tmpdir(), "hsc-leave-"));
    store = chunkedBlobStore(database.db, fileChunkBodies(blobDir));
    query = async <Row>(text: string) => {
      const result = (await database.db.execute(sql.raw(text))) as unknown;
      return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
    };
  });
  afterAll(async () => {
    await database?.dispose();
    rmSync(blobDir, { recursive: true, force: true });
  });

  /** A complete one-chunk file of `ownerId`'s. */
  async function uploadFile(ownerId: string): Promise<string> {
    const id = randomUUID();
    await store.create({ id, ownerId, chunkSize: 1024, chunkCount: 1 });
    await store.putChunk({ blobId: id, index: 0, data: randomBytes(1024) });
    await store.markComplete(id, 1024);
    return id;
  }

  /** The account's sign-in material, as sign-up and a sign-in leave it, plus rate-limit rows naming it. */
  async function accountMaterial(userId: string) {
    const passkeyId = b64(randomBytes(16));
    const sessionId = randomUUID();
    await database.db.insert(passkeyCredentials).values({
      id: passkeyId,
      userId,
      publicKey: randomBytes(77),
      deviceType: "singleDevice",
      backedUp: false,
      prfCapable: true,
      name: "Laptop",
    });
    await database.db
      .insert(vaultKeyWraps)
      .values({ id: randomUUID(), userId, method: "prf", credentialId: passkeyId, salt: randomBytes(32), wrappedKey: randomBytes(72) });
    await database.db.insert(encryptedKeyBundles).values({ userId, bundle: randomBytes(300) });
    const recoveryKey = randomBytes(32);
    await database.db.insert(recoveryVerifiers).values({ userId, publicKey: recoveryKey });
    await database.db.insert(sessions).values({ id: sessionId, userId, tokenHash: randomBytes(32), expiresAt: new Date(Date.now() + 3600_000) });
    await rememberBrowser(database.db, userId, randomBytes(32).toString("base64url"));
    await database.db
      .insert(webauthnChallenges)
      .values({ id: randomUUID(), challenge: b64(randomBytes(32)), ceremony: "fresh-proof", userId, expiresAt: new Date(Date.now() + 60_000) });
    await database.db.insert(rateLimitBuckets).values([
      { key: `auth:address-account:198.51.100.7|${passkeyId}`, windowStart: new Date(), count: 1 },
      { key: `auth:address-account:198.51.100.7|recovery:${b64(recoveryKey)}`, windowStart: new Date(), count: 1 },
      { key: `links:create:${userId}`, windowStart: new Date(), count: 1 },
    ]);
    return { passkeyId, sessionId };
  }

  it("removes every row and file byte of a patient with records, a file, a grant and a link; the clinician is cut off; the trail is kept under a new id", async () => {
    const patient = randomUUID();
    const other = randomUUID();
    const doctor = randomUUID();
    await insertPeople(database.db, { patients: [patient, other], doctors: [doctor] });
    await database.db.insert(keyCertificates).values({
      id: randomUUID(),
      userId: patient,
      identityPublicKey: randomBytes(32),
      encryptionPublicKey: randomBytes(32),
      certificate: randomBytes(150),
    });
    const { passkeyId, sessionId } = await accountMaterial(patient);

    const fileId = await uploadFile(patient);
    const note = newRecordItem();
    const file = { ...newRecordItem(), version: { ...versionPayload(), blobId: fileId } };
    await createRecords(database.db, patient, [note, file]);
    const grant = newGrant(doctor, [note.id, file.id]);
    await createGrant(database.db, patient, grant);
    const link = await insertLink(
      database.db,
      store,
      patient,
      {
        id: randomUUID(),
        shlId: b64(randomBytes(32)),
        flag: "U",
        passcodeHash: null,
        attempts: 10,
        expiresAt: new Date(Date.now() + 3600_000),
        contentType: "application/fhir+json",
        jwe: new TextEncoder().encode(`eyJhbGciOiJkaXIifQ..${"a".repeat(16)}.${"b".repeat(200)}.${"c".repeat(22)}`),
        sealedLabel: randomBytes(60),
      },
      roomy,
    );
    const { importId } = await startImport(database.db, patient);
    const [linkRow] = await query<{ blob_id: string }>(`select blob_id from shl_links where id = '${link.id}'`);
    const jweBlobId = linkRow!.blob_id;
    // The doctor opens what was shared: events in the patient's trail naming the doctor.
    expect((await fetchSharedRecords(database.db, doctor, grant.grantId)).records).toHaveLength(2);
    await foldAuditInbox(database.db, [patient]);
    // Someone else's data, which must not move.
    const otherNote = newRecordItem();
    await createRecords(database.db, other, [otherNote]);
    const before = await query<{ n: number }>(`select count(*)::int as n from audit_events where subject_id = '${patient}'`);
    expect(before[0]!.n).toBeGreaterThan(0);
    const bytesOf = (blobId: string) => readdirSync(blobDir).filter((name) => name.includes(blobId));
    expect(bytesOf(fileId)).not.toHaveLength(0);

    // The scan sees the account where it lives before the deletion (so an empty answer after it means something).
    expect((await findTraces(query, { "user id": patient, "file id": fileId })).map((trace) => trace.table)).toEqual(
      expect.arrayContaining([
        "users",
        "records",
        "record_versions",
        "grants",
        "blobs",
        "blob_chunks",
        "shl_links",
        "passkey_credentials",
        "sessions",
        "known_browsers",
        "audit_events",
        "audit_heads",
        "rate_limit_buckets",
        "imports",
        "webauthn_challenges",
      ]),
    );

    const deletion = await deleteAccount(database.db, store, patient);

    const traces = await findTraces(
      query,
      { "user id": patient, "file id": fileId, "link JWE id": jweBlobId, "passkey id": passkeyId, "session id": sessionId, "import id": importId },
      {},
    );
    expect(traces).toEqual([]);
    // Record, grant and link ids are kept only in the departed trail (what was accessed), nowhere else.
    const kept = { "note id": note.id, "file record id": file.id, "grant id": grant.grantId, "link id": link.id };
    expect(await findTraces(query, kept, Object.fromEntries(Object.keys(kept).map((what) => [what, ["departed_audit_events"]])))).toEqual([]);
    expect(bytesOf(fileId)).toEqual([]);
    expect(bytesOf(jweBlobId)).toEqual([]);

    // The doctor is cut off.
    await expect(fetchSharedRecords(database.db, doctor, grant.grantId)).rejects.toMatchObject({ code: "not-found" });
    expect(await activeGrantsForClinician(database.db, doctor)).toEqual([]);

    // The trail, in the stated form: under the new id, the person's own actions under it too, the doctor's kept.
    const trail = await database.db
      .select()
      .from(departedAuditEvents)
      .where(eq(departedAuditEvents.trailId, deletion.trailId))
      .orderBy(departedAuditEvents.seq);
    expect(trail).toHaveLength(before[0]!.n);
    expect(deletion.keptEvents).toBe(trail.length);
    expect(trail.map((event) => event.seq)).toEqual(trail.map((_, index) => index + 1));
    expect(trail.find((event) => event.action === "grant-created")!.actorId).toBe(deletion.trailId);
    expect(trail.filter((event) => event.actorId === doctor).map((event) => event.action)).toContain("records-received");
    expect(new Set(trail.map((event) => event.actorId))).toEqual(new Set([deletion.trailId, doctor]));
    const keepYears = trail[0]!.keepUntil.getUTCFullYear() - trail[0]!.departedAt.getUTCFullYear();
    expect(keepYears).toBe(6);
    expect(Object.keys(trail[0]!)).not.toContain("hash");

    // The other patient's chart is as it was.
    expect((await chartOf(database.db, other)).records.map((record) => record.id)).toEqual([otherNote.id]);
    await expect(deleteAccount(database.db, store, patient)).rejects.toMatchObject({ code: "not-found" });
  });

  it("a clinician who wrote into a patient's chart leaves a stub: the disabled user row and the key certificates that check the signatures", async () => {
    const patient = randomUUID();
    const nurse = randomUUID();
    await insertPeople(database.db, { patients: [patient], nurses: [nurse] });
    const { passkeyId } = await accountMaterial(nurse);
    const note = newRecordItem();
    await createRecords(database.db, patient, [note]);
    const grant = newGrant(nurse, [note.id], { permission: "contribute" });
    await createGrant(database.db, patient, grant);
    const contributed = randomUUID();
    await contributeRecord(database.db, nurse, grant.grantId, {
      id: contributed,
      sealedOwnerKey: b64(Buffer.from([1, EnvelopeKind.sealedRecordKey, ...randomBytes(120)])),
      grantWrap: b64(randomBytes(74)),
      version: versionPayload(),
    });

    await deleteAccount(database.db, store, nurse);

    const [stub] = await database.db.select().from(users).where(eq(users.id, nurse));
    expect(stub?.disabledAt).not.toBeNull();
    expect(await database.db.select().from(keyCertificates).where(eq(keyCertificates.userId, nurse))).toHaveLength(1);
    const traces = await findTraces(
      query,
      { "nurse id": nurse, "passkey id": passkeyId, "grant id": grant.grantId },
      {
        "nurse id": ["users", "key_certificates", "record_versions", "departed_audit_events", "audit_events"],
        "grant id": ["audit_events"],
      },
    );
    expect(traces).toEqual([]);
    // The patient's chart keeps the nurse's note, and the records the nurse could open wait for new keys.
    expect((await chartOf(database.db, patient)).records.map((record) => record.id).sort()).toEqual([note.id, contributed].sort());
    expect(await query(`select record_id from key_rotations where owner_id = '${patient}'`)).toHaveLength(2);
  });

  it("tells each patient whose live grant ended with a departing clinician: an event in their trail and a notice, and nothing for a grant already revoked", async () => {
    const [patient, otherPatient, doctor] = [randomUUID(), randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient, otherPatient], doctors: [doctor] });
    const [note, otherNote] = [newRecordItem(), newRecordItem()];
    await createRecords(database.db, patient, [note]);
    await createRecords(database.db, otherPatient, [otherNote]);
    const live = newGrant(doctor, [note.id]);
    const revoked = newGrant(doctor, [otherNote.id]);
    await createGrant(database.db, patient, live);
    await createGrant(database.db, otherPatient, revoked);
    await revokeGrant(database.db, otherPatient, revoked.grantId);

    await deleteAccount(database.db, store, doctor);

    const departed = async (subject: string) => {
      await foldAuditInbox(database.db, [subject]);
      return query<{ actor_id: string; grant_id: string }>(
        `select actor_id, grant_id from audit_events where subject_id = '${subject}' and action = 'grant-holder-departed'`,
      );
    };
    expect(await departed(patient)).toEqual([{ actor_id: doctor, grant_id: live.grantId }]);
    expect(await departed(otherPatient)).toEqual([]);
    // The notice says a clinician left, without the departed account's id (others' notices forget it).
    const { notices } = await noticesOfRecipient(database.db, patient);
    expect(notices.map((notice) => [notice.kind, notice.actorId, notice.grantId])).toEqual([["clinician-left", null, null]]);
    expect((await noticesOfRecipient(database.db, otherPatient)).notices.filter((notice) => notice.kind === "clinician-left")).toEqual([]);
  });

  it("a clinician's own history keeps what they received from a patient who then deleted their account, without that patient's id", async () => {
    const [patient, doctor] = [randomUUID(), randomUUID()];
    await insertPeople(database.db, { patients: [patient], doctors: [doctor] });
    const note = newRecordItem();
    await createRecords(database.db, patient, [note]);
    const grant = newGrant(doctor, [note.id]);
    await createGrant(database.db, patient, grant);
    await fetchSharedRecords(database.db, doctor, grant.grantId);
    const before = (await actionsBy(database.db, doctor)).events;
    expect(before.map((event) => [event.subjectId, event.action])).toEqual([[patient, "records-received"]]);

    await deleteAccount(database.db, store, patient);

    const after = (await actionsBy(database.db, doctor)).events;
    expect(after.map((event) => [event.subjectId, event.action, event.recordIds, event.occurredAt])).toEqual([
      [null, "records-received", [note.id], before[0]!.occurredAt],
    ]);
  });
});
