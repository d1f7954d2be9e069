/**
 * Suite "trail" of npm run bench (alone: npm run bench -- trail) — prints figures, asserts nothing.
 *  1. A flood: a clinician whose grant was revoked makes 3,000 refused requests against one
 *     patient, alternating between the grant's list (GET /api/shared/[grantId]/records:
 *     fetchSharedRecords) and the versions of the patient's records (GET
 *     /api/records/[id]/versions: refused, then auditRefusedRecordAccess, as onRecord does),
 *     through the real services and lib/audit/refusals.ts. Printed: the events the flood
 *     appends to the patient's trail and the trail's size as the owner's browser downloads it
 *     (every page of GET /api/me/audit?after=0, as JSON), before and after. Run with
 *     REFUSED_REQUEST_LIMIT_PER_ACTOR raised so the limit does not stop the flood (once in real
 *     time, once spread over an hour on a simulated clock), and once with the default limit
 *     (in a child process, since settings are read once per process): how many got 429.
 *  2. Verification cost: trails of 1,000 and 10,000 events (BENCH_TRAIL_LENGTHS), appended
 *     through lib/audit so every hash is real. (a) The whole trail fetched page by page
 *     (trailPage, 500 a page) and verified from genesis (verifyAuditChain); (b) what the
 *     browser does on every page now: the events after the head it stored (20 new ones),
 *     verified from that link (verifyAuditSegment). Medians of several runs; server time,
 *     JSON round trip and hashing together, on the database bench/run.ts chose (quick mode:
 *     1,000 events only).
 * Run with the react-server condition so server modules load outside Next.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cryptoReady, fromBase64url, verifyAuditChain, verifyAuditSegment, type AuditChainLink, type AuditEventFields } from "../crypto";
import { auditEvents, auditPendingCounts } from "../drizzle/schema";
import { seedPatientAndClinician } from "./bench-accounts";
import { eq } from "drizzle-orm";
import { quickMode, reportFigure } from "./figures";

const childMarker = "TRAIL_BENCH_RESULT ";
const isChild = process.env.BENCH_TRAIL_CHILD === "default-limit";
// Settings are parsed once, on first use: raise the limit before any service reads them.
if (!isChild) process.env.REFUSED_REQUEST_LIMIT_PER_ACTOR = "1000000";

const floodSize = 3000;
const lengths = (process.env.BENCH_TRAIL_LENGTHS ?? (quickMode() ? "1000" : "1000,10000")).split(",").map(Number);
const newEvents = 20;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const n = (value: number) => value.toLocaleString("en");

// Server modules are loaded after the environment is set.
const services = async () => ({
  ...(await import("./bench-database")),
  ...(await import("../lib/audit/audit-log")),
  ...(await import("@/lib/audit/trail-store")),
  ...(await import("@/lib/grants/grant-store")),
  ...(await import("@/lib/records/chart-store")),
  // The browser's work (these modules also export API calls named like the services).
  ...(({ sealNewRecords, recordKeyOf }) => ({ sealNewRecords, recordKeyOf }))(await import("../client/records/records")),
  sealGrant: (await import("../client/sharing/sharing")).sealGrant,
  ...(await import("../lib/errors")),
  ...(await import("../lib/config")),
});
type Services = Awaited<ReturnType<typeof services>>;
type Db = Awaited<ReturnType<Services["openBenchDatabase"]>>["db"];
type Page = Awaited<ReturnType<Services["trailPage"]>>;

/** What the browser does with a page it received (client/audit/audit.ts chainFields), after parsing the JSON. */
function chainFields(subjectId: string, event: Page["events"][number]): AuditEventFields & { hash: Uint8Array } {
  const time = (iso: string | null) => (iso === null ? null : new Date(iso).getTime());
  return {
    ...event,
    subjectId,
    occurredAt: new Date(event.occurredAt).getTime(),
    windowStart: time(event.windowStart),
    windowEnd: time(event.windowEnd),
    hash: fromBase64url(event.hash),
  };
}

/** One GET /api/me/audit page as the browser receives it: serialized, counted, parsed. */
async function fetchPage(s: Services, db: Db, subjectId: string, query: Parameters<Services["trailPage"]>[2], now?: Date) {
  const body = JSON.stringify(await s.trailPage(db, subjectId, query, now));
  return { page: JSON.parse(body) as Page, bytes: Buffer.byteLength(body) };
}

/** The whole trail from genesis, page by page, as the owner's browser downloads it. */
async function wholeTrail(s: Services, db: Db, subjectId: string, now?: Date) {
  const events: Page["events"] = [];
  let bytes = 0;
  let head = { seq: 0, hash: "" };
  for (let after = 0; ;) {
    const fetched = await fetchPage(s, db, subjectId, { after, limit: s.trailPageSize.max }, now);
    bytes += fetched.bytes;
    head = fetched.page.head;
    events.push(...fetched.page.events);
    const last = fetched.page.events.at(-1);
    if (!last || last.seq >= head.seq) break;
    after = last.seq;
  }
  return { events, bytes, head };
}

const eventCount = (db: Db, subjectId: string) => db.$count(auditEvents, eq(auditEvents.subjectId, subjectId));

/** A fresh database with one patient and one clinician account. */
async function patientAndClinician(s: Services) {
  const database = await s.openBenchDatabase();
  return { database, db: database.db, ...(await seedPatientAndClinician(database.db)) };
}

/** A patient with ten records, shared with a clinician under an "all records" grant, then revoked. */
async function revokedClinician(s: Services) {
  const { database, db, patientId, doctorId, vault, doctorEncryptionPublicKey } = await patientAndClinician(s);
  const sealed = s.sealNewRecords(
    Array.from({ length: 10 }, (_, index) => ({
      v: 1 as const,
      kind: "note",
      resource: {
        resourceType: "DocumentReference",
        status: "current",
        description: `Note ${index}`,
        content: [{ attachment: { contentType: "text/plain", data: "SGVsbG8=" } }],
      },
    })),
    vault,
  );
  await s.createRecords(db, patientId, sealed);
  const request = s.sealGrant({
    vault,
    clinicianId: doctorId,
    clinicianEncryptionPublicKey: doctorEncryptionPublicKey,
    recordKeys: sealed.map((record) => ({
      recordId: record.id,
      keyVersion: 1,
      recordKey: s.recordKeyOf({ id: record.id, keyVersion: 1, ownerWrap: record.ownerWrap }, vault),
    })),
    recordIds: "all",
    permission: "read",
    expiresAt: null,
    revealedName: "Bench Patient",
  });
  await s.createGrant(db, patientId, {
    ...request,
    expiresAt: null,
    sealedShareKey: fromBase64url(request.sealedShareKey),
    statement: fromBase64url(request.statement),
    signature: fromBase64url(request.signature),
    sealedProfile: fromBase64url(request.sealedProfile),
    wraps: request.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
  await s.fetchSharedRecords(db, doctorId, request.grantId);
  await s.revokeGrant(db, patientId, request.grantId);
  return { database, db, patientId, doctorId, grantId: request.grantId, recordIds: sealed.map((record) => record.id) };
}

/**
 * The flood: `floodSize` refused requests, even ones on the revoked grant's list, odd ones on
 * a record's versions. `clock` gives each request's time (the services take it as `now`).
 */
async function flood(s: Services, clock: (index: number) => Date | undefined) {
  const setup = await revokedClinician(s);
  const { db, patientId, doctorId } = setup;
  const before = { events: await eventCount(db, patientId), bytes: (await wholeTrail(s, db, patientId)).bytes };
  const outcomes = new Map<string, number>();
  const start = process.hrtime.bigint();
  let last = new Date();
  for (let index = 0; index < floodSize; index++) {
    const now = clock(index) ?? new Date();
    last = now;
    try {
      if (index % 2 === 0) {
        await s.fetchSharedRecords(db, doctorId, setup.grantId, now);
      } else {
        const recordId = setup.recordIds[(index >> 1) % setup.recordIds.length]!;
        // The versions route (lib/records/chart-service.ts onRecord): the refused read, then the refusal noted.
        try {
          await s.versionsOf(db, doctorId, recordId);
        } catch (error) {
          if (error instanceof s.AppError && (error.code === "not-found" || error.code === "forbidden"))
            await s.auditRefusedRecordAccess(db, doctorId, recordId, now);
          throw error;
        }
      }
      outcomes.set("served", (outcomes.get("served") ?? 0) + 1);
    } catch (error) {
      const code = error instanceof s.AppError ? s.httpStatusFor(error.code) : "error";
      outcomes.set(String(code), (outcomes.get(String(code)) ?? 0) + 1);
    }
  }
  const floodMs = ms(start);
  const beforeRead = { events: await eventCount(db, patientId), pending: await db.$count(auditPendingCounts, eq(auditPendingCounts.subjectId, patientId)) };
  // The owner opens their history: pending counts join the chain, then the whole trail is read.
  const after = await wholeTrail(s, db, patientId, new Date(last.getTime() + 1000));
  const counted = after.events.filter((event) => event.action === "access-refused").map((event) => event.count ?? 1);
  const result = {
    limit: s.config().refusedLimitPerActor,
    floodMs,
    outcomes: Object.fromEntries(outcomes),
    before,
    beforeRead,
    after: { events: await eventCount(db, patientId), bytes: after.bytes },
    countedEvents: counted.length,
    countedAttempts: counted.reduce((sum, count) => sum + count, 0),
  };
  await setup.database.dispose();
  return result;
}
type FloodResult = Awaited<ReturnType<typeof flood>>;

function printFlood(title: string, result: FloodResult) {
  const outcomes = Object.entries(result.outcomes)
    .map(([code, count]) => `${n(count)} × ${code}`)
    .join(", ");
  console.log(`\n${title} (REFUSED_REQUEST_LIMIT_PER_ACTOR=${n(result.limit)})`);
  console.log(
    `  ${n(floodSize)} refused requests in ${(result.floodMs / 1000).toFixed(1)} s (${(result.floodMs / floodSize).toFixed(2)} ms each): ${outcomes}`,
  );
  console.log(
    `  events in the trail: ${n(result.before.events)} before, ${n(result.beforeRead.events)} after the flood (${n(result.beforeRead.pending)} pending count), ${n(result.after.events)} once the owner reads it: +${n(result.after.events - result.before.events)}`,
  );
  console.log(`  access-refused events: ${n(result.countedEvents)}, counting ${n(result.countedAttempts)} attempts`);
  console.log(
    `  trail as downloaded (JSON, every page): ${kb(result.before.bytes)} → ${kb(result.after.bytes)} (+${n(result.after.bytes - result.before.bytes)} bytes)`,
  );
}

/** A trail of `length` ordinary events for one patient, appended through lib/audit in batches. */
async function verificationCost(s: Services, length: number) {
  const { database, db, patientId, doctorId } = await patientAndClinician(s);
  const recordIds = Array.from({ length: 20 }, () => randomUUID());
  const grantId = randomUUID();
  const eventAt = (index: number): Parameters<Services["appendAudit"]>[1][number] => {
    const recordId = recordIds[index % recordIds.length]!;
    switch (index % 4) {
      case 0:
        return { subjectId: patientId, actorId: patientId, action: "chart-fetched", outcome: "success" };
      case 1:
        return { subjectId: patientId, actorId: doctorId, action: "records-received", recordIds: recordIds.slice(0, 5), grantId, outcome: "success" };
      case 2:
        return { subjectId: patientId, actorId: patientId, action: "record-versions-fetched", recordId, outcome: "success" };
      default:
        return { subjectId: patientId, actorId: doctorId, action: "file-fetched", recordId, grantId, outcome: "success" };
    }
  };
  let appended = 0;
  const append = async (count: number) => {
    for (let done = 0; done < count; done += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - done) }, (_, index) => eventAt(appended + index));
      await s.appendAudit(db, batch);
      appended += batch.length;
    }
    // Reads' events wait in the audit inbox; chained here so the build is timed, not the first read.
    await s.foldAuditInbox(db, [patientId]);
  };
  let start = process.hrtime.bigint();
  await append(length);
  const buildMs = ms(start);

  // (a) Every page from genesis, verified from the genesis hash.
  const fullRuns = length >= 10_000 ? 3 : 5;
  const full: Array<{ ms: number; bytes: number; ok: boolean }> = [];
  for (let run = 0; run < fullRuns; run++) {
    start = process.hrtime.bigint();
    const trail = await wholeTrail(s, db, patientId);
    const check = verifyAuditChain(trail.events.map((event) => chainFields(patientId, event)));
    full.push({ ms: ms(start), bytes: trail.bytes, ok: check.ok && check.head.seq === trail.head.seq });
  }

  // (b) The browser's catch-up from the head it stored: 20 new events each time.
  const head = await wholeTrail(s, db, patientId);
  let stored: AuditChainLink = { seq: head.head.seq, hash: fromBase64url(head.head.hash) };
  const incremental: Array<{ ms: number; bytes: number; ok: boolean }> = [];
  for (let run = 0; run < 9; run++) {
    await append(newEvents);
    start = process.hrtime.bigint();
    const { page, bytes } = await fetchPage(s, db, patientId, { after: stored.seq, limit: s.trailPageSize.max });
    const check = verifyAuditSegment(
      stored,
      page.events.map((event) => chainFields(patientId, event)),
    );
    const elapsed = ms(start);
    const ok = check.ok && check.end.seq === page.head.seq && page.events.length === newEvents;
    if (check.ok) stored = check.end;
    incremental.push({ ms: elapsed, bytes, ok });
  }
  await database.dispose();
  return {
    length,
    buildMs,
    full: { ms: median(full.map((run) => run.ms)), bytes: median(full.map((run) => run.bytes)), runs: fullRuns, ok: full.every((run) => run.ok) },
    incremental: {
      ms: median(incremental.map((run) => run.ms)),
      bytes: median(incremental.map((run) => run.bytes)),
      runs: incremental.length,
      ok: incremental.every((run) => run.ok),
    },
  };
}

async function main() {
  await cryptoReady();
  const s = await services();
  if (isChild) {
    const result = await flood(s, () => undefined);
    process.stdout.write(`${childMarker}${JSON.stringify(result)}\n`);
    return;
  }
  console.log(
    `Audit trail benchmark (Node ${process.version}, ${process.env.BENCH_DATABASE === "postgres" ? "PostgreSQL" : "embedded PGlite in memory"}, in process)`,
  );
  console.log(`\n1. A revoked clinician floods one patient with ${n(floodSize)} refused requests`);
  console.log("   (half on the revoked grant's list, half on the versions of the patient's 10 records)");
  console.log("   Before the fix (issue 12): 3,000 events appended, trail 70 KB → 865 KB.");
  if (quickMode()) {
    reportFigure("trail_flood_events_added", null, { reason: "skipped in quick mode (about a minute)" });
  } else {
    const oneWindow = await flood(s, () => undefined);
    printFlood("Limit raised, all within one count window", oneWindow);
    reportFigure("trail_flood_events_added", oneWindow.after.events - oneWindow.before.events, { note: `${n(floodSize)} refused requests` });
  }
  // The other two floods (an hour on a simulated clock; the default limit in a child process)
  // take a minute each: only with BENCH_TRAIL_ALL=1.
  if (process.env.BENCH_TRAIL_ALL === "1") {
    const hour = Date.now();
    printFlood(
      "Limit raised, spread over one hour (simulated clock, AUDIT_COUNT_WINDOW_MINUTES=10)",
      await flood(s, (index) => new Date(hour + Math.floor((index * 3_600_000) / floodSize))),
    );
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, BENCH_TRAIL_CHILD: "default-limit", REFUSED_REQUEST_LIMIT_PER_ACTOR: "" },
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = child.stdout.split("\n").find((entry) => entry.startsWith(childMarker));
    if (line) printFlood("Default limit (in a child process)", JSON.parse(line.slice(childMarker.length)) as FloodResult);
    else console.log(`\nDefault limit: the child process failed (status ${child.status}):\n${child.stderr}`);
  }

  console.log(`\n2. Verifying the trail: whole trail from genesis vs the ${newEvents} events after the stored head`);
  for (const length of lengths) {
    const result = await verificationCost(s, length);
    console.log(`\n${n(result.length)} events (appended through lib/audit in ${(result.buildMs / 1000).toFixed(1)} s)`);
    console.log(
      `  (a) whole trail, ${s.trailPageSize.max} a page, verifyAuditChain: ${result.full.ms.toFixed(1)} ms, ${kb(result.full.bytes)} fetched (median of ${result.full.runs}${result.full.ok ? "" : "; DID NOT VERIFY"})`,
    );
    console.log(
      `  (b) after=stored head, ${newEvents} new, verifyAuditSegment: ${result.incremental.ms.toFixed(2)} ms, ${kb(result.incremental.bytes)} fetched (median of ${result.incremental.runs}${result.incremental.ok ? "" : "; DID NOT VERIFY"})`,
    );
    console.log(
      `  (a)/(b): ${(result.full.ms / result.incremental.ms).toFixed(0)}× the time, ${(result.full.bytes / result.incremental.bytes).toFixed(0)}× the bytes`,
    );
    if (length === lengths.at(-1)) {
      const note = `${n(length)} events${length === 10_000 ? "" : " (quick)"}, ${kb(result.full.bytes)} fetched`;
      reportFigure("trail_verify_whole_10k_ms", result.full.ok ? result.full.ms : null, {
        note,
        reason: result.full.ok ? undefined : "the trail did not verify",
      });
      reportFigure("trail_verify_incremental_ms", result.incremental.ok ? result.incremental.ms : null, {
        reason: result.incremental.ok ? undefined : "the segment did not verify",
      });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
