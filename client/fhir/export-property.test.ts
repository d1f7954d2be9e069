import fc from "fast-check";
import { cryptoReady } from "@/crypto";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { buildExportBundle } from "./export-bundle";
import { bundleProblems, compileFhirSchema } from "./fhir-schema";
import { planImport } from "./import-bundle";
import { recordKinds } from "./kinds";
import { noteAttachment } from "./note";
import { summarize } from "./summary";
import type { FhirResource, RecordKind } from "./types";

/**
 * Property: a resource of any kind the chart knows, generated with the elements FHIR R4
 * requires of it and arbitrary text, codes and (partial) dates, goes through
 * import → summary → export → import unchanged, and every export is a valid FHIR R4 Bundle
 * (JSON schema and bdl invariants).
 */

// Any Unicode text FHIR R4 allows in a string (its pattern `[ \r\n\t\S]+`: no other whitespace alone), trimmed as R4 asks.
const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 24 }).filter((value) => /^[ \r\n\t\S]+$/u.test(value) && value.trim() === value);
const code = fc.stringMatching(/^[A-Za-z0-9]{1,10}$/);
const concept = fc.record(
  { text, coding: fc.array(fc.record({ system: fc.constant("http://snomed.info/sct"), code, display: text }), { minLength: 1, maxLength: 2 }) },
  { requiredKeys: ["text"] },
);
const dateTime = fc.oneof(
  fc.integer({ min: 1900, max: 2100 }).map(String),
  fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([year, month]) => `${year}-${String(month).padStart(2, "0")}`),
  fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).map((date) => date.toISOString()),
);
const id = fc.stringMatching(/^[A-Za-z0-9.-]{1,32}$/);
const subject = fc.oneof(
  fc.constant({ reference: "Patient/p1" }),
  text.map((display) => ({ display })),
);

/** Generators of the resources each kind holds, with what FHIR R4 requires of each resource type. */
const byKind: Record<RecordKind, fc.Arbitrary<Record<string, unknown>>> = {
  condition: fc.record(
    { resourceType: fc.constant("Condition"), code: concept, subject, onsetDateTime: dateTime },
    { requiredKeys: ["resourceType", "code", "subject"] },
  ),
  medication: fc.oneof(
    fc.record(
      {
        resourceType: fc.constant("MedicationStatement"),
        status: fc.constantFrom("active", "completed", "stopped"),
        medicationCodeableConcept: concept,
        subject,
        effectiveDateTime: dateTime,
      },
      { requiredKeys: ["resourceType", "status", "medicationCodeableConcept", "subject"] },
    ),
    fc.record({
      resourceType: fc.constant("MedicationRequest"),
      status: fc.constant("active"),
      intent: fc.constant("order"),
      medicationCodeableConcept: concept,
      subject,
      authoredOn: dateTime,
    }),
    fc.record({ resourceType: fc.constant("MedicationDispense"), status: fc.constant("completed"), medicationCodeableConcept: concept }),
    fc.record({
      resourceType: fc.constant("MedicationAdministration"),
      status: fc.constant("completed"),
      medicationCodeableConcept: concept,
      subject,
      effectiveDateTime: dateTime,
    }),
  ),
  allergy: fc.record({ resourceType: fc.constant("AllergyIntolerance"), code: concept, patient: subject }),
  immunization: fc.record({
    resourceType: fc.constant("Immunization"),
    status: fc.constant("completed"),
    vaccineCode: concept,
    patient: subject,
    occurrenceDateTime: dateTime,
  }),
  observation: fc.record(
    {
      resourceType: fc.constant("Observation"),
      status: fc.constantFrom("final", "preliminary", "amended"),
      code: concept,
      effectiveDateTime: dateTime,
      valueQuantity: fc.record({
        value: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        unit: code,
        system: fc.constant("http://unitsofmeasure.org"),
        code,
      }),
    },
    { requiredKeys: ["resourceType", "status", "code"] },
  ),
  report: fc.record(
    { resourceType: fc.constant("DiagnosticReport"), status: fc.constant("final"), code: concept, effectiveDateTime: dateTime, conclusion: text },
    { requiredKeys: ["resourceType", "status", "code"] },
  ),
  procedure: fc.record(
    { resourceType: fc.constant("Procedure"), status: fc.constant("completed"), subject, code: concept, performedDateTime: dateTime },
    { requiredKeys: ["resourceType", "status", "subject"] },
  ),
  encounter: fc.record({
    resourceType: fc.constant("Encounter"),
    status: fc.constant("finished"),
    class: fc.constant({ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" }),
    type: fc.array(concept, { maxLength: 1 }),
  }),
  "care-plan": fc.record(
    { resourceType: fc.constant("CarePlan"), status: fc.constant("active"), intent: fc.constant("plan"), subject, title: text },
    { requiredKeys: ["resourceType", "status", "intent", "subject"] },
  ),
  goal: fc.record({ resourceType: fc.constant("Goal"), lifecycleStatus: fc.constant("active"), description: concept, subject }),
  "family-history": fc.record({
    resourceType: fc.constant("FamilyMemberHistory"),
    status: fc.constant("completed"),
    patient: subject,
    relationship: concept,
    condition: fc.array(fc.record({ code: concept }), { maxLength: 2 }),
  }),
  device: fc.oneof(
    fc.record(
      {
        resourceType: fc.constant("Device"),
        deviceName: fc.array(fc.record({ name: text, type: fc.constant("user-friendly-name") }), { minLength: 1, maxLength: 1 }),
      },
      { requiredKeys: ["resourceType"] },
    ),
    fc.record({ resourceType: fc.constant("DeviceUseStatement"), status: fc.constant("active"), subject, device: text.map((display) => ({ display })) }),
  ),
  flag: fc.record({ resourceType: fc.constant("Flag"), status: fc.constant("active"), code: concept, subject }),
  "service-request": fc.record(
    { resourceType: fc.constant("ServiceRequest"), status: fc.constant("active"), intent: fc.constant("order"), subject, code: concept, authoredOn: dateTime },
    { requiredKeys: ["resourceType", "status", "intent", "subject"] },
  ),
  "care-team": fc.record(
    { resourceType: fc.constant("CareTeam"), name: text, participant: fc.array(fc.record({ member: text.map((display) => ({ display })) }), { maxLength: 2 }) },
    { requiredKeys: ["resourceType"] },
  ),
  note: fc.record({
    resourceType: fc.constant("DocumentReference"),
    status: fc.constant("current"),
    description: text,
    content: text.map((words) => [{ attachment: noteAttachment(words) }]),
  }),
  document: fc.record({
    resourceType: fc.constant("DocumentReference"),
    status: fc.constant("current"),
    content: fc.record({ contentType: fc.constantFrom("application/pdf", "image/png"), title: text, size: fc.nat() }).map((attachment) => [{ attachment }]),
  }),
  composition: fc.record({
    resourceType: fc.constant("Composition"),
    status: fc.constant("final"),
    type: concept,
    date: dateTime,
    author: fc.array(
      text.map((display) => ({ display })),
      { minLength: 1, maxLength: 2 },
    ),
    title: text,
  }),
  other: fc.oneof(
    fc.record({ resourceType: fc.constant("RiskAssessment"), status: fc.constant("final"), subject }),
    fc.record({ resourceType: fc.constant("Specimen"), type: concept }, { requiredKeys: ["resourceType"] }),
  ),
};

const withId = (kind: RecordKind) =>
  fc
    .tuple(byKind[kind], fc.option(id, { nil: undefined }))
    .map(([resource, resourceId]) => ({ ...resource, ...(resourceId ? { id: resourceId } : {}) }) as FhirResource);
const collection = (resources: FhirResource[]) => ({
  resourceType: "Bundle",
  type: "collection",
  entry: resources.map((resource, index) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(index).padStart(12, "0")}`, resource })),
});

// A note's text is base64 in its attachment, which the crypto module encodes.
beforeAll(cryptoReady);

describe("any record, imported, shown and exported", () => {
  beforeAll(
    () => compileFhirSchema("Bundle", ...new Set(Object.values(recordKinds).flatMap((entry) => entry.resourceTypes)), "RiskAssessment", "Specimen"),
    120_000,
  );

  it.for(recordKinds.map((entry) => entry.kind))("comes back the same: %s", { timeout: 120_000 }, (kind: RecordKind, test: TestContext) => {
    // A kind the planner does not import yet (it reports it as skipped) joins the property once it does.
    const sample = fc.sample(withId(kind), { numRuns: 1, seed: 1 })[0]!;
    const refusal = planImport(collection([sample])).skipped[0]?.reason;
    if (refusal) {
      test.skip(`the planner does not import it yet: ${refusal}`);
      return;
    }
    fc.assert(
      // Through JSON text first, as a file brings it and as a record is stored: JSON.stringify
      // writes a generated -0 as 0, so the in-memory sign of zero is not part of the property.
      fc.property(
        fc.array(withId(kind), { minLength: 1, maxLength: 4 }).map((generated) => JSON.parse(JSON.stringify(generated)) as FhirResource[]),
        (resources) => {
          const first = planImport(collection(resources));
          expect(first.skipped).toEqual([]);
          expect(first.records.map((record) => record.kind)).toEqual(resources.map(() => kind));
          for (const record of first.records) {
            const summary = summarize(record.resource);
            expect(summary?.kind).toBe(kind);
            expect(summary?.title.length).toBeGreaterThan(0);
          }
          const exported = buildExportBundle(first.records, new Date("2026-11-30T05:00:00Z"));
          expect(bundleProblems(exported)).toEqual([]);
          const again = planImport(JSON.parse(JSON.stringify(exported)));
          expect(again.records.map((record) => ({ kind: record.kind, resource: record.resource }))).toEqual(
            first.records.map((record) => ({ kind: record.kind, resource: record.resource })),
          );
          expect(again.records.map((record) => record.resource)).toEqual(resources);
        },
      ),
      { numRuns: 25 },
    );
  });
});
