import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady, generateRecordKey } from "@/crypto";
import { maxContentBytes } from "@/contract/records";
import { ApiError } from "../transport/api";
import { blobsRoutes } from "@/contract/records";
import { downloadDecryptedFile } from "../records/files";
import { loadWholeChart, sealVersion, type OkEntry } from "../records/records";
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

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/real-world", name), "utf8"));
const ok = (entries: Awaited<ReturnType<typeof loadWholeChart>>) => entries.filter((entry): entry is OkEntry => entry.status === "ok");
const collection = (entry: unknown[]) => ({ resourceType: "Bundle", type: "collection", entry });

describe("inline content", () => {
  it("09: the inline PDF becomes an encrypted file of its record; all three are saved and the PDF downloads byte for byte", async () => {
    const bundle = fixture("09-big-inline-pdf.json") as {
      entry: Array<{ resource: { resourceType: string; content?: Array<{ attachment: { data: string } }> } }>;
    };
    const pdf = Buffer.from(bundle.entry.find((entry) => entry.resource.resourceType === "DocumentReference")!.resource.content![0]!.attachment.data, "base64");
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");

    const { ready, notImportable } = await prepareRecords(planImport(bundle));
    expect(notImportable).toEqual([]);
    expect(ready.map((record) => Boolean(record.file))).toEqual([false, false, true]);
    const document = ready[2]!;
    expect(document.document.resource.content).toEqual([
      { attachment: { contentType: "application/pdf", title: "Lab report March 2024.pdf", size: pdf.length } },
    ]);
    expect(document.file!.contentType).toBe("application/pdf");

    const vault = patientVault();
    const server = recordsServer(vault);
    const steps: ImportSaveProgress[] = [];
    await saveImport(await matchChart(ready, []), { update: false }, vault, server.transport, (step) => steps.push(step));
    // The file upload is a step of the progress as well as the three records.
    expect(steps.at(-1)).toEqual(expect.objectContaining({ done: 4, total: 4, savedRecords: 3, records: 3 }));

    const chart = ok(await loadWholeChart(vault, server.transport));
    expect(chart).toHaveLength(3);
    const stored = chart.find((entry) => entry.document.file)!;
    expect(stored.document.kind).toBe("document");
    const blob = await downloadDecryptedFile(stored.document.file!, "application/pdf", () => undefined, server.transport);
    expect(Buffer.from(await blob.arrayBuffer()).equals(pdf)).toBe(true);

    // Imported again: recognised, though its stored form has no inline data.
    const again = await matchChart((await prepareRecords(planImport(fixture("09-big-inline-pdf.json")))).ready, chart);
    expect(again.map((item) => item.status)).toEqual(["unchanged", "unchanged", "unchanged"]);
  });

  it("05: the report's presentedForm becomes its file; the plain-text note stays a readable note", async () => {
    const { ready } = await prepareRecords(planImport(fixture("05-synthea-transaction.json")));
    const report = ready.find((record) => record.planned.kind === "report")!;
    expect(report.file?.contentType).toBe("text/plain; charset=utf-8");
    expect(new TextDecoder().decode(report.file!.bytes)).toMatch(/^2019-02-14/);
    expect((report.document.resource.presentedForm as Array<Record<string, unknown>>)[0]).toEqual({
      contentType: "text/plain; charset=utf-8",
      size: report.file!.bytes.length,
    });
    const note = ready.find((record) => record.planned.kind === "note")!;
    expect(note.file).toBeUndefined();
    expect(note.document.resource).toBe(note.planned.resource);
  });

  it("a record too large to store moves its largest inline attachment to a file; one that still does not fit is listed, the others import", async () => {
    const big = "A".repeat(300_000);
    const plan = planImport(
      collection([
        { resource: { resourceType: "Observation", status: "final", code: { text: "Scan" }, valueAttachment: { contentType: "image/png", data: big } } },
        { resource: { resourceType: "Condition", code: { text: "Huge" }, note: [{ text: "x".repeat(300_000) }] } },
        {
          resource: {
            resourceType: "DocumentReference",
            status: "current",
            content: [{ attachment: { contentType: "application/pdf", data: "not base64!" } }],
          },
        },
        { resource: { resourceType: "Condition", code: { text: "Asthma" } } },
      ]),
    );
    const { ready, notImportable } = await prepareRecords(plan);
    expect(ready.map((record) => record.planned.label)).toEqual(["Entry 1", "Entry 4"]);
    expect(ready[0]!.file!.bytes.length).toBe((big.length / 4) * 3);
    expect(ready[0]!.document.resource.valueAttachment).toEqual({ contentType: "image/png", size: (big.length / 4) * 3 });
    expect(notImportable).toEqual([
      { label: "Entry 2", resourceType: "Condition", reason: expect.stringMatching(/more than one record can hold/) },
      { label: "Entry 3", resourceType: "DocumentReference", reason: "its attached file is not valid base64, so it cannot be read." },
    ]);
  });

  it("the size check agrees with the sealed envelope: the largest record that passes seals within maxContentBytes", async () => {
    // Between 100 and 140 KB of note: somewhere in there records stop fitting.
    const outcomes: boolean[] = [];
    for (const length of [100_000, 125_000, 130_000, 140_000]) {
      const plan = planImport({ resourceType: "Condition", code: { text: "Long" }, note: [{ text: "y".repeat(length) }] });
      const { ready } = await prepareRecords(plan);
      const document = { v: 1 as const, kind: "condition", resource: plan.records[0]!.resource };
      const sealed = sealVersion(document, generateRecordKey(), { recordId: crypto.randomUUID(), version: 1, keyVersion: 1 }, patientVault());
      const bytes = Buffer.from(sealed.content, "base64url").length;
      expect(ready.length === 1, `${length}`).toBe(bytes <= maxContentBytes);
      outcomes.push(ready.length === 1);
    }
    expect(outcomes).toEqual([true, true, true, false]);
  });

  it("the server's refusal of a file is passed on with its own reason, and no record is saved", async () => {
    const vault = patientVault();
    const server = recordsServer(vault);
    server.transport.on(blobsRoutes.start, () => {
      throw new ApiError(413, "quota-exceeded", "This file would take your storage past its quota.");
    });
    const matched = await matchChart((await prepareRecords(planImport(fixture("09-big-inline-pdf.json")))).ready, []);
    await expect(saveImport(matched, { update: false }, vault, server.transport)).rejects.toThrow("This file would take your storage past its quota.");
    expect(server.records.size).toBe(0);
  });
});
