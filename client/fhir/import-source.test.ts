import { describe, expect, it } from "vitest";
import { planEntries, planImport } from "./import-bundle";
import { ImportError } from "./import-error";
import { readImportFile, sourceOf } from "./import-source";
import { linesOf, parseNdjson } from "./ndjson";

const condition = (id: string) => ({ resourceType: "Condition", id, code: { text: `Problem ${id}` } });
const bundle = (type: string, entry: unknown[]) => ({ resourceType: "Bundle", type, entry });
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

describe("every bundle type that carries resources", () => {
  it.each(["document", "collection", "transaction", "batch", "searchset", "transaction-response", "batch-response"])(
    "a %s bundle: its resources are records, request/response/search ignored",
    (type) => {
      const plan = planImport(
        bundle(type, [
          {
            fullUrl: "urn:uuid:a",
            resource: condition("a"),
            request: { method: "POST", url: "Condition" },
            response: { status: "201 Created" },
            search: { mode: "match" },
          },
          // A response entry without a resource (return=minimal) is reported, not an error.
          { response: { status: "201 Created", location: "Condition/b/_history/1" } },
        ]),
      );
      expect(plan.form).toBe(`a ${type} bundle`);
      expect(plan.records).toEqual([{ kind: "condition", resource: condition("a"), fullUrl: "urn:uuid:a", label: "Entry 1" }]);
      expect(plan.skipped).toEqual([{ index: 1, label: "Entry 2", reason: "Entry 2: it holds no resource." }]);
    },
  );

  it("a batch-response's OperationOutcome is reported as about the exchange", () => {
    const plan = planImport(bundle("batch-response", [{ resource: { resourceType: "OperationOutcome", issue: [] }, response: { status: "400" } }]));
    expect(plan.records).toEqual([]);
    expect(plan.skipped[0]!.reason).toMatch(/OperationOutcome is a server's report on the exchange/);
  });

  it.each(["history", "message", "subscription-notification"])("a %s bundle is refused, naming its type", (type) => {
    expect(() => planImport(bundle(type, [{ resource: condition("a") }]))).toThrow(new RegExp(`This is a ${type} Bundle`));
  });
});

describe("a bare resource and lists", () => {
  it("a single resource is one record, unchanged", () => {
    const plan = planImport(condition("x"));
    expect(plan.form).toBe("a single Condition");
    expect(plan.records).toEqual([{ kind: "condition", resource: condition("x"), label: "The resource" }]);
  });

  it("a list of resources and of bundle entries, mixed, with their fullUrls", () => {
    const plan = planImport([condition("a"), { fullUrl: "urn:uuid:b", resource: condition("b") }, 42, { resourceType: "Patient", id: "me" }]);
    expect(plan.records.map((record) => [record.label, record.resource.id, record.fullUrl])).toEqual([
      ["Item 1", "a", undefined],
      ["Item 2", "b", "urn:uuid:b"],
    ]);
    expect(plan.skipped.map((entry) => entry.label)).toEqual(["Item 3", "Item 4"]);
  });

  it("JSON that is not FHIR is refused plainly", () => {
    expect(() => sourceOf({ hello: "world" })).toThrow(/not FHIR/);
    expect(() => sourceOf([1, 2, 3])).toThrow(/nothing in it is a FHIR resource/);
    expect(() => sourceOf(null)).toThrow(ImportError);
  });
});

describe("NDJSON", () => {
  const ndjson = [JSON.stringify(condition("a")), "", "   ", JSON.stringify({ resourceType: "Patient", id: "p" }), JSON.stringify(condition("b")), ""].join(
    "\r\n",
  );

  it("reads one resource per line from the file's stream, blank lines ignored, lines named by number", async () => {
    const plan = planEntries(await readImportFile(new Blob([ndjson]), "Condition.ndjson"));
    expect(plan.form).toBe("an NDJSON file");
    expect(plan.records.map((record) => [record.label, record.resource])).toEqual([
      ["Line 1", condition("a")],
      ["Line 5", condition("b")],
    ]);
    expect(plan.skipped.map((entry) => entry.label)).toEqual(["Line 4"]);
  });

  it("reads .jsonl, and NDJSON saved as .json", async () => {
    expect(planEntries(await readImportFile(new Blob([ndjson]), "export.jsonl")).records).toHaveLength(2);
    expect(planEntries(await readImportFile(new Blob([ndjson]), "export.json")).records).toHaveLength(2);
  });

  it("names the first bad line by its number", async () => {
    const bad = [JSON.stringify(condition("a")), JSON.stringify(condition("b")), '{"resourceType": "Condition", "id": ', JSON.stringify(condition("c"))].join(
      "\n",
    );
    const error = await rejection(readImportFile(new Blob([bad]), "bad.ndjson"));
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(/^Line 3 of this file is not valid JSON/);
    const notFhir = await rejection(readImportFile(new Blob([`${JSON.stringify(condition("a"))}\n[1,2]\n`]), "bad.ndjson"));
    expect((notFhir as Error).message).toMatch(/^Line 2 of this file is not a FHIR resource/);
    expect(await rejection(readImportFile(new Blob(["\n\n"]), "empty.ndjson"))).toBeInstanceOf(ImportError);
  });

  it("splits lines across stream chunks and multi-byte characters cut between chunks", async () => {
    const text = `${JSON.stringify({ ...condition("a"), note: [{ text: "café 糖尿病" }] })}\n${JSON.stringify(condition("b"))}`;
    const bytes = new TextEncoder().encode(text);
    // One byte per chunk: every character and line end is cut somewhere.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const resources = await parseNdjson(linesOf(stream));
    expect(resources.map((entry) => entry.line)).toEqual([1, 2]);
    expect(resources[0]!.resource.note).toEqual([{ text: "café 糖尿病" }]);
  });

  it("a file that is neither JSON nor NDJSON is refused as not JSON", async () => {
    expect(((await rejection(readImportFile(new Blob(["eyJhbGciOi.not-json"]), "x.txt"))) as Error).message).toMatch(/not JSON/);
  });
});

describe("context resources", () => {
  it("are resolved by fullUrl, absolute URL, relative Type/id (with _history) and urn:uuid, never the Patient, and kept unchanged", () => {
    const practitioner = { resourceType: "Practitioner", id: "dr", name: [{ family: "Who" }] };
    const organization = { resourceType: "Organization", id: "org", name: "Clinic" };
    const role = { resourceType: "PractitionerRole", id: "role", practitioner: { reference: "Practitioner/dr" }, organization: { reference: "urn:uuid:org" } };
    const location = { resourceType: "Location", id: "loc", name: "Ward 3" };
    const medication = { resourceType: "Medication", id: "med", code: { text: "Aspirin" } };
    const statement = {
      resourceType: "MedicationRequest",
      id: "rx",
      subject: { reference: "Patient/me" },
      medicationReference: { reference: "https://ehr.example/fhir/Medication/med/_history/2" },
      requester: { reference: "PractitionerRole/role" },
      contained: [{ resourceType: "Substance", id: "s" }],
      note: [{ text: "see #s", authorReference: { reference: "#s" } }],
    };
    const encounter = { resourceType: "Encounter", id: "enc", location: [{ location: { reference: "Location/loc" } }] };
    const plan = planImport(
      bundle("collection", [
        { fullUrl: "https://ehr.example/fhir/Patient/me", resource: { resourceType: "Patient", id: "me" } },
        { fullUrl: "https://ehr.example/fhir/Medication/med", resource: medication },
        { fullUrl: "urn:uuid:dr", resource: practitioner },
        { fullUrl: "urn:uuid:org", resource: organization },
        { fullUrl: "urn:uuid:role", resource: role },
        { resource: location },
        { fullUrl: "urn:uuid:rx", resource: statement },
        { resource: encounter },
      ]),
    );
    const request = plan.records.find((record) => record.resource.id === "rx")!;
    expect(request.resource).toBe(statement);
    expect(request.resource.contained).toEqual([{ resourceType: "Substance", id: "s" }]);
    expect(request.context).toEqual([
      { fullUrl: "https://ehr.example/fhir/Medication/med", resource: medication },
      { fullUrl: "urn:uuid:role", resource: role },
      { fullUrl: "urn:uuid:dr", resource: practitioner },
      { fullUrl: "urn:uuid:org", resource: organization },
    ]);
    expect(plan.records.find((record) => record.resource.id === "enc")!.context).toEqual([{ resource: location }]);
    expect(plan.skipped.find((entry) => entry.resourceType === "Organization")!.reason).toMatch(/kept with the 1 record that refers to it/);
  });

  it("an unreferenced context resource is reported as having nothing to be kept with", () => {
    const plan = planImport(bundle("collection", [{ resource: { resourceType: "Organization", id: "o" } }]));
    expect(plan.skipped[0]!.reason).toMatch(/no record in this file refers to it/);
  });
});
