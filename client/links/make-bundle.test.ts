import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, fromBase64 } from "@/crypto";
import { bundleViolations } from "../fhir/bundle-invariants";
import { planImport } from "../fhir/import-bundle";
import type { FhirResource } from "../fhir/types";
import { buildLinkBundle, chosenRecords, LinkBundleError, patientSummaryCoding, type LinkRecord } from "./make-bundle";

beforeAll(cryptoReady);

const now = new Date("2026-11-30T09:00:00Z");

/** Fixture 04 (a real IPS document) as the chart holds it, each record with an id. */
const fixtureRecords = (): LinkRecord[] =>
  planImport(JSON.parse(readFileSync("fixtures/real-world/04-ips-with-immunization.json", "utf8"))).records.map((record, index) => ({
    id: `record-${index}`,
    resource: record.resource,
    fullUrl: record.fullUrl,
    context: record.context,
  }));

const asthma: LinkRecord = { id: "asthma", resource: { resourceType: "Condition", id: "c1", code: { text: "Asthma" }, subject: { display: "Patient" } } };
const note: LinkRecord = {
  id: "note",
  resource: { resourceType: "DocumentReference", status: "current", content: [{ attachment: { contentType: "text/plain", data: "aGk=" } }] },
};
const scan: LinkRecord = {
  id: "scan",
  resource: {
    resourceType: "DocumentReference",
    status: "current",
    subject: { reference: "Patient/old" },
    content: [{ attachment: { contentType: "image/png", title: "scan.png" } }],
  },
  fileData: "iVBORw0K",
};
const resources = (bundle: fhir4.Bundle) => (bundle.entry ?? []).map((entry) => entry.resource as FhirResource);

describe("the bundle a link carries", () => {
  it("is a valid collection with the Patient first, then only the chosen records", () => {
    const bundle = buildLinkBundle({
      records: [asthma, note, scan],
      selection: { by: "records", recordIds: ["asthma", "scan", "unknown"] },
      patient: { name: "Paul" },
      now,
    });
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection", timestamp: now.toISOString() });
    expect(bundleViolations(bundle)).toEqual([]);
    expect(resources(bundle).map((resource) => resource.resourceType)).toEqual(["Patient", "Condition", "DocumentReference"]);
    expect(resources(bundle)[1]).toMatchObject({ code: { text: "Asthma" } });
    expect(JSON.stringify(bundle)).not.toContain("aGk=");
    expect(new Set(bundle.entry!.map((entry) => entry.fullUrl)).size).toBe(bundle.entry!.length);
  });

  it("reveals only the name and the birth date chosen, and points the records at that Patient", () => {
    const bundle = buildLinkBundle({
      records: [asthma, scan],
      selection: { by: "records", recordIds: ["asthma", "scan"] },
      patient: { name: "  Paul Proof ", birthDate: "1957-07" },
      now,
    });
    const [patient, condition, file] = resources(bundle);
    expect(Object.keys(patient!).sort()).toEqual(["birthDate", "id", "name", "resourceType"]);
    expect(patient).toMatchObject({ name: [{ text: "Paul Proof" }], birthDate: "1957-07" });
    const patientUrl = bundle.entry![0]!.fullUrl;
    expect(patientUrl).toBe(`urn:uuid:${patient!.id}`);
    expect(condition!.subject).toEqual({ reference: patientUrl });
    expect(file!.subject).toEqual({ reference: patientUrl });
    // A file record carries its contents.
    expect(file!.content).toEqual([{ attachment: { contentType: "image/png", title: "scan.png", data: "iVBORw0K" } }]);

    const withoutBirthDate = resources(
      buildLinkBundle({ records: [asthma], selection: { by: "records", recordIds: ["asthma"] }, patient: { name: "Paul", birthDate: "" }, now }),
    )[0]!;
    expect(withoutBirthDate).not.toHaveProperty("birthDate");
    expect(Object.keys(withoutBirthDate).sort()).toEqual(["id", "name", "resourceType"]);
  });

  it("keeps a fixture's records as an export writes them, with their context, and drops the original Patient's name from references", () => {
    const records = fixtureRecords();
    const bundle = buildLinkBundle({ records, selection: { by: "kinds", kinds: ["allergy", "medication"] }, patient: { name: "M" }, now });
    const types = resources(bundle).map((resource) => resource.resourceType);
    expect(types.filter((type) => type === "Patient")).toHaveLength(1);
    expect(types).toContain("AllergyIntolerance");
    expect(types).toContain("MedicationStatement");
    expect(types).not.toContain("Condition");
    expect(types).not.toContain("Observation");
    const patientUrl = bundle.entry![0]!.fullUrl;
    for (const resource of resources(bundle).slice(1)) {
      if (resource.resourceType === "AllergyIntolerance") expect(resource.patient).toEqual({ reference: patientUrl });
      if (resource.resourceType === "MedicationStatement") expect(resource.subject).toEqual({ reference: patientUrl });
    }
    // Record fullUrls are kept, so the recipient's import recognises them again.
    const kept = records.filter((record) => record.fullUrl && ["AllergyIntolerance", "MedicationStatement"].includes(record.resource.resourceType));
    for (const record of kept) expect(bundle.entry!.map((entry) => entry.fullUrl)).toContain(record.fullUrl);
    expect(bundleViolations(bundle)).toEqual([]);
  });

  it("'my summary' takes the IPS sections' records and carries the PDF as a LOINC 60591-5 DocumentReference", () => {
    const pdf = new TextEncoder().encode("%PDF-1.7 test");
    const bundle = buildLinkBundle({
      records: [asthma, note, ...fixtureRecords()],
      selection: { by: "summary" },
      patient: { name: "M" },
      summaryPdf: pdf,
      now,
    });
    const all = resources(bundle);
    expect(all.some((resource) => resource.resourceType === "DocumentReference" && resource.id === undefined)).toBe(false);
    const document = all.at(-1)!;
    expect(document).toMatchObject({
      resourceType: "DocumentReference",
      status: "current",
      type: { coding: [{ system: "http://loinc.org", code: "60591-5", display: "Patient summary Document" }] },
      subject: { reference: bundle.entry![0]!.fullUrl },
      content: [{ attachment: { contentType: "application/pdf" } }],
    });
    expect(patientSummaryCoding.code).toBe("60591-5");
    const data = (document.content as Array<{ attachment: { data: string } }>)[0]!.attachment.data;
    expect(fromBase64(data)).toEqual(pdf);
    // The note is not a summary kind; the condition is.
    expect(all.filter((resource) => resource.resourceType === "DocumentReference")).toHaveLength(1);
    expect(all.some((resource) => resource.resourceType === "Condition" && resource.id === "c1")).toBe(true);
    expect(bundleViolations(bundle)).toEqual([]);
  });

  it("selects by kinds and by records", () => {
    expect(chosenRecords([asthma, note, scan], { by: "kinds", kinds: ["note"] }).map((record) => record.id)).toEqual(["note"]);
    expect(chosenRecords([asthma, note, scan], { by: "kinds", kinds: ["document", "condition"] }).map((record) => record.id)).toEqual(["asthma", "scan"]);
    expect(chosenRecords([asthma, note, scan], { by: "records", recordIds: [] })).toEqual([]);
  });

  it("refuses an empty name, a birth date that is not a FHIR date, and an empty selection", () => {
    const base = { records: [asthma], selection: { by: "records", recordIds: ["asthma"] } as const, now };
    expect(() => buildLinkBundle({ ...base, patient: { name: "  " } })).toThrow(LinkBundleError);
    expect(() => buildLinkBundle({ ...base, patient: { name: "P", birthDate: "1957-02-30" } })).toThrow(LinkBundleError);
    expect(() => buildLinkBundle({ ...base, selection: { by: "kinds", kinds: ["goal"] }, patient: { name: "P" } })).toThrow(LinkBundleError);
  });

  it("refuses a link of nothing: a summary PDF of no records, or 'my summary' of a chart with no summary records", () => {
    const pdf = new TextEncoder().encode("%PDF-1.7 test");
    const patient = { name: "P" };
    expect(() => buildLinkBundle({ records: [asthma], selection: { by: "records", recordIds: [] }, patient, summaryPdf: pdf, now })).toThrow(LinkBundleError);
    expect(() => buildLinkBundle({ records: [note], selection: { by: "summary" }, patient, summaryPdf: pdf, now })).toThrow(LinkBundleError);
  });
});
