import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { recordKeyWraps, recordVersions, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { codeOf } from "@/lib/app-error-test-helpers";
import { auditEvents } from "@/drizzle/schema";
import { foldAuditInbox } from "@/lib/audit/audit-log";
import { addVersion, chartOf, createRecords, deleteRecord, recordOf, versionsOf } from "./chart-store";

const b64 = (bytes: Buffer) => bytes.toString("base64url");
const envelope = (paddedLength = 256) => b64(randomBytes(42 + paddedLength));
const version = (number = 1, content = envelope()) => ({
  version: number,
  keyVersion: 1,
  content,
  commitment: b64(randomBytes(32)),
  signature: b64(randomBytes(64)),
});
const newRecord = () => ({ id: randomUUID(), ownerWrap: b64(randomBytes(74)), version: version() });

describe.each(testDatabaseKinds())("records on %s", (kind) => {
  let database: TestDatabase;
  let owner: string;
  let stranger: string;
  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    owner = randomUUID();
    stranger = randomUUID();
    await database.db.insert(users).values([
      { id: owner, role: "patient" },
      { id: stranger, role: "patient" },
    ]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stores a batch with versions and owner wraps, and lists it back", async () => {
    const batch = [newRecord(), newRecord(), newRecord()];
    expect(await createRecords(database.db, owner, batch)).toEqual({ created: 3 });
    const chart = await chartOf(database.db, owner);
    const ids = chart.records.map((record) => record.id);
    for (const item of batch) {
      expect(ids).toContain(item.id);
      const listed = chart.records.find((record) => record.id === item.id)!;
      expect(listed.ownerWrap).toBe(item.ownerWrap);
      expect(listed.current.content).toBe(item.version.content);
      expect(listed.current.signature).toBe(item.version.signature);
    }
    expect((await chartOf(database.db, stranger)).records).toEqual([]);
  });

  it("stores nothing from a batch when one record is refused", async () => {
    const good = newRecord();
    const bad = { ...newRecord(), version: version(1, b64(randomBytes(42 + 300))) };
    expect(await codeOf(createRecords(database.db, owner, [good, bad]))).toBe("invalid-input");
    const chart = await chartOf(database.db, owner);
    expect(chart.records.map((record) => record.id)).not.toContain(good.id);
    expect(await database.db.select().from(recordVersions).where(eq(recordVersions.recordId, good.id))).toEqual([]);
  });

  it("accepts the same record twice (a retried upload) but not a different one under its id", async () => {
    const item = newRecord();
    await createRecords(database.db, owner, [item]);
    expect(await createRecords(database.db, owner, [item])).toEqual({ created: 0 });
    expect(await codeOf(createRecords(database.db, owner, [{ ...item, version: version() }]))).toBe("conflict");
    expect(await codeOf(createRecords(database.db, stranger, [item]))).toBe("conflict");
  });

  it("refuses oversize content with 413 and unpadded content with 400", async () => {
    expect(await codeOf(createRecords(database.db, owner, [{ ...newRecord(), version: version(1, envelope(512 * 1024)) }]))).toBe("payload-too-large");
    expect(await codeOf(createRecords(database.db, owner, [{ ...newRecord(), version: version(1, b64(randomBytes(100))) }]))).toBe("invalid-input");
  });

  it("adds versions in order, refuses a stale one, and keeps every version readable", async () => {
    const item = newRecord();
    await createRecords(database.db, owner, [item]);
    await addVersion(database.db, owner, item.id, version(2));
    expect(await codeOf(addVersion(database.db, owner, item.id, version(2)))).toBe("conflict");
    expect(await codeOf(addVersion(database.db, owner, item.id, version(4)))).toBe("conflict");
    await addVersion(database.db, owner, item.id, version(3));
    const { versions } = await versionsOf(database.db, owner, item.id);
    expect(versions.map((entry) => entry.version)).toEqual([1, 2, 3]);
    const listed = (await chartOf(database.db, owner)).records.find((record) => record.id === item.id)!;
    expect(listed.currentVersion).toBe(3);
  });

  it("lets nobody but the owner add versions, read versions or delete", async () => {
    const item = newRecord();
    await createRecords(database.db, owner, [item]);
    expect(await codeOf(addVersion(database.db, stranger, item.id, version(2)))).toBe("not-found");
    expect(await codeOf(versionsOf(database.db, stranger, item.id))).toBe("not-found");
    expect(await codeOf(deleteRecord(database.db, stranger, item.id))).toBe("not-found");
  });

  it("reads one record as the chart lists it, for its owner only, audited as the chart read naming the record", async () => {
    const item = newRecord();
    await createRecords(database.db, owner, [item, newRecord()]);
    await addVersion(database.db, owner, item.id, version(2));
    const one = await recordOf(database.db, owner, item.id);
    expect(one).toEqual((await chartOf(database.db, owner)).records.find((record) => record.id === item.id));
    expect(one.statements.map((statement) => statement.version)).toEqual([1, 2]);
    // A read's event waits in the audit inbox until the owner's trail is next folded.
    await foldAuditInbox(database.db, [owner]);
    const audited = await database.db.select().from(auditEvents).where(eq(auditEvents.recordId, item.id));
    expect(audited.filter((event) => event.action === "chart-fetched").map((event) => event.actorId)).toEqual([owner]);
    expect(await codeOf(recordOf(database.db, stranger, item.id))).toBe("not-found");
    expect(await codeOf(recordOf(database.db, owner, randomUUID()))).toBe("not-found");
  });

  it("deletes a record with its versions and key wraps", async () => {
    const item = newRecord();
    await createRecords(database.db, owner, [item]);
    await addVersion(database.db, owner, item.id, version(2));
    await deleteRecord(database.db, owner, item.id);
    expect(await database.db.select().from(recordVersions).where(eq(recordVersions.recordId, item.id))).toEqual([]);
    expect(await database.db.select().from(recordKeyWraps).where(eq(recordKeyWraps.recordId, item.id))).toEqual([]);
    expect(await codeOf(deleteRecord(database.db, owner, item.id))).toBe("not-found");
  });
});
