import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { loadWholeChart, type OkEntry } from "../records/records";
import { patientVault, recordsServer } from "../records/test-server";
import { planImport } from "./import-bundle";
import { prepareRecords } from "./import-content";
import { matchChart } from "./import-duplicates";
import { saveImport } from "./import-save";
import { canonicalJson, contentDigest, identityKeys } from "./resource-identity";

beforeAll(cryptoReady);

// The rollback guard keeps what this browser has seen in localStorage, which Node lacks: a Map stands in.
beforeEach(() => {
  const stored = new Map<string, string>();
  vi.stubGlobal("localStorage", {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => void stored.set(key, value),
    removeItem: (key: string) => void stored.delete(key),
  });
});
afterEach(() => vi.unstubAllGlobals());

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world", name), "utf8"));
const ok = (entries: Awaited<ReturnType<typeof loadWholeChart>>) => entries.filter((entry): entry is OkEntry => entry.status === "ok");

describe("a resource's identity", () => {
  it("canonical JSON sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: "é" }, u: undefined })).toBe('{"a":{"c":"é","d":[2,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it("the digest is SHA-256 of the canonical JSON, whatever the key order", async () => {
    const resource = { resourceType: "Observation", status: "final", code: { text: "Glucose" } };
    const expected = createHash("sha256").update(canonicalJson(resource)).digest("hex");
    expect(await contentDigest(resource)).toBe(expected);
    expect(await contentDigest({ code: { text: "Glucose" }, status: "final", resourceType: "Observation" })).toBe(expected);
    expect(await contentDigest({ ...resource, status: "amended" })).not.toBe(expected);
  });

  it("is the identifiers first, then a global fullUrl, then the digest", async () => {
    const withIdentifier = { resourceType: "Condition", identifier: [{ system: "urn:ehr", value: "42" }, { system: "urn:x" }] };
    expect(await identityKeys(withIdentifier, "urn:uuid:1")).toEqual(["Condition|identifier|urn:ehr|42"]);
    expect(await identityKeys({ resourceType: "Condition" }, "urn:uuid:1")).toEqual(["Condition|fullUrl|urn:uuid:1"]);
    expect(await identityKeys({ resourceType: "Condition" }, "https://ehr.example/Condition/1")).toEqual(["Condition|fullUrl|https://ehr.example/Condition/1"]);
    // A bundle-local name (resource:0) says nothing outside its bundle.
    const [key] = await identityKeys({ resourceType: "Condition" }, "resource:0");
    expect(key).toMatch(/^Condition\|sha256\|[0-9a-f]{64}$/);
  });
});

describe("duplicates", () => {
  const collection = (entry: unknown[]) => ({ resourceType: "Bundle", type: "collection", entry });

  it("within one file: the same identifier, fullUrl or content is a repeat of the first", async () => {
    const plan = planImport(
      collection([
        { resource: { resourceType: "Condition", identifier: [{ system: "s", value: "1" }], code: { text: "A" } } },
        { resource: { resourceType: "Condition", identifier: [{ system: "s", value: "1" }], code: { text: "A, later" } } },
        { fullUrl: "urn:uuid:u", resource: { resourceType: "Condition", code: { text: "B" } } },
        { fullUrl: "urn:uuid:u", resource: { resourceType: "Condition", code: { text: "B again" } } },
        { resource: { resourceType: "Condition", code: { text: "C" } } },
        { resource: { code: { text: "C" }, resourceType: "Condition" } },
        { resource: { resourceType: "Condition", code: { text: "D" } } },
      ]),
    );
    const matched = await matchChart((await prepareRecords(plan)).ready, []);
    expect(matched.map((item) => [item.status, item.status === "repeat" ? item.firstLabel : null])).toEqual([
      ["new", null],
      ["repeat", "Entry 1"],
      ["new", null],
      ["repeat", "Entry 3"],
      ["new", null],
      ["repeat", "Entry 5"],
      ["new", null],
    ]);
  });

  it("01 imported twice: the second time every record is already in the chart, unchanged, and nothing is added", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const first = await matchChart((await prepareRecords(planImport(fixture("01-ips-minimal.json")))).ready, []);
    expect(await saveImport(first, { update: false }, vault, server.transport)).toEqual({ created: 4, updated: 0 });

    const chart = ok(await loadWholeChart(vault, server.transport));
    expect(chart).toHaveLength(4);
    const again = await matchChart((await prepareRecords(planImport(fixture("01-ips-minimal.json")))).ready, chart);
    expect(again.map((item) => item.status)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(await saveImport(again, { update: true }, vault, server.transport)).toEqual({ created: 0, updated: 0 });
    expect(server.records.size).toBe(4);
  });

  it("a changed record is skipped by default, or updated as a new version; matched by identifier, fullUrl and digest", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    const entries = [
      { resource: { resourceType: "Condition", identifier: [{ system: "s", value: "1" }], code: { text: "Asthma" } } },
      { fullUrl: "urn:uuid:obs", resource: { resourceType: "Observation", status: "preliminary", code: { text: "Glucose" } } },
      { resource: { resourceType: "Procedure", status: "completed", code: { text: "Appendectomy" } } },
    ];
    await saveImport(await matchChart((await prepareRecords(planImport(collection(entries)))).ready, []), { update: false }, vault, server.transport);

    const changed = [
      { resource: { ...entries[0]!.resource, clinicalStatus: { text: "resolved" } } },
      { fullUrl: "urn:uuid:obs", resource: { ...entries[1]!.resource, status: "final" } },
      entries[2]!,
      { resource: { resourceType: "Procedure", status: "completed", code: { text: "Tonsillectomy" } } },
    ];
    const chart = ok(await loadWholeChart(vault, server.transport));
    const matched = await matchChart((await prepareRecords(planImport(collection(changed)))).ready, chart);
    expect(matched.map((item) => item.status)).toEqual(["changed", "changed", "unchanged", "new"]);

    expect(await saveImport(matched, { update: false }, vault, server.transport)).toEqual({ created: 1, updated: 0 });
    expect([...server.records.values()].map((record) => record.versions.length)).toEqual([1, 1, 1, 1]);

    const chartAgain = ok(await loadWholeChart(vault, server.transport));
    const progress: number[] = [];
    const rematched = await matchChart((await prepareRecords(planImport(collection(changed)))).ready, chartAgain);
    expect(await saveImport(rematched, { update: true }, vault, server.transport, (step) => progress.push(step.done))).toEqual({ created: 0, updated: 2 });
    const after = ok(await loadWholeChart(vault, server.transport));
    expect(after).toHaveLength(4);
    const observation = after.find((entry) => entry.document.resource.resourceType === "Observation")!;
    expect(observation.version).toBe(2);
    expect(observation.document.resource).toEqual(changed[1]!.resource);
    expect(observation.document.fullUrl).toBe("urn:uuid:obs");
    expect(progress.at(-1)).toBe(2);
  });
});
