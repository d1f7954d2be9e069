import { describe, expect, it } from "vitest";
import { bundleViolations, checkedBundle, InvalidBundleError } from "./bundle-invariants";

const observation = { resourceType: "Observation", status: "final", code: { text: "Glucose" } };
const composition = {
  resourceType: "Composition",
  status: "final",
  type: { text: "Summary" },
  date: "2026-11-30",
  author: [{ display: "Dr A" }],
  title: "Summary",
};
const collection = (entry: unknown[], extra: Record<string, unknown> = {}) => ({ resourceType: "Bundle", type: "collection", entry, ...extra });
const document = (entry: unknown[], extra: Record<string, unknown> = {}) => ({
  resourceType: "Bundle",
  type: "document",
  identifier: { system: "urn:ietf:rfc:3986", value: "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0" },
  timestamp: "2026-11-30T05:00:00Z",
  entry,
  ...extra,
});
const keys = (bundle: unknown) => bundleViolations(bundle).map((violation) => violation.key);

describe("the FHIR R4 Bundle invariants", () => {
  it("accept bundles that keep them", () => {
    expect(keys(collection([{ fullUrl: "urn:uuid:1", resource: observation }]))).toEqual([]);
    expect(keys(document([{ fullUrl: "urn:uuid:c", resource: composition }]))).toEqual([]);
    expect(keys({ resourceType: "Bundle", type: "searchset", total: 1, entry: [{ resource: observation, search: { mode: "match" } }] })).toEqual([]);
    expect(keys({ resourceType: "Bundle", type: "transaction", entry: [{ resource: observation, request: { method: "POST", url: "Observation" } }] })).toEqual(
      [],
    );
    expect(
      keys({ resourceType: "Bundle", type: "history", entry: [{ request: { method: "DELETE", url: "Observation/1" }, response: { status: "204" } }] }),
    ).toEqual([]);
    // The same fullUrl twice is allowed for two versions of one resource.
    const version = (id: string) => ({ fullUrl: "urn:uuid:1", resource: { ...observation, meta: { versionId: id } } });
    expect(keys(collection([version("1"), version("2")]))).toEqual([]);
  });

  it.each([
    ["bdl-1", collection([], { total: 3 })],
    ["bdl-2", collection([{ resource: observation, search: { mode: "match" } }])],
    ["bdl-3", { resourceType: "Bundle", type: "transaction", entry: [{ resource: observation }] }],
    ["bdl-3", collection([{ resource: observation, request: { method: "POST", url: "Observation" } }])],
    ["bdl-4", { resourceType: "Bundle", type: "batch-response", entry: [{ resource: observation }] }],
    ["bdl-4", collection([{ resource: observation, response: { status: "201" } }])],
    ["bdl-5", collection([{ fullUrl: "urn:uuid:1" }])],
    [
      "bdl-7",
      collection([
        { fullUrl: "urn:uuid:1", resource: observation },
        { fullUrl: "urn:uuid:1", resource: observation },
      ]),
    ],
    ["bdl-8", collection([{ fullUrl: "https://example.org/fhir/Observation/1/_history/2", resource: observation }])],
    ["bdl-9", document([{ resource: composition }], { identifier: { value: "x" } })],
    ["bdl-10", document([{ resource: composition }], { timestamp: undefined })],
    ["bdl-11", document([{ resource: observation }, { resource: composition }])],
    ["bdl-12", { resourceType: "Bundle", type: "message", entry: [{ resource: observation }] }],
  ])("refuse a bundle breaking %s", (key, bundle) => {
    expect(keys(bundle)).toEqual([key]);
    expect(() => checkedBundle(bundle)).toThrow(InvalidBundleError);
  });
});
