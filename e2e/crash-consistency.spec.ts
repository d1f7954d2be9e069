import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { unlockVault } from "./support/accounts";
import { trailActions, trailEvents } from "./support/audit";
import { CrashServer, freshDatabase, type DatabaseView, type FreshDatabase } from "./support/crash-server";
import { addNote, chooseClinician, newPerson, type Person } from "./support/sharing";
import { storageViolations } from "./support/storage-invariants";
import { e2ePorts } from "./support/ports";

/*
 * The server is killed (SIGKILL: no cleanup, no graceful database close) at chosen points of
 * a file upload, a grant, a revoke and a key rotation, and started again on the same data.
 * Each test checks, in this order:
 *  - all or nothing, in the database itself while the server is down: what the interrupted
 *    request writes is either all there (with its audit event) or none of it is;
 *  - nothing orphaned: the storage invariants (e2e/support/storage-invariants.ts) hold,
 *    apart from a file the test knows to be in flight, and a file left behind is swept;
 *  - retrying completes the operation: the browser finishes it by itself once the server is
 *    back (re-sending the same request, which the server takes once), or the person does
 *    it again after a reload, and the page shows the outcome and a trail that verifies.
 */

/** Embedded PGlite always (the default, and the one whose files a kill could damage); PostgreSQL too when DATABASE_URL is set. */
const databaseKinds = process.env.DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);
/** The server of the group running now (the groups run one after the other). */
let server: CrashServer;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const mebibyte = 1024 * 1024;

interface ChartRow {
  id: string;
  current_version: number;
  key_version: number;
}

/** One patient's stored state, straight from the tables. */
async function stateOf(db: DatabaseView, patientId: string) {
  const [records, versions, ownerWraps, blobs, grants, grantRecords, grantWraps, rotations, events] = await Promise.all([
    db.query<ChartRow>(`select id, current_version, key_version from records where owner_id = $1`, [patientId]),
    db.query<{ record_id: string; version: number; key_version: number; blob_id: string | null }>(
      `select v.record_id, v.version, v.key_version, v.blob_id from record_versions v join records r on r.id = v.record_id where r.owner_id = $1 order by v.version`,
      [patientId],
    ),
    db.query<{ record_id: string; key_version: number }>(
      `select w.record_id, w.key_version from record_key_wraps w join records r on r.id = w.record_id where r.owner_id = $1 and w.grant_id is null`,
      [patientId],
    ),
    db.query<{ id: string; status: string; chunks: number; held: boolean }>(
      `select b.id, b.status, (select count(*) from blob_chunks c where c.blob_id = b.id)::int as chunks,
              exists (select 1 from record_versions v where v.blob_id = b.id) as held
       from blobs b where b.owner_id = $1`,
      [patientId],
    ),
    db.query<{ id: string; revoked: boolean; has_share_key: boolean }>(
      `select id, revoked_at is not null as revoked, sealed_share_key is not null as has_share_key from grants where patient_id = $1`,
      [patientId],
    ),
    db.query<{ grant_id: string; record_id: string }>(
      `select gr.grant_id, gr.record_id from grant_records gr join grants g on g.id = gr.grant_id where g.patient_id = $1`,
      [patientId],
    ),
    db.query<{ grant_id: string; record_id: string; key_version: number }>(
      `select w.grant_id, w.record_id, w.key_version from record_key_wraps w join grants g on g.id = w.grant_id where g.patient_id = $1`,
      [patientId],
    ),
    db.query<{ record_id: string }>(`select record_id from key_rotations where owner_id = $1`, [patientId]),
    db.query<{ action: string; record_id: string | null; grant_id: string | null }>(
      `select action, record_id, grant_id from audit_events where subject_id = $1 order by seq`,
      [patientId],
    ),
  ]);
  const count = (action: string) => events.filter((event) => event.action === action).length;
  return { records, versions, ownerWraps, blobs, grants, grantRecords, grantWraps, rotations: rotations.map((row) => row.record_id), count };
}

type PatientState = Awaited<ReturnType<typeof stateOf>>;

/** Inspects the database of the server that just crashed, and checks that the rest of storage holds together. */
async function afterCrash<T>(
  patient: Person,
  look: (state: PatientState, db: DatabaseView) => T | Promise<T>,
  unheldFiles: (state: PatientState) => string[] = () => [],
) {
  return server.inspect(async (db) => {
    const state = await stateOf(db, patient.userId);
    expect(await storageViolations(db, { unheldFiles: unheldFiles(state) })).toEqual([]);
    return look(state, db);
  });
}

/**
 * Moves a file's last touch two hours back, past the sweeper's grace (30 minutes by default), while
 * the server is down: as if the file had been left that long ago. The server then starts with the
 * grace it normally has, which still protects the uploads the test makes next, and the sweep at its
 * start finds the file, instead of the test waiting out a shortened grace.
 */
async function leftLongAgo(db: DatabaseView, blobId: string) {
  await db.query(`update blobs set touched_at = touched_at - interval '2 hours' where id = $1`, [blobId]);
}

async function openChart(page: Page) {
  await page.getByRole("link", { name: "My records" }).first().click();
  // The tools appear once the chart is decrypted: on a server that has just restarted on a
  // busy machine that can take longer than the default wait.
  await expect(page.getByRole("button", { name: "Add a note" })).toBeVisible({ timeout: 60_000 });
}

/** A page of the stopped server is reloaded: the vault asks for the passkey again. */
async function reloadAndUnlock(page: Page) {
  await page.reload();
  await unlockVault(page);
}

async function uploadFile(page: Page, testInfo: TestInfo, name: string, bytes: Buffer) {
  const file = testInfo.outputPath(name);
  writeFileSync(file, bytes);
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
}

async function expectFileDownloads(page: Page, testInfo: TestInfo, name: string, original: Buffer) {
  await openChart(page);
  await expect(page.getByTestId("group-document").getByRole("button", { name })).toHaveCount(1);
  await page.getByTestId("group-document").getByRole("button", { name }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download decrypted" }).click();
  const saved = testInfo.outputPath(`downloaded-${name}`);
  await (await download).saveAs(saved);
  expect(sha256(readFileSync(saved))).toBe(sha256(original));
}

async function expectTrailVerifies(page: Page) {
  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByTestId("audit-verified")).toBeVisible();
  await expect(page.getByTestId("audit-banner")).toHaveCount(0);
}

const countOf = (actions: string[], action: string) => actions.filter((candidate) => candidate === action).length;

async function chartJson(page: Page) {
  return (
    (await (await page.request.get("/api/records")).json()) as {
      records: Array<{ id: string; keyVersion: number; current: { version: number; blobId: string | null } }>;
    }
  ).records;
}

/** Polls until the owner can no longer find a file: the sweeper removed it. */
async function expectSwept(page: Page, blobId: string) {
  await expect.poll(async () => (await page.request.get(`/api/blobs/${blobId}`)).status(), { timeout: 120_000 }).toBe(404);
}

// Each test builds on the server the one before left running; every test kills and restarts it
// on a possibly busy machine: generous limits, and no timing relied on.
test.describe.configure({ mode: "serial", timeout: 480_000 });

for (const kind of databaseKinds)
  test.describe(`crash consistency on ${kind}`, () => {
    let doctor: Person;
    let database: FreshDatabase | undefined;
    const doctorName = "Dr Carla Crash";
    const signUp = (browser: Parameters<typeof newPerson>[0], name: string) => newPerson(browser, { role: "patient", name }, { baseURL: server.url });

    test.beforeAll(async ({ browser }) => {
      test.setTimeout(480_000);
      database = kind === "postgres" ? await freshDatabase(process.env.DATABASE_URL!) : undefined;
      server = new CrashServer({
        port: kind === "pglite" ? e2ePorts.crashPglite : e2ePorts.crashPostgres,
        dataDir: path.resolve(__dirname, "..", kind === "pglite" ? ".e2e-crash-data" : ".e2e-crash-data-postgres"),
        databaseUrl: database?.url,
      });
      await server.start();
      doctor = await newPerson(
        browser,
        { role: "doctor", name: doctorName, specialty: "Resilience medicine", organization: "Restart Clinic" },
        { baseURL: server.url },
      );
    });

    test.afterAll(async () => {
      await doctor?.close();
      await server?.stop();
      await database?.drop();
    });

    /** A new patient uploads a file with `point` armed; returns once the server has died there. */
    async function uploadUntilCrash(
      browser: Parameters<typeof newPerson>[0],
      testInfo: TestInfo,
      patientName: string,
      point: string,
      fileName: string,
      size: number,
    ) {
      const patient = await signUp(browser, patientName);
      await openChart(patient.page);
      const original = randomBytes(size);
      server.arm(point);
      await uploadFile(patient.page, testInfo, fileName, original);
      await server.crashed(point);
      return { patient, original };
    }

    /** The action happened once in the patient's trail, the trail verifies in their browser; the patient leaves. */
    async function finish(patient: Person, once: string[]) {
      const actions = await trailActions(patient.page);
      expect(once.map((action) => countOf(actions, action))).toEqual(once.map(() => 1));
      await expectTrailVerifies(patient.page);
      await patient.close();
    }

    async function patientWithNotes(browser: Parameters<typeof newPerson>[0], name: string, notes: Array<[title: string, text: string]>) {
      const patient = await signUp(browser, name);
      await openChart(patient.page);
      for (const [title, text] of notes) await addNote(patient.page, title, text);
      return patient;
    }

    async function shareWithDoctor(patient: Person, titles: string[]) {
      await chooseClinician(patient.page, "Resilience", doctorName);
      const form = patient.page.getByTestId("share-form");
      for (const title of titles) await form.getByLabel(title, { exact: true }).check();
      await form.getByRole("button", { name: "Share", exact: true }).click();
    }

    async function revokeDoctor(patient: Person) {
      await patient.page.getByRole("link", { name: "Sharing" }).click();
      patient.page.once("dialog", (dialog) => dialog.accept());
      await patient.page.getByRole("button", { name: `Revoke ${doctorName}` }).click();
    }

    /** What the doctor's page shows of one patient. */
    async function doctorSees(patientName: string) {
      await doctor.page.goto("/shared");
      await unlockVault(doctor.page);
      return doctor.page.getByTestId("shared-patient").filter({ has: doctor.page.getByRole("heading", { name: patientName }) });
    }

    test("upload: a crash after a chunk is stored; the browser resumes the upload once the server is back", async ({ browser }, testInfo) => {
      const { patient, original } = await uploadUntilCrash(browser, testInfo, "Una Upload", "blobs.chunk-stored@2", "resumed-scan.bin", 2 * mebibyte + 500_000);

      const blobId = await afterCrash(
        patient,
        (state) => {
          // At least two of three chunks stored, nothing filed yet. The browser keeps three chunks in
          // flight: on PostgreSQL the third one's row can commit in the moment between the crash
          // point firing after the second and the process dying. Either way the upload is unfinished.
          expect(state.blobs.map((blob) => [blob.status, blob.held])).toEqual([["uploading", false]]);
          expect([2, 3]).toContain(state.blobs[0]!.chunks);
          expect(state.records).toEqual([]);
          expect(state.count("record-created")).toBe(0);
          return state.blobs[0]!.id;
        },
        (state) => state.blobs.map((blob) => blob.id),
      );

      await server.start();
      await expect(patient.page.getByText("resumed-scan.bin was encrypted and saved.")).toBeVisible({ timeout: 180_000 });
      const records = await chartJson(patient.page);
      expect(records.map((record) => record.current.blobId)).toEqual([blobId]);
      await expectFileDownloads(patient.page, testInfo, "resumed-scan.bin", original);
      await finish(patient, ["record-created"]);
    });

    test("upload: a crash inside the record's transaction leaves no record; the abandoned file is swept and uploading again works", async ({
      browser,
    }, testInfo) => {
      const { patient, original } = await uploadUntilCrash(
        browser,
        testInfo,
        "Abe Abandon",
        "records.create.before-commit",
        "abandoned-scan.bin",
        mebibyte + 300_000,
      );
      // The person gives up and closes the page: nothing will come back for this upload.
      await patient.page.goto("about:blank");

      const orphan = await afterCrash(
        patient,
        async (state, db) => {
          expect(state.records).toEqual([]);
          expect(state.versions).toEqual([]);
          expect(state.ownerWraps).toEqual([]);
          expect(state.count("record-created")).toBe(0);
          expect(state.blobs.map((blob) => [blob.status, blob.chunks, blob.held])).toEqual([["complete", 2, false]]);
          await leftLongAgo(db, state.blobs[0]!.id);
          return state.blobs[0]!.id;
        },
        (state) => state.blobs.map((blob) => blob.id),
      );

      await server.start();
      await patient.page.goto("/chart");
      await unlockVault(patient.page);
      await expect(patient.page.getByRole("button", { name: "Add a note" })).toBeVisible();
      // No record holds the file (the page offers to resume or discard the unfinished upload instead).
      await expect(patient.page.getByRole("button", { name: "abandoned-scan.bin", exact: true })).toHaveCount(0);
      await uploadFile(patient.page, testInfo, "abandoned-scan.bin", original);
      await expect(patient.page.getByText("abandoned-scan.bin was encrypted and saved.")).toBeVisible({ timeout: 120_000 });
      await expectFileDownloads(patient.page, testInfo, "abandoned-scan.bin", original);
      const records = await chartJson(patient.page);
      expect(records).toHaveLength(1);
      expect(records[0]!.current.blobId).not.toBe(orphan);
      await expectSwept(patient.page, orphan);
      await finish(patient, ["record-created"]);
    });

    test("upload: a crash after the record's commit; the browser's retry is taken as done, and there is one record", async ({ browser }, testInfo) => {
      const { patient, original } = await uploadUntilCrash(
        browser,
        testInfo,
        "Cleo Committed",
        "records.create.after-commit",
        "committed-scan.bin",
        mebibyte + 300_000,
      );

      const recordId = await afterCrash(patient, (state) => {
        expect(state.records.map((record) => [record.current_version, record.key_version])).toEqual([[1, 1]]);
        expect(state.versions.map((version) => version.blob_id)).toEqual(state.blobs.map((blob) => blob.id));
        expect(state.blobs.map((blob) => [blob.status, blob.held])).toEqual([["complete", true]]);
        expect(state.ownerWraps).toEqual([{ record_id: state.records[0]!.id, key_version: 1 }]);
        expect(state.count("record-created")).toBe(1);
        return state.records[0]!.id;
      });

      await server.start();
      await expect(patient.page.getByText("committed-scan.bin was encrypted and saved.")).toBeVisible({ timeout: 180_000 });
      expect((await chartJson(patient.page)).map((record) => record.id)).toEqual([recordId]);
      await expectFileDownloads(patient.page, testInfo, "committed-scan.bin", original);
      await finish(patient, ["record-created"]);
    });

    for (const when of ["before-commit", "after-commit"] as const) {
      test(`grant: a crash ${when === "before-commit" ? "inside the grant's transaction leaves no grant" : "after the grant's commit leaves the whole grant"}; the browser's retry completes it once`, async ({
        browser,
      }) => {
        const patientName = when === "before-commit" ? "Gus Grant" : "Greta Granted";
        const patient = await patientWithNotes(browser, patientName, [
          ["Thyroid results", "TSH 2.1 mU/L."],
          ["Private diary", "Not for the clinic."],
        ]);
        const point = `grants.create.${when}`;
        server.arm(point);
        await shareWithDoctor(patient, ["Thyroid results"]);
        await server.crashed(point);

        await afterCrash(patient, (state) => {
          if (when === "before-commit") {
            expect(state.grants).toEqual([]);
            expect(state.grantRecords).toEqual([]);
            expect(state.grantWraps).toEqual([]);
            expect(state.count("grant-created")).toBe(0);
          } else {
            expect(state.grants.map((grant) => [grant.revoked, grant.has_share_key])).toEqual([[false, true]]);
            expect(state.grantRecords).toHaveLength(1);
            expect(state.grantWraps).toEqual([{ grant_id: state.grants[0]!.id, record_id: state.grantRecords[0]!.record_id, key_version: 1 }]);
            expect(state.count("grant-created")).toBe(1);
          }
        });

        await server.start();
        await expect(patient.page.getByText(`Shared with ${doctorName}.`)).toBeVisible({ timeout: 180_000 });
        await expect(patient.page.getByTestId("grant-row")).toHaveCount(1);
        await expect(patient.page.getByTestId("grant-row")).toContainText("1 record · read only");
        const { grants } = (await (await patient.page.request.get("/api/grants")).json()) as { grants: Array<{ revokedAt: string | null }> };
        expect(grants.map((grant) => grant.revokedAt)).toEqual([null]);
        const shared = await doctorSees(patientName);
        await shared.getByRole("button", { name: "Thyroid results" }).click();
        await expect(shared).toContainText("TSH 2.1 mU/L.");
        await expect(shared.getByRole("button", { name: "Private diary" })).toHaveCount(0);
        await finish(patient, ["grant-created"]);
      });
    }

    for (const when of ["before-commit", "after-commit"] as const) {
      test(`revoke: a crash ${when === "before-commit" ? "inside the revoke's transaction leaves the grant active" : "after the revoke's commit leaves it revoked with its rotations queued"}; the browser's retry completes it once`, async ({
        browser,
      }) => {
        const patientName = when === "before-commit" ? "Rhea Revoke" : "Rory Revoked";
        const patient = await patientWithNotes(browser, patientName, [
          ["Blood pressure log", "128/82 mmHg."],
          ["Sleep study", "Mild apnoea."],
        ]);
        await shareWithDoctor(patient, ["Blood pressure log", "Sleep study"]);
        await expect(patient.page.getByText(`Shared with ${doctorName}.`)).toBeVisible();
        const shared = await doctorSees(patientName);
        await expect(shared.getByRole("button", { name: "Sleep study" })).toBeVisible();
        const { grants } = (await (await doctor.page.request.get("/api/shared")).json()) as { grants: Array<{ grantId: string; patientId: string }> };
        const grantId = grants.find((grant) => grant.patientId === patient.userId)!.grantId;

        const point = `grants.revoke.${when}`;
        server.arm(point);
        await revokeDoctor(patient);
        await server.crashed(point);

        const recordIds = await afterCrash(patient, (state) => {
          expect(state.grants.map((grant) => grant.id)).toEqual([grantId]);
          if (when === "before-commit") {
            expect(state.grants.map((grant) => [grant.revoked, grant.has_share_key])).toEqual([[false, true]]);
            expect(state.grantWraps).toHaveLength(2);
            expect(state.rotations).toEqual([]);
            expect(state.count("grant-revoked")).toBe(0);
          } else {
            expect(state.grants.map((grant) => [grant.revoked, grant.has_share_key])).toEqual([[true, false]]);
            expect(state.grantWraps).toEqual([]);
            expect(state.rotations.sort()).toEqual(state.records.map((record) => record.id).sort());
            expect(state.count("grant-revoked")).toBe(1);
          }
          return state.records.map((record) => record.id);
        });

        await server.start();
        await expect(patient.page.getByText(`${doctorName} no longer has any access to your records.`)).toBeVisible({ timeout: 180_000 });
        await expect(patient.page.getByTestId("key-maintenance")).toContainText("2 records now use new keys", { timeout: 120_000 });
        expect((await doctor.page.request.get(`/api/shared/${grantId}/records`)).status()).toBe(404);
        const records = await chartJson(patient.page);
        expect(records.map((record) => [record.id, record.keyVersion]).sort()).toEqual(recordIds.map((id) => [id, 2]).sort());
        // One rotation event per batch, naming the records it moved: both, once.
        const rotated = (await trailEvents(patient.page)).filter((event) => event.action === "record-key-rotated");
        expect(rotated.flatMap((event) => (event.recordId ? [event.recordId] : (event.recordIds ?? []))).sort()).toEqual([...recordIds].sort());
        await finish(patient, ["grant-revoked"]);
      });
    }

    test("revoke one record: a crash inside its transaction leaves it shared; the browser's retry takes it out once", async ({ browser }) => {
      const patientName = "Reza Record";
      const patient = await patientWithNotes(browser, patientName, [
        ["Allergy letter", "Penicillin rash in 2019."],
        ["Knee scan", "Meniscus tear."],
      ]);
      await shareWithDoctor(patient, ["Allergy letter", "Knee scan"]);
      await expect(patient.page.getByText(`Shared with ${doctorName}.`)).toBeVisible();
      server.arm("grants.revoke-record.before-commit");
      await patient.page.getByTestId("grant-row").getByRole("button", { name: "Show records" }).click();
      patient.page.once("dialog", (dialog) => dialog.accept());
      await patient.page.getByRole("button", { name: `Stop sharing Knee scan with ${doctorName}` }).click();
      await server.crashed("grants.revoke-record.before-commit");

      await afterCrash(patient, (state) => {
        expect(state.grants.map((grant) => [grant.revoked, grant.has_share_key])).toEqual([[false, true]]);
        expect(state.grantRecords).toHaveLength(2);
        expect(state.grantWraps).toHaveLength(2);
        expect(state.rotations).toEqual([]);
        expect(state.count("grant-record-revoked")).toBe(0);
      });

      await server.start();
      await expect(patient.page.getByText(`${doctorName} can no longer open "Knee scan".`)).toBeVisible({ timeout: 180_000 });
      await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 120_000 });
      const shared = await doctorSees(patientName);
      await expect(shared.getByRole("button", { name: "Allergy letter" })).toBeVisible();
      await expect(shared.getByRole("button", { name: "Knee scan" })).toHaveCount(0);
      expect((await chartJson(patient.page)).map((record) => record.keyVersion).sort()).toEqual([1, 2]);
      expect(countOf(await trailActions(patient.page), "record-key-rotated")).toBe(1);
      await finish(patient, ["grant-record-revoked"]);
    });

    /** A patient with one file shared with the doctor; returns the file's record, its blob and its bytes. */
    async function patientWithSharedFile(browser: Parameters<typeof newPerson>[0], testInfo: TestInfo, name: string) {
      const patient = await signUp(browser, name);
      await openChart(patient.page);
      const original = randomBytes(mebibyte + 200_000);
      await uploadFile(patient.page, testInfo, "echo-report.bin", original);
      await expect(patient.page.getByText("echo-report.bin was encrypted and saved.")).toBeVisible({ timeout: 120_000 });
      await shareWithDoctor(patient, ["echo-report.bin"]);
      await expect(patient.page.getByText(`Shared with ${doctorName}.`)).toBeVisible();
      const [record] = await chartJson(patient.page);
      return { patient, original, recordId: record!.id, oldBlobId: record!.current.blobId! };
    }

    const newFiles = (oldBlobId: string) => (state: PatientState) => state.blobs.filter((blob) => blob.id !== oldBlobId).map((blob) => blob.id);

    /** The record is still on its old key and version, queued for rotation, with the re-encrypted file stored but held by nothing; returns that file. */
    function rotationNotApplied(state: PatientState, recordId: string, oldBlobId: string) {
      expect(state.records.map((record) => [record.id, record.current_version, record.key_version])).toEqual([[recordId, 1, 1]]);
      expect(state.versions.map((version) => [version.version, version.blob_id])).toEqual([[1, oldBlobId]]);
      expect(state.ownerWraps.map((wrap) => wrap.key_version)).toEqual([1]);
      expect(state.rotations).toEqual([recordId]);
      expect(state.count("record-key-rotated")).toBe(0);
      const fresh = state.blobs.filter((blob) => blob.id !== oldBlobId);
      expect(fresh.map((blob) => [blob.status, blob.held])).toEqual([["complete", false]]);
      return fresh[0]!.id;
    }

    test("rotation: a crash right after the new file is stored; the browser finishes the upload and the rotation once the server is back", async ({
      browser,
    }, testInfo) => {
      const { patient, original, recordId, oldBlobId } = await patientWithSharedFile(browser, testInfo, "Kai Keystore");
      server.arm("blobs.upload-completed");
      await revokeDoctor(patient);
      await server.crashed("blobs.upload-completed");

      const newBlobId = await afterCrash(patient, (state) => rotationNotApplied(state, recordId, oldBlobId), newFiles(oldBlobId));

      await server.start();
      await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 180_000 });
      const [record] = await chartJson(patient.page);
      expect([record!.keyVersion, record!.current.blobId]).toEqual([2, newBlobId]);
      await expectFileDownloads(patient.page, testInfo, "echo-report.bin", original);
      await finish(patient, ["record-key-rotated"]);
    });

    test("rotation: a crash inside the rotation's transaction leaves the old key; the new file is swept and the rotation resumes after a reload", async ({
      browser,
    }, testInfo) => {
      const { patient, original, recordId, oldBlobId } = await patientWithSharedFile(browser, testInfo, "Rosa Rotate");
      server.arm("records.rotate.before-commit");
      await revokeDoctor(patient);
      await server.crashed("records.rotate.before-commit");

      const orphan = await afterCrash(
        patient,
        async (state, db) => {
          const file = rotationNotApplied(state, recordId, oldBlobId);
          await leftLongAgo(db, file);
          return file;
        },
        newFiles(oldBlobId),
      );

      // The rotation gave up with the server gone; a later visit resumes it.
      await expect(patient.page.getByTestId("key-maintenance")).toContainText("will be tried again");
      await server.start();
      await reloadAndUnlock(patient.page);
      await expect(patient.page.getByTestId("key-maintenance")).toContainText("1 record now uses a new key", { timeout: 180_000 });
      const [record] = await chartJson(patient.page);
      expect(record!.keyVersion).toBe(2);
      expect([oldBlobId, orphan]).not.toContain(record!.current.blobId);
      await expectFileDownloads(patient.page, testInfo, "echo-report.bin", original);
      await expectSwept(patient.page, orphan);
      // The file under the old key went with the rotation's transaction: no version holds it any more.
      expect((await patient.page.request.get(`/api/blobs/${oldBlobId}`)).status()).toBe(404);
      await finish(patient, ["record-key-rotated"]);
    });

    test("rotation: a crash after the rotation's commit leaves the record on its new key, which the owner opens", async ({ browser }, testInfo) => {
      const { patient, original, recordId, oldBlobId } = await patientWithSharedFile(browser, testInfo, "Theo Turned");
      server.arm("records.rotate.after-commit");
      await revokeDoctor(patient);
      await server.crashed("records.rotate.after-commit");

      const newBlobId = await afterCrash(patient, (state) => {
        // Rotated in place: the same version, under the next key.
        expect(state.records.map((record) => [record.id, record.current_version, record.key_version])).toEqual([[recordId, 1, 2]]);
        expect(state.versions).toHaveLength(1);
        const current = state.versions.find((version) => version.version === 1)!;
        expect(current.key_version).toBe(2);
        expect(current.blob_id).not.toBe(oldBlobId);
        expect(state.ownerWraps.map((wrap) => wrap.key_version).sort()).toEqual([1, 2]);
        expect(state.rotations).toEqual([]);
        expect(state.blobs.every((blob) => blob.held && blob.status === "complete")).toBe(true);
        expect(state.count("record-key-rotated")).toBe(1);
        return current.blob_id;
      });

      await server.start();
      await reloadAndUnlock(patient.page);
      await expectFileDownloads(patient.page, testInfo, "echo-report.bin", original);
      const [record] = await chartJson(patient.page);
      expect([record!.keyVersion, record!.current.blobId]).toEqual([2, newBlobId]);
      expect(((await (await patient.page.request.get("/api/me/key-maintenance")).json()) as { rotations: unknown[] }).rotations).toEqual([]);
      await finish(patient, ["record-key-rotated"]);
    });

    test("after every crash above, storage holds together: no orphan, no half-done rotation, every trail verifies", async () => {
      await server.stop();
      await server.inspect(async (db) => {
        expect(await storageViolations(db)).toEqual([]);
        expect(await db.query(`select record_id from key_rotations`)).toEqual([]);
        expect(await db.query(`select id from blobs where status <> 'complete'`)).toEqual([]);
      });
    });
  });
