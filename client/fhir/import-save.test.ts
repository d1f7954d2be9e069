import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { recordsRoutes } from "@/contract/records";
import { ApiError } from "../transport/api";
import { RecordsPartlySavedError } from "../records/records";
import { patientVault, recordsServer } from "../records/test-server";
import { planImport } from "./import-bundle";
import { prepareRecords } from "./import-content";
import { matchChart } from "./import-duplicates";
import { saveImport, type ImportSaveProgress } from "./import-save";

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

const observations = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world/08-2001-observations.json"), "utf8")) as unknown;

it("08: 2,001 observations are saved in several requests, with progress that ends at 2,001", { timeout: 60_000 }, async () => {
  const vault = patientVault();
  const server = recordsServer(vault);
  const matched = await matchChart((await prepareRecords(planImport(observations))).ready, []);
  const steps: ImportSaveProgress[] = [];
  expect(await saveImport(matched, { update: false }, vault, server.transport, (step) => steps.push(step))).toEqual({ created: 2001, updated: 0 });
  expect(server.records.size).toBe(2001);
  expect(server.transport.callsTo(recordsRoutes.create).length).toBeGreaterThan(1);
  const saved = steps.map((step) => step.savedRecords);
  expect(saved[0]).toBe(0);
  expect(saved.at(-1)).toBe(2001);
  expect(saved.some((count) => count > 0 && count < 2001)).toBe(true);
  expect(saved).toEqual([...saved].sort((a, b) => a - b));
});

it("a failure after some steps says how many were saved (the placeholder is not yet all or nothing)", { timeout: 60_000 }, async () => {
  const vault = patientVault();
  const server = recordsServer(vault);
  let calls = 0;
  const original = server.transport;
  original.on(recordsRoutes.create, ({ body }) => {
    calls += 1;
    if (calls === 3) throw new ApiError(413, "quota-exceeded", "Your storage is full.");
    return { created: body.records.length };
  });
  const matched = await matchChart((await prepareRecords(planImport(observations))).ready, []);
  const error = await saveImport(matched, { update: false }, vault, server.transport).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RecordsPartlySavedError);
  expect((error as RecordsPartlySavedError).saved).toBe(500);
  expect(((error as RecordsPartlySavedError).reason as ApiError).message).toBe("Your storage is full.");
});
