import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { cryptoReady } from "@/crypto";
import { recordsRoutes } from "@/contract/records";
import { bundleProblems, compileFhirSchema } from "../fhir/fhir-schema";
import type { UnlockedVault } from "../keystore/vault-store";
import { ArchiveWriter, blobSink, readArchive } from "./backup-archive";
import { buildBackup, bundlePath, manifestPath, readmePath, type BackupProgress } from "./backup";
import { BackupRestoreError, readBackup, restoreBackup } from "./backup-restore";
import { downloadDecryptedFile, uploadEncryptedFile } from "./files";
import { createRecords, loadWholeChart, loadVersions, saveVersion, type OkEntry, type RecordDocument } from "./records";
import { noteResource } from "../fhir/note";
import { storedResource } from "../fhir/types";
import { patientVault, recordsServer } from "./test-server";

beforeAll(cryptoReady);
beforeAll(() => compileFhirSchema("Bundle"), 120_000);

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

/** The fake server, answering the record versions route too (every version with ciphertext, and the owner's wrap). */
function server(vault: UnlockedVault) {
  const fake = recordsServer(vault);
  fake.transport.on(recordsRoutes.versions, ({ params }) => {
    const record = fake.records.get(params.id)!;
    return { versions: record.versions, ownerWraps: [{ keyVersion: record.keyVersion, wrappedKey: record.ownerWrap }] };
  });
  return fake;
}

/** A note as the chart's note form writes it (a DocumentReference with its text inline). */
const noteDocument = (text: string): RecordDocument => ({ v: 1, kind: "note", resource: storedResource(noteResource({ title: "Monitor", text })) });
const bytes = async (blob: Blob) => Buffer.from(await blob.arrayBuffer());
const pdf = new Uint8Array(300_000).map((_, index) => (index * 31 + 7) % 256);
const practitioner = {
  fullUrl: "urn:uuid:7a0d6a55-3a3e-4c53-9d1e-5b1f0d2c8e01",
  resource: { resourceType: "Practitioner", id: "dr-a", name: [{ text: "Dr Ada Example" }] },
};

/** A patient with a note edited once, a condition naming its practitioner, and a file whose description was edited. */
async function patientWithRecords() {
  const vault = patientVault();
  const fake = server(vault);
  const condition: RecordDocument = {
    v: 1,
    kind: "condition",
    fullUrl: "urn:uuid:1b1e6f5c-0f6e-4c1e-8d52-6c0e5a3f9b10",
    resource: { resourceType: "Condition", code: { text: "Asthma" }, subject: { display: "Me" }, asserter: { reference: practitioner.fullUrl } },
    context: [practitioner],
  };
  const [noteId] = await createRecords([noteDocument("Wear the monitor for 24 hours."), condition], vault, fake.transport);
  await saveVersion({ id: noteId!, version: 1, keyVersion: 1 }, noteDocument("Wear the monitor for 48 hours."), vault, fake.transport);
  const fileId = crypto.randomUUID();
  const file = await uploadEncryptedFile(new Blob([pdf]), { recordId: fileId, version: 1, keyVersion: 1 }, () => undefined, fake.transport);
  const scan = (description: string): RecordDocument => ({
    v: 1,
    kind: "document",
    file,
    resource: {
      resourceType: "DocumentReference",
      status: "current",
      description,
      content: [{ attachment: { contentType: "application/pdf", title: "Scan: chest/x-ray.pdf", size: pdf.length } }],
    },
  });
  await createRecords([{ ...scan("Chest X-ray"), recordId: fileId }], vault, fake.transport);
  await saveVersion({ id: fileId, version: 1, keyVersion: 1 }, scan("Chest X-ray, March"), vault, fake.transport);
  return { vault, fake };
}

/** Every record's versions as documents (file access left out: a restore gives new keys), with each file's bytes. */
async function history(vault: UnlockedVault, fake: ReturnType<typeof server>) {
  const chart = (await loadWholeChart(vault, fake.transport)).filter((entry): entry is OkEntry => entry.status === "ok");
  const records = [];
  for (const entry of chart) {
    const versions = [];
    for (const { version, document } of await loadVersions(entry, vault, fake.transport)) {
      const { file, ...rest } = document;
      versions.push({
        version,
        document: rest,
        file: file ? await bytes(await downloadDecryptedFile(file, "application/pdf", () => undefined, fake.transport)) : null,
      });
    }
    records.push(versions);
  }
  // Restored records have new ids: compared in an order that does not depend on them.
  return records.sort((a, b) => JSON.stringify(a[0]!.document).localeCompare(JSON.stringify(b[0]!.document)));
}

async function backupOf(vault: UnlockedVault, fake: ReturnType<typeof server>) {
  const sink = blobSink();
  const progress: BackupProgress[] = [];
  const result = await buildBackup(vault, fake.transport, sink, (step) => progress.push(step), new Date("2026-11-30T05:00:00Z"));
  return { archive: sink.blob(), result, progress };
}

// Each test encrypts, uploads and decrypts a few hundred kilobytes with real libsodium, twice.
describe("the full backup", { timeout: 60_000 }, () => {
  it("is a ZIP with the Bundle of every version, the files as files, and a README; a new account restores it equal", async () => {
    const { vault, fake } = await patientWithRecords();
    const { archive, result, progress } = await backupOf(vault, fake);
    expect(result).toEqual({ records: 3, versions: 5, files: 1, recordsLeftOut: 0, filesLeftOut: [] });
    expect(progress).toContainEqual({ step: "files", done: 1, total: 1 });

    const entries = await readArchive(archive);
    expect([...entries.keys()].sort()).toEqual([bundlePath, manifestPath, readmePath, "files/001-Scan_ chest_x-ray.pdf"].sort());
    // The file once, byte-equal, though two versions name it.
    expect((await bytes(entries.get("files/001-Scan_ chest_x-ray.pdf")!)).equals(Buffer.from(pdf))).toBe(true);
    const bundle = JSON.parse(await entries.get(bundlePath)!.text()) as fhir4.Bundle;
    expect(bundleProblems(bundle)).toEqual([]);
    expect(bundle.entry!.map((entry) => entry.resource!.resourceType).sort()).toEqual(
      ["Condition", "DocumentReference", "DocumentReference", "DocumentReference", "DocumentReference", "Practitioner"].sort(),
    );
    const scans = bundle.entry!.filter((entry) => (entry.resource as fhir4.DocumentReference).content?.[0]?.attachment.url);
    expect(scans.map((entry) => [(entry.resource as fhir4.DocumentReference).content[0]!.attachment.url, entry.resource!.meta?.versionId])).toEqual([
      ["files/001-Scan_%20chest_x-ray.pdf", "1"],
      ["files/001-Scan_%20chest_x-ray.pdf", "2"],
    ]);
    expect(await entries.get(readmePath)!.text()).toContain("3 records with all 5 of their versions");
    // No key of any file is in the archive.
    expect(await entries.get(manifestPath)!.text()).not.toContain('"key"');

    const contents = await readBackup(archive);
    expect(contents.summary).toMatchObject({ records: 3, versions: 5, files: 1 });
    const other = patientVault();
    const target = server(other);
    const restored = await restoreBackup(contents, other, target.transport, () => undefined);
    expect(restored).toEqual({ records: 3, versions: 5, files: 1 });
    expect(await history(other, target)).toEqual(await history(vault, fake));
  });

  it("refuses to restore into an account that has records, and restores nothing", async () => {
    const { vault, fake } = await patientWithRecords();
    const contents = await readBackup((await backupOf(vault, fake)).archive);
    const other = patientVault();
    const target = server(other);
    await createRecords([noteDocument("Already here")], other, target.transport);
    await expect(restoreBackup(contents, other, target.transport, () => undefined)).rejects.toMatchObject({ code: "not-empty" });
    expect(target.records.size).toBe(1);
  });

  it("refuses a backup whose file was changed, a ZIP that is no backup, and an archive cut short", async () => {
    const { vault, fake } = await patientWithRecords();
    const { archive } = await backupOf(vault, fake);
    const entries = await readArchive(archive);
    const rewritten = async (change: (path: string, contents: Blob) => Blob | null) => {
      const sink = blobSink();
      const writer = new ArchiveWriter(sink);
      for (const [path, contents] of entries) {
        const changed = change(path, contents);
        if (changed) await writer.add(path, changed, new Date());
      }
      await writer.finish();
      return sink.blob();
    };
    const altered = new Uint8Array(pdf);
    altered[1000]! ^= 1;
    const tampered = await readBackup(await rewritten((path, contents) => (path.startsWith("files/") ? new Blob([altered]) : contents)));
    const other = patientVault();
    await expect(restoreBackup(tampered, other, server(other).transport, () => undefined)).rejects.toMatchObject({ code: "file-differs" });

    await expect(readBackup(await rewritten((path, contents) => (path === manifestPath ? null : contents)))).rejects.toMatchObject({ code: "not-a-backup" });
    await expect(readBackup(await rewritten((path, contents) => (path.startsWith("files/") ? null : contents)))).rejects.toMatchObject({ code: "damaged" });
    await expect(readBackup(archive.slice(0, Math.floor(archive.size / 2)))).rejects.toBeInstanceOf(BackupRestoreError);
    await expect(readBackup(new Blob(["not a zip at all"]))).rejects.toMatchObject({ code: "not-a-backup" });
  });
});
