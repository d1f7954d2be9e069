import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { expect, test, type Page, type TestInfo } from "./support/test";
import { trailActions, trailEvents } from "./support/audit";
import { CrashServer, freshDatabase, type DatabaseView, type FreshDatabase } from "./support/crash-server";
import { LoadBalancer } from "./support/load-balancer";
import { startObjectStore, type ObjectStore } from "./support/object-store";
import { addNote, chooseClinician, newPerson, type Person } from "./support/sharing";
import { storageViolations } from "./support/storage-invariants";
import { e2ePorts } from "./support/ports";

/*
 * Two app servers of one build on one PostgreSQL database and one S3-compatible object store
 * (s3rver, started here), behind HAProxy on loopback, as the README's "Deployment" section
 * describes. Everything a person does goes through the balancer, which sends each request to
 * either server in turn; the servers trust its X-Forwarded-For (TRUST_PROXY). One server is
 * killed (SIGKILL, at a crash point of lib/crash-points.ts: a chosen moment, not a lucky one)
 * in the middle of an upload, and after and inside a key-rotation batch; the other finishes
 * the work, and the database shows it done exactly once. For those, the other server is
 * drained first (HAProxy's runtime API: no new requests) so that the interrupted request
 * surely reaches the one that dies; it is put back in the rotation once that one is dead.
 * First, the other side of the rule: the embedded database (PGlite) belongs to one server,
 * and a second one on it refuses to start.
 */

const root = path.resolve(__dirname, "..");
const balancerPort = e2ePorts.balancer;
const names = ["one", "two"] as const;
type InstanceName = (typeof names)[number];
const portOf = (name: InstanceName) => ({ one: e2ePorts.instanceOne, two: e2ePorts.instanceTwo })[name];
const mebibyte = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const doctorName = "Dr Bea Balance";

let database: FreshDatabase;
let sql: postgres.Sql;
let balancer: LoadBalancer;
let objectStore: ObjectStore;
const instances = {} as Record<InstanceName, CrashServer>;
let doctor: Person;
/** Which server answered each request the browsers made (HAProxy's `x-served-by`), counted. */
const servedBy = new Map<string, number>();

const view: DatabaseView = { query: async <Row>(text: string, params: unknown[] = []) => (await sql.unsafe(text, params as never[])) as unknown as Row[] };

/** Signs a person up through the balancer and counts which server answers each of their requests from then on. */
async function person(browser: Parameters<typeof newPerson>[0], input: Parameters<typeof newPerson>[1]) {
  const someone = await newPerson(browser, input, { baseURL: balancer.url });
  someone.page.context().on("response", (response) => {
    const server = response.headers()["x-served-by"];
    if (server) servedBy.set(server, (servedBy.get(server) ?? 0) + 1);
  });
  return someone;
}

async function openChart(page: Page) {
  await page.getByRole("link", { name: "My records" }).first().click();
  await expect(page.getByRole("button", { name: "Add a note" })).toBeVisible({ timeout: 60_000 });
}

async function uploadFile(page: Page, testInfo: TestInfo, name: string, bytes: Buffer) {
  const file = testInfo.outputPath(name);
  writeFileSync(file, bytes);
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
}

/** Downloads the file through the page and checks that it decrypts to the original bytes. */
async function expectFileDownloads(page: Page, testInfo: TestInfo, name: string, original: Buffer) {
  await openChart(page);
  await page.getByTestId("group-document").getByRole("button", { name }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download decrypted" }).click();
  const saved = testInfo.outputPath(`downloaded-${name}`);
  await (await download).saveAs(saved);
  expect(sha256(readFileSync(saved))).toBe(sha256(original));
}

async function shareWithDoctor(patient: Person, titles: string[]) {
  await chooseClinician(patient.page, "Balance", doctorName);
  const form = patient.page.getByTestId("share-form");
  for (const title of titles) await form.getByLabel(title, { exact: true }).check();
  await form.getByRole("button", { name: "Share", exact: true }).click();
  await expect(patient.page.getByText(`Shared with ${doctorName}.`)).toBeVisible();
}

async function revokeDoctor(patient: Person) {
  await patient.page.getByRole("link", { name: "Sharing" }).click();
  patient.page.once("dialog", (dialog) => dialog.accept());
  await patient.page.getByRole("button", { name: `Revoke ${doctorName}` }).click();
}

/** What the doctor's page shows of one patient. */
async function doctorSees(patientName: string) {
  await doctor.page.goto("/shared");
  await doctor.page.getByRole("button", { name: "Unlock with passkey" }).click();
  return doctor.page.getByTestId("shared-patient").filter({ has: doctor.page.getByRole("heading", { name: patientName }) });
}

/** The patient's records as stored, with how many times each was created and rotated according to their audit trail. */
async function storedRecords(patientId: string) {
  return view.query<{ id: string; key_version: number; created: number; rotated: number; pending: boolean }>(
    `select r.id, r.key_version,
            (select count(*) from audit_events e where e.subject_id = r.owner_id and e.record_id = r.id and e.action = 'record-created')::int as created,
            (select count(*) from audit_events e where e.subject_id = r.owner_id and (e.record_id = r.id or r.id = any(e.record_ids)) and e.action = 'record-key-rotated')::int as rotated,
            exists (select 1 from key_rotations k where k.record_id = r.id) as pending
     from records r where r.owner_id = $1 order by r.created_at`,
    [patientId],
  );
}

/** The server is killed at `point`; once it is dead the drained one takes requests again. Then the dead one is started again. */
async function killedAt(dying: InstanceName, point: string, action: () => Promise<void>, afterDeath: () => Promise<void>) {
  const other = names.find((name) => name !== dying)!;
  await balancer.setState(other, "drain");
  instances[dying].arm(point);
  await action();
  await instances[dying].crashed(point);
  await balancer.setState(other, "ready");
  await afterDeath();
  await instances[dying].start();
  await balancer.waitUntilUp(dying);
}

test("a second server on the embedded database of a running one refuses to start, saying why and what to do", async () => {
  // The suite's own server (playwright.config.ts) holds .e2e-data; this one is started on it beside it.
  const second = spawn(process.execPath, [path.join(root, "scripts", "server.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(e2ePorts.secondOnEmbedded),
      DATA_DIR: ".e2e-data",
      DATABASE_URL: "",
      APP_ORIGIN: `http://localhost:${e2ePorts.secondOnEmbedded}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [second.stdout, second.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => second.on("exit", resolve));
  expect(code).toBe(1);
  expect(output).toContain("Health Safe Cloud cannot start: the embedded database in");
  expect(output).toContain("PGlite serves one process");
  expect(output).toContain("set DATABASE_URL");
  // The first server is untouched.
  expect((await fetch(`http://localhost:${e2ePorts.main}/api/health`)).status).toBe(200);
});

test.describe("two servers behind HAProxy on one PostgreSQL database", () => {
  test.skip(!process.env.DATABASE_URL, "several instances need PostgreSQL: set DATABASE_URL (CI does) to run the two-instance test");
  test.describe.configure({ mode: "serial", timeout: 300_000 });

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000);
    database = await freshDatabase(process.env.DATABASE_URL!);
    sql = postgres(database.url, { max: 2, onnotice: () => undefined });
    // File bodies in an S3-compatible store (s3rver, in this process) that both servers use, as servers on separate hosts would.
    objectStore = await startObjectStore();
    for (const name of names) {
      instances[name] = new CrashServer({
        port: portOf(name),
        dataDir: path.join(root, `.e2e-crash-data-instance-${name}`),
        databaseUrl: database.url,
        appOrigin: `http://localhost:${balancerPort}`,
        // HAProxy connects from loopback and appends the client's address to X-Forwarded-For.
        settings: { TRUST_PROXY: "127.0.0.1,::1", ...objectStore.settings },
      });
    }
    // Both at once, on an empty database: the migrations run once, the other instance waits for them.
    await Promise.all(names.map((name) => instances[name].start()));
    balancer = new LoadBalancer(
      balancerPort,
      names.map((name) => ({ name, port: portOf(name) })),
    );
    await balancer.start();
    doctor = await person(browser, { role: "doctor", name: doctorName, specialty: "Load balancing", organization: "Two Servers Clinic" });
  });

  test.afterAll(async () => {
    await doctor?.close();
    await balancer?.stop();
    for (const name of names) await instances[name]?.stop();
    await sql?.end({ timeout: 5 });
    await database?.drop();
    await objectStore?.close();
  });

  test("both servers serve one build: the same deployment id on every page", async () => {
    const idOf = async (url: string) => /data-dpl-id="([^"]+)"/.exec(await (await fetch(`${url}/`)).text())?.[1];
    const ids = await Promise.all([balancer.url, ...names.map((name) => instances[name].url)].map(idOf));
    expect(ids[0]).toMatch(/^v\d+-\d+-\d+-/);
    expect(ids).toEqual([ids[0], ids[0], ids[0]]);
  });

  test("both servers count a client in one allowance, under the address HAProxy forwards", async ({ playwright }) => {
    // The test's requests come from loopback, which TRUST_PROXY declares a proxy: the address before HAProxy's own
    // entry in X-Forwarded-For is taken as the client's, as a real client's address would be.
    const api = await playwright.request.newContext({ baseURL: balancer.url });
    const client = "203.0.113.77";
    const served = new Set<string>();
    for (let index = 0; index < 6; index++) {
      const response = await api.post("/api/auth/sign-in/options", {
        headers: { origin: balancer.url, "sec-fetch-site": "same-origin", "x-forwarded-for": client },
      });
      expect(response.status()).toBe(200);
      served.add(response.headers()["x-served-by"]!);
    }
    await api.dispose();
    expect([...served].sort()).toEqual(["one", "two"]);
    expect(await view.query(`select count from rate_limit_buckets where key = $1`, [`auth:address:${client}`])).toEqual([{ count: 6 }]);
  });

  test("sign-up, a share, an upload and a revoke with its key rotation, through the balancer, served by both servers", async ({ browser }, testInfo) => {
    const before = await balancer.stats();
    const patientName = "Pia Pool";
    const patient = await person(browser, { role: "patient", name: patientName });
    await openChart(patient.page);
    await addNote(patient.page, "Ferritin", "Ferritin 18 µg/L.");
    await addNote(patient.page, "Holter", "No pauses over 2 s.");
    const original = randomBytes(mebibyte + 300_000);
    await uploadFile(patient.page, testInfo, "ecg.bin", original);
    await expect(patient.page.getByText("ecg.bin was encrypted and saved.")).toBeVisible({ timeout: 120_000 });
    await shareWithDoctor(patient, ["Ferritin", "Holter", "ecg.bin"]);

    const shared = await doctorSees(patientName);
    await shared.getByRole("button", { name: "Ferritin" }).click();
    await expect(shared).toContainText("Ferritin 18 µg/L.");

    await revokeDoctor(patient);
    await expect(patient.page.getByText(`${doctorName} no longer has any access to your records.`)).toBeVisible();
    await expect(patient.page.getByTestId("key-maintenance")).toContainText("3 records now use new keys", { timeout: 120_000 });
    expect((await storedRecords(patient.userId)).map((record) => [record.key_version, record.created, record.rotated, record.pending])).toEqual([
      [2, 1, 1, false],
      [2, 1, 1, false],
      [2, 1, 1, false],
    ]);
    await expectFileDownloads(patient.page, testInfo, "ecg.bin", original);
    await patient.close();

    // Each server answered this person's pages, by the balancer's header and by its own counts.
    expect([...servedBy.keys()].sort()).toEqual(["one", "two"]);
    const after = await balancer.stats();
    for (const name of names) expect(after[name]!.requests).toBeGreaterThan(before[name]!.requests + 10);
  });

  test("a server killed in the middle of an upload: the other takes the rest, and the file is stored once", async ({ browser }, testInfo) => {
    const patient = await person(browser, { role: "patient", name: "Uma Upload" });
    await openChart(patient.page);
    const original = randomBytes(3 * mebibyte + 200_000);
    await killedAt(
      "one",
      "blobs.chunk-stored@2",
      () => uploadFile(patient.page, testInfo, "mri.bin", original),
      () => expect(patient.page.getByText("mri.bin was encrypted and saved.")).toBeVisible({ timeout: 180_000 }),
    );

    expect((await storedRecords(patient.userId)).map((record) => [record.created, record.pending])).toEqual([[1, false]]);
    const files = await view.query<{ status: string; chunks: number; held: number }>(
      `select b.status, (select count(*) from blob_chunks c where c.blob_id = b.id)::int as chunks,
            (select count(*) from record_versions v where v.blob_id = b.id)::int as held
     from blobs b where b.owner_id = $1`,
      [patient.userId],
    );
    expect(files).toEqual([{ status: "complete", chunks: 4, held: 1 }]);
    await expectFileDownloads(patient.page, testInfo, "mri.bin", original);
    expect((await trailActions(patient.page)).filter((action) => action === "record-created")).toHaveLength(1);
    await patient.close();
  });

  const rotationKills = [
    { dying: "two", point: "records.rotate.after-commit", when: "right after a rotation batch's commit, before its answer leaves", patientName: "Rui Rotate" },
    { dying: "one", point: "records.rotate.mid-batch", when: "inside a rotation batch's transaction", patientName: "Mia Midway" },
  ] as const;
  for (const { dying, point, when, patientName } of rotationKills) {
    test(`a server killed ${when}: every record is rotated exactly once`, async ({ browser }) => {
      const patient = await person(browser, { role: "patient", name: patientName });
      await openChart(patient.page);
      const titles = ["Lipids", "HbA1c", "Spirometry", "Audiogram", "Vaccines"];
      for (const title of titles) await addNote(patient.page, title, `${title}: within range.`);
      await shareWithDoctor(patient, titles);

      await killedAt(
        dying,
        point,
        () => revokeDoctor(patient),
        async () => {
          // The interrupted request is sent again to the server left and the run goes on; had the browser given
          // up instead, the person's next visit would resume the run there.
          const status = patient.page.getByTestId("key-maintenance");
          await expect(status).toContainText(/now use new keys|will be tried again/, { timeout: 180_000 });
          if ((await status.textContent())?.includes("will be tried again")) {
            await patient.page.reload();
            await patient.page.getByRole("button", { name: "Unlock with passkey" }).click();
            await expect(status).toContainText("now use new keys", { timeout: 120_000 });
          }
        },
      );

      const stored = await storedRecords(patient.userId);
      expect(stored.map((record) => [record.key_version, record.created, record.rotated, record.pending])).toEqual(titles.map(() => [2, 1, 1, false]));
      // One rotation event per batch, naming the records it moved: each record once.
      const rotated = (await trailEvents(patient.page)).filter((event) => event.action === "record-key-rotated");
      expect(rotated.flatMap((event) => (event.recordId ? [event.recordId] : (event.recordIds ?? [])))).toHaveLength(titles.length);
      await patient.page.getByRole("link", { name: "History" }).click();
      await expect(patient.page.getByTestId("audit-verified")).toBeVisible();
      await patient.close();
    });
  }

  test("afterwards storage holds together: no orphaned file, no pending rotation, every trail verifies", async () => {
    expect(await storageViolations(view)).toEqual([]);
    expect(await view.query(`select record_id from key_rotations`)).toEqual([]);
    expect(await view.query(`select id from blobs where status <> 'complete'`)).toEqual([]);
  });
});
