import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { importsRoutes } from "@/contract/imports";
import { recordsRoutes } from "@/contract/records";
import { ApiError } from "../transport/api";
import { ImportNotSavedError } from "../records/import-records";
import { loadWholeChart, type OkEntry } from "../records/records";
import { patientVault, recordsServer } from "../records/test-server";
import { planImport } from "./import-bundle";
import { prepareRecords } from "./import-content";
import { matchChart } from "./import-duplicates";
import { ImportUpdatesStoppedError, saveImport, type ImportSaveProgress } from "./import-save";

beforeAll(cryptoReady);
beforeEach(() => {
  const stored = new Map<string, string>();
  vi.stubGlobal("localStorage", {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => void stored.set(key, value),
    removeItem: (key: string) => void stored.delete(key),
  });
});
afterEach(() => vi.unstubAllGlobals());

const fixture15 = (): unknown => JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world/15-med-effective-datetime.json"), "utf8"));
const observations = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world/08-2001-observations.json"), "utf8")) as unknown;

it("08: 2,001 observations are saved in several requests, with progress that ends at 2,001", { timeout: 60_000 }, async () => {
  const vault = patientVault();
  const server = recordsServer(vault);
  const matched = await matchChart((await prepareRecords(planImport(observations))).ready, []);
  const steps: ImportSaveProgress[] = [];
  expect(await saveImport(matched, { update: false }, vault, server.transport, (step) => steps.push(step))).toEqual({ created: 2001, updated: 0 });
  expect(server.records.size).toBe(2001);
  expect(server.transport.callsTo(importsRoutes.addRecords).length).toBeGreaterThan(1);
  expect(server.transport.callsTo(importsRoutes.commit)).toHaveLength(1);
  const saved = steps.map((step) => step.savedRecords);
  expect(saved[0]).toBe(0);
  expect(saved.at(-1)).toBe(2001);
  expect(saved.some((count) => count > 0 && count < 2001)).toBe(true);
  expect(saved).toEqual([...saved].sort((a, b) => a - b));
});

it("a failure part-way saves nothing and says so, with the server's reason", { timeout: 60_000 }, async () => {
  const vault = patientVault();
  const server = recordsServer(vault);
  let calls = 0;
  server.transport.on(importsRoutes.addRecords, (input) => {
    calls += 1;
    if (calls === 2) throw new ApiError(413, "quota-exceeded", "Your storage is full.");
    return server.importHandlers.addRecords(input);
  });
  const matched = await matchChart((await prepareRecords(planImport(observations))).ready, []);
  const error = await saveImport(matched, { update: false }, vault, server.transport).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ImportNotSavedError);
  expect(((error as ImportNotSavedError).reason as ApiError).message).toBe("Your storage is full.");
  expect(server.records.size).toBe(0);
});

it("an update that fails after the new records were saved says how far it went", async () => {
  const vault = patientVault();
  const server = recordsServer(vault);
  const first = await matchChart((await prepareRecords(planImport(fixture15()))).ready, []);
  await saveImport(first, { update: false }, vault, server.transport);
  const chart = (await loadWholeChart(vault, server.transport)).filter((entry): entry is OkEntry => entry.status === "ok");
  // The same file with one value changed, and one record new.
  const changed = fixture15() as { entry: Array<{ resource: Record<string, unknown> }> };
  changed.entry[1]!.resource.status = "amended";
  changed.entry.push({ resource: { resourceType: "Condition", code: { text: "Hay fever" } } });
  const matched = await matchChart((await prepareRecords(planImport(changed))).ready, chart);
  server.transport.on(recordsRoutes.addVersion, () => {
    throw new ApiError(503, "unavailable", "The server is busy.");
  });
  const error = await saveImport(matched, { update: true }, vault, server.transport).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ImportUpdatesStoppedError);
  expect((error as ImportUpdatesStoppedError).message).toBe("The 1 new record was saved, but updating stopped after 0 records.");
  expect(server.records.size).toBe(3);
});
