import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady } from "@/crypto";
import { bundleProblems, compileFhirSchema } from "../fhir/fhir-schema";
import { buildExportWithFiles } from "./export-with-files";
import { uploadEncryptedFile } from "./files";
import { patientVault, recordsServer } from "./test-server";

beforeAll(cryptoReady);
beforeAll(() => compileFhirSchema("Bundle"), 120_000);

describe("the chart's Export all", () => {
  it("is a valid FHIR R4 Bundle with each file's contents inline and each context resource once", async () => {
    const server = recordsServer(patientVault());
    const plain = new Uint8Array(5000).map((_, index) => (index * 13) % 256);
    const file = await uploadEncryptedFile(new Blob([plain]), { recordId: crypto.randomUUID(), version: 1, keyVersion: 1 }, () => undefined, server.transport);
    const practitioner = {
      fullUrl: "urn:uuid:7a0d6a55-3a3e-4c53-9d1e-5b1f0d2c8e01",
      resource: { resourceType: "Practitioner", name: [{ text: "Dr Ada Example" }] },
    };
    const condition = (text: string) => ({
      resource: { resourceType: "Condition", code: { text }, subject: { display: "Me" }, asserter: { reference: practitioner.fullUrl } },
      context: [practitioner],
    });
    const result = await buildExportWithFiles(
      [
        condition("Asthma"),
        condition("Eczema"),
        {
          resource: {
            resourceType: "DocumentReference",
            status: "current",
            content: [{ attachment: { contentType: "application/pdf", title: "scan.pdf", size: plain.length } }],
          },
          file,
        },
      ],
      new Date("2026-11-30T05:00:00Z"),
      () => undefined,
      server.transport,
    );
    const bundle = JSON.parse(await result.blob.text()) as fhir4.Bundle;
    expect(bundleProblems(bundle)).toEqual([]);
    expect(bundle.entry!.map((entry) => entry.resource!.resourceType)).toEqual(["Condition", "Practitioner", "Condition", "DocumentReference"]);
    const data = (bundle.entry![3]!.resource as fhir4.DocumentReference).content[0]!.attachment.data!;
    expect(Buffer.from(data, "base64").equals(Buffer.from(plain))).toBe(true);
    expect(result.filesIncluded).toBe(1);
  });
});
