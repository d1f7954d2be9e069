import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { importsRoutes } from "@/contract/imports";
import { maxRecordsPerRequest } from "@/contract/records";
import { routes } from "@/contract/routes";
import { ApiError } from "../transport/api";
import { importBatches, ImportNotSavedError, importRecords, type ImportProgress } from "./import-records";
import { noteDocument, patientVault, recordsServer } from "./test-server";

const newRecord = (id: string, content: string) => ({
  id,
  ownerWrap: "o".repeat(43),
  version: { version: 1, keyVersion: 1, content, commitment: "c".repeat(43), signature: "s".repeat(86) },
});

describe("importBatches", () => {
  it("splits by the records per request and by the body limit, in order", () => {
    const records = Array.from({ length: 7 }, (_, index) => newRecord(`id-${index}`, "x".repeat(100)));
    expect(importBatches(records, { records: 3, bytes: 10_000 }).map((batch) => batch.length)).toEqual([3, 3, 1]);
    const oneSize = JSON.stringify(records[0]).length;
    const twoPerRequest = JSON.stringify({ records: [records[0], records[1]] }).length;
    expect(twoPerRequest).toBeGreaterThan(2 * oneSize);
    expect(importBatches(records, { records: 100, bytes: twoPerRequest }).map((batch) => batch.length)).toEqual([2, 2, 2, 1]);
    expect(importBatches(records, { records: 100, bytes: twoPerRequest }).flat()).toEqual(records);
  });

  it("refuses a record no request can carry", () => {
    expect(() => importBatches([newRecord("a", "x".repeat(200))], { records: 10, bytes: 100 })).toThrow(RangeError);
  });
});

describe("importRecords", () => {
  beforeAll(async () => {
    await cryptoReady();
  });

  it("stages, commits and reports progress; the chart holds every record after, none before the commit", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const progress: ImportProgress[] = [];
    let chartAtCommit = -1;
    server.transport.on(importsRoutes.commit, (input) => {
      chartAtCommit = server.records.size;
      return server.importHandlers.commit(input);
    });
    const ids = await importRecords([noteDocument("one"), noteDocument("two"), noteDocument("three")], vault, server.transport, (step) => progress.push(step));
    expect(progress).toEqual([
      { saved: 0, total: 3 },
      { saved: 3, total: 3 },
    ]);
    expect(chartAtCommit).toBe(0);
    expect([...server.records.keys()]).toEqual(ids);
    expect(server.transport.callsTo(routes.records.create)).toEqual([]);
  });

  it("leaves nothing in the chart when the third request fails, abandons the import and says nothing was saved", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    let adds = 0;
    server.transport.on(importsRoutes.addRecords, (input) => {
      adds += 1;
      if (adds === 3) throw new ApiError(413, "quota-exceeded", "These records need more space than you have left.");
      return server.importHandlers.addRecords(input);
    });
    const progress: ImportProgress[] = [];
    const total = 2 * maxRecordsPerRequest + 1;
    const documents = Array.from({ length: total }, (_, index) => noteDocument(`note ${index}`));
    const failure = await importRecords(documents, vault, server.transport, (step) => progress.push(step)).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(failure).toBeInstanceOf(ImportNotSavedError);
    const notSaved = failure as ImportNotSavedError;
    expect(notSaved.message).toBe(`Nothing was imported: none of the ${total.toLocaleString("en")} records were saved.`);
    expect(notSaved.reason).toBeInstanceOf(ApiError);
    expect((notSaved.reason as ApiError).code).toBe("quota-exceeded");
    expect(progress.map((step) => step.saved)).toEqual([0, maxRecordsPerRequest, 2 * maxRecordsPerRequest]);
    expect(server.records.size).toBe(0);
    expect(server.transport.callsTo(importsRoutes.commit)).toEqual([]);
    expect(server.transport.callsTo(importsRoutes.abandon)).toHaveLength(1);
    expect(server.imports.size).toBe(0);
  });

  it("reads the grants again and re-sends the records wrapped for a grant made meanwhile, then commits", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const grantId = crypto.randomUUID();
    const allRecords = {
      id: grantId,
      clinicianId: crypto.randomUUID(),
      clinicianName: "Dr Vera Verify",
      clinicianDisabled: false,
      scope: "all" as const,
      permission: "read" as const,
      expiresAt: null,
      createdAt: "2026-11-01T10:00:00.000Z",
      revokedAt: null,
      revision: 1,
      lastOpenedAt: null,
      recordIds: [],
      excludedRecordIds: [],
    };
    let grants: Array<typeof allRecords> = [];
    server.transport.on(routes.grants.list, () => ({ grants }));
    server.transport.on(importsRoutes.commit, (input) => {
      const open = server.imports.get(input.params.id)!;
      if (grants.length > 0 && [...open.staged.values()].some((record) => !record.grantIds.includes(grantId))) {
        throw new ApiError(409, "conflict", "Your sharing changed while the import was under way.");
      }
      return server.importHandlers.commit(input);
    });
    server.transport.on(importsRoutes.addRecords, (input) => {
      // The grant is made while the first batch is under way.
      grants = [allRecords];
      return server.importHandlers.addRecords(input);
    });
    const progress: ImportProgress[] = [];
    const ids = await importRecords([noteDocument("a"), noteDocument("b")], vault, server.transport, (step) => progress.push(step));
    expect(server.transport.callsTo(importsRoutes.commit)).toHaveLength(2);
    expect(server.transport.callsTo(importsRoutes.addRecords)).toHaveLength(2);
    expect([...server.records.keys()]).toEqual(ids);
    expect(progress.map((step) => step.saved)).toEqual([0, 2, 0, 2]);
    const resent = server.transport.callsTo(importsRoutes.addRecords)[1]!.input.body;
    expect(resent).toMatchObject({ records: [{ grantWraps: [{ grantId }] }, { grantWraps: [{ grantId }] }] });
  });

  it("says nothing was saved when the import cannot even start", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.transport.on(importsRoutes.start, () => {
      throw new ApiError(409, "conflict", "You already have 5 imports under way.");
    });
    await expect(importRecords([noteDocument("a")], vault, server.transport)).rejects.toBeInstanceOf(ImportNotSavedError);
    expect(server.records.size).toBe(0);
  });

  it("takes an abandon refused as 'finished already' to mean the commit went through", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.transport.on(importsRoutes.commit, (input) => {
      server.importHandlers.commit(input);
      // The commit went through; what the browser hears is a refusal it does not retry.
      throw new ApiError(400, "invalid-input", "cut off");
    });
    const ids = await importRecords([noteDocument("a")], vault, server.transport);
    expect([...server.records.keys()]).toEqual(ids);
  });
});
